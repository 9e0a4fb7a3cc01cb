import { Args, Context, ID, Int, Mutation, Query, Resolver } from '@nestjs/graphql';
import { CurrentPrincipal } from '../auth/current-principal.decorator';
import type { Principal } from '../auth/principal';
import type { GatewayRequest } from '../auth/request-context';
import { IpRateLimited } from '../rate-limit/ip-rate-limit.guard';
import { LimitedPerPrincipal } from '../rate-limit/principal-rate-limit.guard';
import { AuditedAction, RequirePermission } from '../rbac/require-permission.decorator';
import { BulkTerminationFilter, RemoteSessionFilter } from './dto/remote-session-filter.input';
import { RemoteSessionConnection } from './models/remote-session-connection.model';
import { RemoteSessionModel } from './models/remote-session.model';
import { TerminateSessionPayload } from './models/terminate-session.payload';
import { TerminateSessionsPayload } from './models/terminate-sessions.payload';
import { DEFAULT_PAGE_SIZE } from './session-query';
import { type CallContext, SessionsService } from './sessions.service';

type GqlContext = { req: GatewayRequest };
const KEY_DESCRIPTION =
  'Repeating a key (same caller, within IDEMPOTENCY_TTL_HOURS) returns the first answer without calling Segura';

function ctxOf(principal: Principal, ctx: GqlContext): CallContext {
  return { principal, channel: 'graphql', requestId: ctx.req.requestId };
}

@Resolver()
export class SessionsResolver {
  constructor(private readonly sessions: SessionsService) {}

  @Query(() => RemoteSessionConnection, {
    description: 'Remote sessions in Segura, newest first; cached (see stale and ageSeconds)',
  })
  @RequirePermission('session:read')
  @AuditedAction('session.read')
  @LimitedPerPrincipal('reads')
  async remoteSessions(
    @CurrentPrincipal() principal: Principal,
    @Context() ctx: GqlContext,
    @Args('filter', { type: () => RemoteSessionFilter, nullable: true })
    filter: RemoteSessionFilter | null,
    @Args('first', { type: () => Int, nullable: true, defaultValue: DEFAULT_PAGE_SIZE })
    first: number | null,
    @Args('after', { type: () => String, nullable: true }) after: string | null,
  ): Promise<RemoteSessionConnection> {
    const { sessions, ...page } = await this.sessions.list(
      ctxOf(principal, ctx),
      { filter, first, after },
      { first: 'first', after: 'after' },
    );
    return { nodes: sessions, ...page };
  }

  @Query(() => RemoteSessionModel, { description: 'One remote session, straight from Segura' })
  @RequirePermission('session:read')
  @AuditedAction('session.read')
  @LimitedPerPrincipal('reads')
  remoteSession(
    @Args('id', { type: () => ID }) id: string,
    @CurrentPrincipal() principal: Principal,
    @Context() ctx: GqlContext,
  ): Promise<RemoteSessionModel> {
    return this.sessions.get(ctxOf(principal, ctx), id);
  }

  @Mutation(() => TerminateSessionPayload, {
    description: 'Terminate a live remote session in Segura PAM Core',
  })
  @RequirePermission('session:terminate')
  @AuditedAction('session.terminate')
  @IpRateLimited()
  @LimitedPerPrincipal('terminations')
  terminateSession(
    @Args('id', { type: () => ID }) id: string,
    @Args('reason', { type: () => String, nullable: true }) reason: string | null,
    @Args('idempotencyKey', { type: () => String, nullable: true, description: KEY_DESCRIPTION })
    idempotencyKey: string | null,
    @CurrentPrincipal() principal: Principal,
    @Context() ctx: GqlContext,
  ): Promise<TerminateSessionPayload> {
    return this.sessions.terminate(ctxOf(principal, ctx), { id, reason, idempotencyKey });
  }

  @Mutation(() => TerminateSessionsPayload, {
    description: 'End every active session matching a filter, or with dryRun list them only',
  })
  @RequirePermission('session:terminate')
  @AuditedAction('session.terminate.bulk')
  @IpRateLimited()
  @LimitedPerPrincipal('terminations')
  terminateSessions(
    @Args('filter', { type: () => BulkTerminationFilter, nullable: true })
    filter: BulkTerminationFilter | null,
    @Args('reason', { type: () => String, nullable: true }) reason: string | null,
    @Args('dryRun', { type: () => Boolean, nullable: true, defaultValue: false })
    dryRun: boolean | null,
    @Args('idempotencyKey', { type: () => String, nullable: true, description: KEY_DESCRIPTION })
    idempotencyKey: string | null,
    @CurrentPrincipal() principal: Principal,
    @Context() ctx: GqlContext,
  ): Promise<TerminateSessionsPayload> {
    return this.sessions.terminateMany(ctxOf(principal, ctx), {
      filter,
      reason,
      dryRun,
      idempotencyKey,
    });
  }
}
