import { Args, Context, Int, Query, Resolver } from '@nestjs/graphql';
import { CurrentPrincipal } from '../auth/current-principal.decorator';
import type { Principal } from '../auth/principal';
import type { GatewayRequest } from '../auth/request-context';
import { LimitedPerPrincipal } from '../rate-limit/principal-rate-limit.guard';
import { AuditedAction, RequirePermission } from '../rbac/require-permission.decorator';
import { AuditService } from './audit.service';
import { AuditEventFilter } from './dto/audit-event-filter.input';
import { AuditEventConnection } from './models/audit-event-connection.model';
import { AuditEvent, toAuditEvent } from './models/audit-event.model';

/** GraphQL reading of the audit log; the service validates and records the read. */
@Resolver(() => AuditEvent)
export class AuditResolver {
  constructor(private readonly audit: AuditService) {}

  @Query(() => AuditEventConnection, {
    description: 'Audit records, newest first; the read itself is recorded',
  })
  @RequirePermission('audit:read')
  @AuditedAction('audit.read')
  @LimitedPerPrincipal('reads')
  async auditEvents(
    @CurrentPrincipal() principal: Principal,
    @Context() ctx: { req: GatewayRequest },
    @Args('filter', { type: () => AuditEventFilter, nullable: true })
    filter: AuditEventFilter | null,
    @Args('first', { type: () => Int, nullable: true, defaultValue: 50 }) first: number | null,
    @Args('after', { type: () => String, nullable: true }) after: string | null,
  ): Promise<AuditEventConnection> {
    const reader = { principal, channel: 'graphql' as const, requestId: ctx.req.requestId };
    const page = await this.audit.readEvents(reader, filter, first ?? 50, after);
    return { nodes: page.items.map(toAuditEvent), nextCursor: page.nextCursor };
  }
}
