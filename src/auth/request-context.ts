import type { ExecutionContext } from '@nestjs/common';
import { GqlExecutionContext } from '@nestjs/graphql';
import type { FastifyRequest } from 'fastify';
import type { Principal } from './principal';

/** The Fastify request as the gateway decorates it. */
export interface GatewayRequest extends FastifyRequest {
  /** Set by the request-id middleware before any guard runs. */
  requestId: string;
  /** Set by the auth guard for every non-public route. */
  principal?: Principal;
}

export type Channel = 'graphql' | 'rest';

export function getChannel(ctx: ExecutionContext): Channel {
  return ctx.getType<string>() === 'graphql' ? 'graphql' : 'rest';
}

/** The underlying HTTP request for either channel. */
export function getHttpRequest(ctx: ExecutionContext): GatewayRequest {
  if (getChannel(ctx) === 'graphql') {
    return GqlExecutionContext.create(ctx).getContext<{ req: GatewayRequest }>().req;
  }
  return ctx.switchToHttp().getRequest<GatewayRequest>();
}
