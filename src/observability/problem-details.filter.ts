import { ArgumentsHost, Catch, ExceptionFilter, Logger, Optional } from '@nestjs/common';
import { GqlArgumentsHost } from '@nestjs/graphql';
import type { FastifyReply } from 'fastify';
import type { GatewayRequest } from '../auth/request-context';
import { GatewayError, httpStatusFor, titleFor, toGatewayError } from '../errors';
import { MetricsService } from './metrics.service';

export interface ProblemDetails {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: string;
  requestId: string;
  field?: string;
}

export function problemType(code: string): string {
  return `urn:pam-gateway:problem:${code.toLowerCase().replace(/_/g, '-')}`;
}

/** Builds the RFC 9457 body for a gateway error. */
export function toProblem(err: GatewayError, requestId: string): ProblemDetails {
  const problem: ProblemDetails = {
    type: problemType(err.code),
    title: titleFor(err.code),
    status: httpStatusFor(err.code),
    detail: err.detail ?? err.message,
    code: err.code,
    requestId,
  };
  if (err.field) problem.field = err.field;
  return problem;
}

/**
 * REST errors as application/problem+json. In a GraphQL context the error is handed back to
 * Apollo, whose formatError maps it (see graphql-errors.ts).
 */
@Catch()
export class ProblemDetailsFilter implements ExceptionFilter {
  private readonly logger = new Logger('Errors');

  constructor(@Optional() private readonly metrics?: MetricsService) {}

  catch(exception: unknown, host: ArgumentsHost): unknown {
    if (host.getType<string>() === 'graphql') {
      const field = GqlArgumentsHost.create(host).getInfo<{ fieldName?: string } | undefined>()
        ?.fieldName;
      const gw = toGatewayError(exception);
      this.metrics?.requestRejected('graphql', field ?? 'unknown', gw.code, gw);
      // Apollo's formatError maps it (graphql-errors.ts) and logs unknown errors in full.
      return exception;
    }
    const ctx = host.switchToHttp();
    const req = ctx.getRequest<GatewayRequest>();
    const res = ctx.getResponse<FastifyReply>();
    // The request's own stream failed: the caller went away mid-body, or the HTTP server cut
    // it off (and answered, logged and counted that: client-errors.ts). Nobody is left to
    // answer and it is no bug; pino-http logs the request as aborted.
    if (exception !== null && exception === req.raw.errored) return undefined;
    const err = toGatewayError(exception);
    // Route pattern, never the raw path: unknown paths must not explode label cardinality.
    const route = req.is404 ? undefined : req.routeOptions?.url;
    this.metrics?.requestRejected(
      'rest',
      route ? `${req.method} ${route}` : 'unmatched',
      err.code,
      err,
    );
    const requestId = req.requestId ?? 'unknown';
    if (err.code === 'INTERNAL') {
      this.logger.error({ requestId, err: exception }, 'unhandled error');
    }
    if (res.sent || res.raw.headersSent) {
      if (!res.raw.writableEnded) res.raw.end();
      return undefined;
    }
    const problem = toProblem(err, requestId);
    if (err.retryAfterSeconds !== undefined) {
      res.header('Retry-After', String(Math.max(1, Math.ceil(err.retryAfterSeconds))));
    }
    void res.code(problem.status).type('application/problem+json').send(JSON.stringify(problem));
    return undefined;
  }
}
