import { createParamDecorator, ExecutionContext } from '@nestjs/common';
import { GatewayError } from '../errors';
import type { Principal } from './principal';
import { getHttpRequest } from './request-context';

/** The authenticated caller, in controllers and resolvers alike. */
export const CurrentPrincipal = createParamDecorator(
  (_data: unknown, ctx: ExecutionContext): Principal => {
    const principal = getHttpRequest(ctx).principal;
    if (!principal) throw new GatewayError('UNAUTHENTICATED', 'Authentication required');
    return principal;
  },
);
