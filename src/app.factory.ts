import type { IncomingMessage, ServerResponse } from 'node:http';
import { BadRequestException, INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import type {
  FastifyBodyParser,
  FastifyError,
  FastifyInstance,
  FastifyReply,
  FastifyRequest,
} from 'fastify';
import helmet from 'helmet';
import { Logger } from 'nestjs-pino';
import { AppModule, AppModuleOptions } from './app.module';
import type { GatewayRequest } from './auth/request-context';
import { InFlightTracker } from './lifecycle/graceful-shutdown';
import type { AppConfig } from './config';
import { GatewayError } from './errors';
import { ClientErrorAnswerer, HEADER_LIMIT_BYTES } from './observability/client-errors';
import { MetricsService } from './observability/metrics.service';
import { toProblem } from './observability/problem-details.filter';
import {
  acceptOrCreateRequestId,
  assignRequestId,
  REQUEST_ID_HEADER,
} from './observability/request-id';

/** JSON bodies above this many bytes are refused (a termination's reason is at most 500 chars). */
export const BODY_LIMIT_BYTES = 16 * 1024;

/** How often Node looks for requests past their deadline (its own default: every 30 s). */
export const DEADLINE_CHECK_INTERVAL_MS = 1000;

type Next = (err?: Error) => void;

/**
 * Builds the application exactly as production runs it; main.ts and the e2e tests both use it.
 * HTTP is served by Fastify (measured against Express: docs/performance.md).
 */
export async function createApp(
  config: AppConfig,
  options: AppModuleOptions & { tracker?: InFlightTracker } = {},
): Promise<INestApplication> {
  const clientErrors = new ClientErrorAnswerer();
  const { requestTimeoutMs, keepAliveTimeoutMs } = config.http;
  const adapter = new FastifyAdapter({
    bodyLimit: BODY_LIMIT_BYTES,
    // Slow clients are cut off: the request line, headers and body must all arrive within
    // requestTimeoutMs (one deadline; a head and a body are 16 KiB at most each), checked
    // every second, then 408 (client-errors.ts). Fastify's defaults (no request deadline,
    // Node's minute for headers, checked every 30 s) let trickling sockets stay open for
    // good. The handler's own time after the body arrived is not counted (a bulk termination
    // may take longer). The header limit is Node's default made explicit, so
    // --max-http-header-size cannot widen it.
    http: {
      requestTimeout: requestTimeoutMs,
      headersTimeout: requestTimeoutMs,
      connectionsCheckingInterval: DEADLINE_CHECK_INTERVAL_MS,
      maxHeaderSize: HEADER_LIMIT_BYTES,
    },
    // Fastify applies its own value to the server after creating it (0: none), so again here.
    requestTimeout: requestTimeoutMs,
    // Idle keep-alive connections: a few seconds, not Fastify's 72 (README on load balancers).
    keepAliveTimeout: keepAliveTimeoutMs,
    clientErrorHandler: clientErrors.handle,
    // req.ip (audit actor ip, per-IP limits) comes from X-Forwarded-For set by these proxies.
    trustProxy: trustProxyOption(config.trustProxy),
    // Fastify's own request logging is off (pino-http logs); its request id is ours.
    logger: false,
    genReqId: (req: IncomingMessage) => acceptOrCreateRequestId(req.headers[REQUEST_ID_HEADER]),
    rewriteUrl: routeEmptySessionId,
    routerOptions: {
      ignoreTrailingSlash: true,
      // find-my-way refuses longer path parameters itself (414); an over-long session id is
      // bad input like any other, refused and audited by the handler. Node's header limit
      // (16 KiB) still bounds the URL.
      maxParamLength: 16 * 1024,
    },
    // What the router refuses before any handler (a malformed %-encoding): the gateway's shape.
    frameworkErrors: (err: FastifyError, req: FastifyRequest, reply: FastifyReply) => {
      const gw = new GatewayError('BAD_USER_INPUT', 'Malformed request', {
        detail:
          err.code === 'FST_ERR_BAD_URL'
            ? 'The request URL cannot be decoded'
            : 'The request URL cannot be routed',
      });
      const requestId = assignRequestId(req.raw, reply.raw, req.id);
      void reply
        .code(400)
        .type('application/problem+json')
        .send(JSON.stringify(toProblem(gw, requestId)));
    },
  });
  // First of all, before CORS answers a preflight and before any middleware can refuse: every
  // answer carries X-Request-Id, and shutdown counts the request as in flight.
  const tracker = options.tracker;
  adapter.setOnRequestHook((req: FastifyRequest, reply: FastifyReply, done: Next) => {
    tracker?.track(reply.raw);
    (req as unknown as GatewayRequest).requestId = assignRequestId(req.raw, reply.raw, req.id);
    done();
  });
  const app = await NestFactory.create<NestFastifyApplication>(
    AppModule.forRoot(config, options),
    adapter,
    { bufferLogs: true, bodyParser: false, abortOnError: false },
  );
  app.useLogger(app.get(Logger));
  clientErrors.metrics = app.get(MetricsService);
  const fastify = app.getHttpAdapter().getInstance();
  fastify.decorateRequest('requestId', '');
  strictJsonBodies(fastify);
  app.use(
    helmet({
      // The Swagger UI and GraphiQL (development only) need inline scripts.
      contentSecurityPolicy: config.env === 'production' ? undefined : false,
    }),
  );
  app.enableCors({
    origin: config.corsOrigins.length > 0 ? config.corsOrigins : false,
    methods: ['GET', 'POST'],
    allowedHeaders: [
      'Authorization',
      'Content-Type',
      'X-Request-Id',
      'X-Api-Key',
      'Idempotency-Key',
      'apollo-require-preflight',
    ],
    exposedHeaders: ['X-Request-Id', 'Retry-After'],
    maxAge: 600,
  });
  app.use(requireJsonForBodies);

  // Off on internet-facing deployments: the document maps every route for anyone who asks.
  if (config.apiDocs) {
    const doc = new DocumentBuilder()
      .setTitle('pam-gateway')
      .setDescription(
        'Terminate Segura PAM Core remote sessions, authenticated, authorised and audited.',
      )
      .setVersion('1')
      .addBearerAuth()
      .addApiKey({ type: 'apiKey', in: 'header', name: 'X-Api-Key' }, 'api-key')
      .build();
    SwaggerModule.setup('api/docs', app, () => SwaggerModule.createDocument(app, doc), {
      jsonDocumentUrl: 'api/docs-json',
    });
  }

  return app;
}

/** TRUST_PROXY (hop count, loopback/uniquelocal/linklocal, addresses) as Fastify takes it. */
function trustProxyOption(value: string | undefined): boolean | number | string {
  if (value === undefined) return false;
  return /^\d+$/.test(value) ? Number(value) : value;
}

/**
 * JSON bodies, strictly: an object or an array at the top (as body-parser's strict mode), for
 * application/json and application/*+json; an empty body is no body. Parsed with Fastify's
 * own parser (prototype-poisoning keys refused).
 */
function strictJsonBodies(fastify: FastifyInstance): void {
  const parse = fastify.getDefaultJsonParser('error', 'error');
  const strict: FastifyBodyParser<string> = (req, text, done) => {
    if (text.trim() === '') return done(null, undefined);
    void parse(req, text, (err: Error | null, value?: unknown) => {
      if (err) return done(err, undefined);
      if (value === null || typeof value !== 'object') {
        return done(new BadRequestException('JSON body must be an object or an array'), undefined);
      }
      done(null, value);
    });
  };
  fastify.removeContentTypeParser('application/json');
  fastify.addContentTypeParser('application/json', { parseAs: 'string' }, strict);
  fastify.addContentTypeParser(
    /^application\/[^;\s]+\+json\s*(;|$)/i,
    { parseAs: 'string' },
    strict,
  );
}

/**
 * Strict content types: a body that is not JSON is refused rather than silently ignored
 * (a reason sent as text/plain would otherwise vanish from the audit record).
 */
function requireJsonForBodies(req: IncomingMessage, res: ServerResponse, next: Next): void {
  const length = req.headers['content-length'];
  const hasBody =
    (length !== undefined && length !== '0') || req.headers['transfer-encoding'] !== undefined;
  if (!hasBody || req.method === 'GET' || req.method === 'HEAD') return next();
  const type = (req.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
  if (type === 'application/json' || (type.startsWith('application/') && type.endsWith('+json')))
    return next();
  // GraphQL multipart and other encodings are not offered; answer in the gateway's shape.
  const requestId = (req as IncomingMessage & { requestId?: string }).requestId ?? 'unknown';
  const err = new GatewayError('BAD_USER_INPUT', 'Unsupported content type', {
    field: 'body',
    detail: 'request bodies must be application/json',
  });
  res.statusCode = 400;
  res.setHeader('Content-Type', 'application/problem+json');
  res.end(JSON.stringify(toProblem(err, requestId)));
}

/**
 * `POST /api/v1/sessions//terminate` (an empty id) would match no route and answer 404; the
 * caller contract says an empty id is bad input like any other, audited as such. The request
 * is routed to the termination handler with a marker, and the handler sees the id as ''.
 * Runs before routing (Fastify's rewriteUrl); the controller reads the marker on the raw request.
 */
function routeEmptySessionId(req: IncomingMessage): string {
  const url = req.url ?? '/';
  if (req.method === 'POST' && /^\/api\/v1\/sessions\/\/terminate\/?(\?|$)/.test(url)) {
    (req as IncomingMessage & { emptySessionId?: boolean }).emptySessionId = true;
    return url.replace('//terminate', '/-/terminate');
  }
  return url;
}
