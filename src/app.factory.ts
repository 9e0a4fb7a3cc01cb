import { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import type { NextFunction, Request, Response } from 'express';
import helmet from 'helmet';
import { Logger } from 'nestjs-pino';
import { AppModule, AppModuleOptions } from './app.module';
import { InFlightTracker } from './lifecycle/graceful-shutdown';
import type { AppConfig } from './config';
import { GatewayError } from './errors';
import { toProblem } from './observability/problem-details.filter';
import { assignRequestId } from './observability/request-id';

/** JSON bodies above this are refused (a termination body is a reason of at most 500 chars). */
export const BODY_LIMIT = '16kb';

/**
 * Builds the application exactly as production runs it; main.ts and the e2e tests both use it.
 */
export async function createApp(
  config: AppConfig,
  options: AppModuleOptions & { tracker?: InFlightTracker } = {},
): Promise<INestApplication> {
  const app = await NestFactory.create<NestExpressApplication>(AppModule.forRoot(config, options), {
    bufferLogs: true,
    bodyParser: false,
    abortOnError: false,
  });
  app.useLogger(app.get(Logger));
  if (options.tracker) app.use(options.tracker.middleware);
  // First of all: every answer, even one refused by the middleware below, carries X-Request-Id.
  app.use((req: Request, res: Response, next: NextFunction) => {
    assignRequestId(req, res);
    next();
  });
  app.disable('x-powered-by');
  if (config.trustProxy !== undefined) {
    // req.ip (audit actor ip, per-IP limits) then comes from X-Forwarded-For set by these proxies.
    const hops = /^\d+$/.test(config.trustProxy) ? Number(config.trustProxy) : config.trustProxy;
    app.set('trust proxy', hops);
  }
  app.set('etag', false);
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
  app.use(routeEmptySessionId);
  app.use(requireJsonForBodies);
  app.useBodyParser('json', {
    limit: BODY_LIMIT,
    strict: true,
    type: ['application/json', 'application/*+json'],
  });

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

  return app;
}

/**
 * Strict content types: a body that is not JSON is refused rather than silently ignored
 * (a reason sent as text/plain would otherwise vanish from the audit record).
 */
function requireJsonForBodies(req: Request, res: Response, next: NextFunction): void {
  const length = req.headers['content-length'];
  const hasBody =
    (length !== undefined && length !== '0') || req.headers['transfer-encoding'] !== undefined;
  if (!hasBody || req.method === 'GET' || req.method === 'HEAD') return next();
  const type = (req.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
  if (type === 'application/json' || (type.startsWith('application/') && type.endsWith('+json')))
    return next();
  // GraphQL multipart and other encodings are not offered; answer in the gateway's shape.
  const requestId = (req as Request & { requestId?: string }).requestId ?? 'unknown';
  const err = new GatewayError('BAD_USER_INPUT', 'Unsupported content type', {
    field: 'body',
    detail: 'request bodies must be application/json',
  });
  res
    .status(400)
    .type('application/problem+json')
    .send(JSON.stringify(toProblem(err, requestId)));
}

/**
 * `POST /api/v1/sessions//terminate` (an empty id) would match no route and answer 404; the
 * caller contract says an empty id is bad input like any other, audited as such. The request
 * is routed to the termination handler with a marker, and the handler sees the id as ''.
 */
function routeEmptySessionId(req: Request, _res: Response, next: NextFunction): void {
  if (req.method === 'POST' && /^\/api\/v1\/sessions\/\/terminate\/?(\?|$)/.test(req.url)) {
    (req as Request & { emptySessionId?: boolean }).emptySessionId = true;
    req.url = req.url.replace('//terminate', '/-/terminate');
  }
  next();
}
