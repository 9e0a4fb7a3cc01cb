import { Controller, Get, Query, Req } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal } from '../auth/current-principal.decorator';
import type { Principal } from '../auth/principal';
import type { GatewayRequest } from '../auth/request-context';
import { GatewayError } from '../errors';
import { LimitedPerPrincipal } from '../rate-limit/principal-rate-limit.guard';
import { AuditedAction, RequirePermission } from '../rbac/require-permission.decorator';
import { MAX_PAGE_SIZE } from './audit-query';
import { AuditService } from './audit.service';
import {
  AUDIT_ACTIONS,
  AUDIT_DECISIONS,
  AUDIT_OUTCOMES,
  type AuditFilter,
  type AuditPage,
} from './audit.types';
import { AuditEventPageDto } from './dto/audit-event-page.dto';

const FILTER_PARAMS = [
  'sessionId',
  'actor',
  'action',
  'outcome',
  'decision',
  'since',
  'until',
] as const;
const PARAMS: readonly string[] = [...FILTER_PARAMS, 'limit', 'cursor'];

function bad(field: string, detail: string): GatewayError {
  const message = `Invalid ${field}: ${detail}`;
  return new GatewayError('BAD_USER_INPUT', message, { field, detail: message });
}

/** REST reading of the audit log; validation and the read's own record live in AuditService. */
@ApiTags('audit')
@Controller('api/v1/audit-events')
export class AuditController {
  constructor(private readonly audit: AuditService) {}

  @Get()
  @RequirePermission('audit:read')
  @AuditedAction('audit.read')
  @LimitedPerPrincipal('reads')
  @ApiOperation({ summary: 'Audit records, newest first (this read is itself recorded)' })
  @ApiQuery({ name: 'sessionId', required: false })
  @ApiQuery({ name: 'actor', required: false, description: 'Actor id or name, exactly' })
  @ApiQuery({ name: 'action', required: false, enum: AUDIT_ACTIONS })
  @ApiQuery({ name: 'outcome', required: false, enum: [...AUDIT_OUTCOMES, 'pending'] })
  @ApiQuery({ name: 'decision', required: false, enum: AUDIT_DECISIONS })
  @ApiQuery({ name: 'since', required: false, description: 'ISO 8601; records at or after' })
  @ApiQuery({ name: 'until', required: false, description: 'ISO 8601; records strictly before' })
  @ApiQuery({
    name: 'limit',
    required: false,
    type: Number,
    description: `1 to ${MAX_PAGE_SIZE}, default 50`,
  })
  @ApiQuery({ name: 'cursor', required: false, description: 'nextCursor of the previous page' })
  @ApiOkResponse({ type: AuditEventPageDto })
  async list(
    @Query() query: Record<string, unknown>,
    @CurrentPrincipal() principal: Principal,
    @Req() req: GatewayRequest,
  ): Promise<AuditPage> {
    const reader = { principal, channel: 'rest' as const, requestId: req.requestId };
    let params: ReturnType<typeof parseParams>;
    try {
      params = parseParams(query);
    } catch (err) {
      await this.audit.recordInvalidRead(reader, err);
      throw err;
    }
    return this.audit.readEvents(reader, params.filter, params.limit, params.cursor, {
      first: 'limit',
      after: 'cursor',
    });
  }
}

function parseParams(query: Record<string, unknown>): {
  filter: AuditFilter;
  limit: number;
  cursor?: string;
} {
  const values: Record<string, string> = {};
  for (const [key, value] of Object.entries(query)) {
    if (!PARAMS.includes(key)) throw bad(key, 'is not a known query parameter');
    if (typeof value !== 'string') throw bad(key, 'must be given once, as a plain value');
    values[key] = value;
  }
  const filter: Record<string, string> = {};
  for (const name of FILTER_PARAMS) if (values[name] !== undefined) filter[name] = values[name];
  let limit = 50;
  if (values.limit !== undefined) {
    // Range checked by the service; here only "is it a whole number at all".
    limit = /^\d{1,6}$/.test(values.limit) ? Number(values.limit) : NaN;
  }
  return { filter, limit, cursor: values.cursor };
}
