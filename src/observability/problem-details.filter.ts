import { ArgumentsHost, Catch, ExceptionFilter, Logger } from '@nestjs/common';
import type { Response } from 'express';
import type { GatewayRequest } from '../auth/request-context';
import { GatewayError, httpStatusFor, titleFor, toGatewayError } from '../errors';

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

  catch(exception: unknown, host: ArgumentsHost): unknown {
    if (host.getType<string>() === 'graphql') return exception;
    const ctx = host.switchToHttp();
    const req = ctx.getRequest<GatewayRequest>();
    const res = ctx.getResponse<Response>();
    const err = toGatewayError(exception);
    const requestId = req.requestId ?? 'unknown';
    if (err.code === 'INTERNAL') {
      this.logger.error({ requestId, err: exception }, 'unhandled error');
    }
    if (res.headersSent) {
      res.end();
      return undefined;
    }
    const problem = toProblem(err, requestId);
    if (err.retryAfterSeconds !== undefined) {
      res.setHeader('Retry-After', String(Math.max(1, Math.ceil(err.retryAfterSeconds))));
    }
    res.status(problem.status).type('application/problem+json').send(JSON.stringify(problem));
    return undefined;
  }
}
