import { Args, Context, Query, Resolver } from '@nestjs/graphql';
import { CurrentPrincipal } from '../auth/current-principal.decorator';
import type { Principal } from '../auth/principal';
import type { GatewayRequest } from '../auth/request-context';
import { LimitedPerPrincipal } from '../rate-limit/principal-rate-limit.guard';
import { AuditedAction, RequirePermission } from '../rbac/require-permission.decorator';
import { AuditReads } from './audit-reads';
import { AuditEventsArgs } from './dto/audit-event-filter.input';
import { AuditEventConnection } from './models/audit-event-connection.model';
import { AuditEvent, toAuditEvent } from './models/audit-event.model';

/** GraphQL reading of the audit log; translation only (AuditReads validates and records). */
@Resolver(() => AuditEvent)
export class AuditResolver {
  constructor(private readonly reads: AuditReads) {}

  @Query(() => AuditEventConnection, {
    description: 'Audit records, newest first; the read itself is recorded',
  })
  @RequirePermission('audit:read')
  @AuditedAction('audit.read')
  @LimitedPerPrincipal('reads')
  async auditEvents(
    @CurrentPrincipal() principal: Principal,
    @Context() ctx: { req: GatewayRequest },
    @Args() args: AuditEventsArgs,
  ): Promise<AuditEventConnection> {
    const reader = { principal, channel: 'graphql' as const, requestId: ctx.req.requestId };
    const page = await this.reads.read(reader, args);
    return { nodes: page.items.map(toAuditEvent), nextCursor: page.nextCursor };
  }
}
