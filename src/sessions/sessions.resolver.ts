import { Args, Context, Mutation, Query, Resolver } from '@nestjs/graphql';
import type { CallContext } from '../audit/operations/call-context';
import { CurrentPrincipal } from '../auth/current-principal.decorator';
import type { Principal } from '../auth/principal';
import type { GatewayRequest } from '../auth/request-context';
import { IpRateLimited } from '../rate-limit/ip-rate-limit.guard';
import { LimitedPerPrincipal } from '../rate-limit/principal-rate-limit.guard';
import { AuditedAction, RequirePermission } from '../rbac/require-permission.decorator';
import { RemoteSessionArgs, RemoteSessionsArgs } from './dto/list-sessions.args';
import { TerminateSessionArgs } from './dto/terminate-session.args';
import { TerminateSessionsArgs } from './dto/terminate-sessions.body';
import { RemoteSessionConnection } from './models/remote-session-connection.model';
import { RemoteSessionModel } from './models/remote-session.model';
import { TerminateSessionPayload } from './models/terminate-session.payload';
import { TerminateSessionsPayload } from './models/terminate-sessions.payload';
import { SessionsService } from './sessions.service';

type GqlContext = { req: GatewayRequest };

function ctxOf(principal: Principal, ctx: GqlContext): CallContext {
  return { principal, channel: 'graphql', requestId: ctx.req.requestId };
}

/**
 * GraphQL translation only. The argument classes declare the schema; the values are what the
 * caller sent, validated inside the audited pipeline so that an invalid request is recorded.
 */
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
    @Args() args: RemoteSessionsArgs,
  ): Promise<RemoteSessionConnection> {
    const { sessions, ...page } = await this.sessions.list(ctxOf(principal, ctx), args);
    return { nodes: sessions, ...page };
  }

  @Query(() => RemoteSessionModel, { description: 'One remote session, straight from Segura' })
  @RequirePermission('session:read')
  @AuditedAction('session.read')
  @LimitedPerPrincipal('reads')
  remoteSession(
    @Args() args: RemoteSessionArgs,
    @CurrentPrincipal() principal: Principal,
    @Context() ctx: GqlContext,
  ): Promise<RemoteSessionModel> {
    return this.sessions.get(ctxOf(principal, ctx), args);
  }

  @Mutation(() => TerminateSessionPayload, {
    description: 'Terminate a live remote session in Segura PAM Core',
  })
  @RequirePermission('session:terminate')
  @AuditedAction('session.terminate')
  @IpRateLimited()
  @LimitedPerPrincipal('terminations')
  terminateSession(
    @Args() args: TerminateSessionArgs,
    @CurrentPrincipal() principal: Principal,
    @Context() ctx: GqlContext,
  ): Promise<TerminateSessionPayload> {
    return this.sessions.terminate(ctxOf(principal, ctx), args);
  }

  @Mutation(() => TerminateSessionsPayload, {
    description: 'End every active session matching a filter, or with dryRun list them only',
  })
  @RequirePermission('session:terminate')
  @AuditedAction('session.terminate.bulk')
  @IpRateLimited()
  @LimitedPerPrincipal('terminations')
  terminateSessions(
    @Args() args: TerminateSessionsArgs,
    @CurrentPrincipal() principal: Principal,
    @Context() ctx: GqlContext,
  ): Promise<TerminateSessionsPayload> {
    return this.sessions.terminateMany(ctxOf(principal, ctx), args);
  }
}
