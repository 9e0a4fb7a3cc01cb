import { Controller, Get, Query, Req } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal } from '../auth/current-principal.decorator';
import type { Principal } from '../auth/principal';
import type { GatewayRequest } from '../auth/request-context';
import { ApiProblemResponses } from '../observability/api-problem.decorator';
import { LimitedPerPrincipal } from '../rate-limit/principal-rate-limit.guard';
import { AuditedAction, RequirePermission } from '../rbac/require-permission.decorator';
import { AuditReads } from './audit-reads';
import type { AuditPage } from './audit.types';
import { AuditEventsQuery } from './dto/audit-event-filter.input';
import { AuditEventPageDto } from './dto/audit-event-page.dto';

/**
 * REST reading of the audit log; translation only. The query is typed with its input class for
 * the OpenAPI document but holds what the caller sent: AuditReads validates and records it.
 */
@ApiTags('audit')
@Controller('api/v1/audit-events')
export class AuditController {
  constructor(private readonly reads: AuditReads) {}

  @Get()
  @RequirePermission('audit:read')
  @AuditedAction('audit.read')
  @LimitedPerPrincipal('reads')
  @ApiOperation({
    operationId: 'listAuditEvents',
    summary: 'Audit records, newest first (this read is itself recorded)',
  })
  @ApiOkResponse({ type: AuditEventPageDto })
  @ApiProblemResponses(400, 401, 403, 429, 503)
  list(
    @Query() query: AuditEventsQuery,
    @CurrentPrincipal() principal: Principal,
    @Req() req: GatewayRequest,
  ): Promise<AuditPage> {
    return this.reads.read({ principal, channel: 'rest', requestId: req.requestId }, query);
  }
}
