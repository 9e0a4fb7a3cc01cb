import { HttpException } from '@nestjs/common';
import { GatewayError } from './gateway-error';

/**
 * Turns anything thrown into a GatewayError. Unknown errors become INTERNAL with a bare
 * message: their text may carry internals and is only logged, never answered.
 */
export function toGatewayError(err: unknown): GatewayError {
  if (err instanceof GatewayError) return err;
  if (err instanceof HttpException) {
    const status = err.getStatus();
    if (status === 404) return new GatewayError('NOT_FOUND', 'No such route');
    if (status === 413) {
      return new GatewayError('BAD_USER_INPUT', 'Request body too large', {
        detail: 'The request body exceeds the size limit',
      });
    }
    if (status === 400 || status === 415 || status === 422) {
      return new GatewayError('BAD_USER_INPUT', 'Malformed request', {
        detail: 'The request body must be valid JSON',
      });
    }
    if (status === 401) return new GatewayError('UNAUTHENTICATED', 'Authentication required');
    if (status === 403) return new GatewayError('FORBIDDEN', 'Forbidden');
    if (status === 429) return new GatewayError('RATE_LIMITED', 'Too many requests');
  }
  return new GatewayError('INTERNAL', 'Internal error', { cause: err });
}
