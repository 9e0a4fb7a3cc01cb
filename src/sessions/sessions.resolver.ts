import { Args, Context, ID, Mutation, Resolver } from '@nestjs/graphql';
import { CurrentPrincipal } from '../auth/current-principal.decorator';
import type { Principal } from '../auth/principal';
import type { GatewayRequest } from '../auth/request-context';
import { IpRateLimited } from '../rate-limit/ip-rate-limit.guard';
import { AuditedAction, RequirePermission } from '../rbac/require-permission.decorator';
import { TerminateSessionPayload } from './models/terminate-session.payload';
import { SessionsService } from './sessions.service';

@Resolver()
export class SessionsResolver {
  constructor(private readonly sessions: SessionsService) {}

  @Mutation(() => TerminateSessionPayload, {
    description: 'Terminate a live remote session in Segura PAM Core',
  })
  @RequirePermission('session:terminate')
  @AuditedAction('session.terminate')
  @IpRateLimited()
  terminateSession(
    @Args('id', { type: () => ID }) id: string,
    @Args('reason', { type: () => String, nullable: true }) reason: string | null,
    @CurrentPrincipal() principal: Principal,
    @Context() ctx: { req: GatewayRequest },
  ): Promise<TerminateSessionPayload> {
    return this.sessions.terminate(
      { principal, channel: 'graphql', requestId: ctx.req.requestId },
      { id, reason },
    );
  }
}
