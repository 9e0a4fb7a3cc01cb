import { Body, Controller, Get, Headers, HttpCode, Param, Post, Query, Req } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiBody,
  ApiHeader,
  ApiOkResponse,
  ApiOperation,
  ApiParam,
  ApiQuery,
  ApiSecurity,
  ApiTags,
} from '@nestjs/swagger';
import { CurrentPrincipal } from '../auth/current-principal.decorator';
import type { Principal } from '../auth/principal';
import type { GatewayRequest } from '../auth/request-context';
import { ApiProblemResponses } from '../observability/api-problem.decorator';
import { IpRateLimited } from '../rate-limit/ip-rate-limit.guard';
import { LimitedPerPrincipal } from '../rate-limit/principal-rate-limit.guard';
import { AuditedAction, RequirePermission } from '../rbac/require-permission.decorator';
import { TerminateSessionBody } from './dto/terminate-session.body';
import { TerminateSessionsBody } from './dto/terminate-sessions.body';
import { RemoteSessionPageDto } from './models/remote-session-connection.model';
import { RemoteSessionModel } from './models/remote-session.model';
import { TerminateSessionPayload } from './models/terminate-session.payload';
import { TerminateSessionsPayload } from './models/terminate-sessions.payload';
import { MAX_PAGE_SIZE } from './session-query';
import { type CallContext, SessionsService } from './sessions.service';

const IDEMPOTENCY_HEADER = {
  name: 'Idempotency-Key',
  required: false,
  description:
    'Repeating a key (same caller, within IDEMPOTENCY_TTL_HOURS, 24 h by default) returns the ' +
    'first answer without calling Segura; ' +
    'the same key with a different request is refused (422)',
};

function ctxOf(principal: Principal, req: GatewayRequest): CallContext {
  return { principal, channel: 'rest', requestId: req.requestId };
}

@ApiTags('sessions')
@ApiBearerAuth()
@ApiSecurity('api-key')
@Controller('api/v1/sessions')
export class SessionsController {
  constructor(private readonly sessions: SessionsService) {}

  @Get()
  @RequirePermission('session:read')
  @AuditedAction('session.read')
  @LimitedPerPrincipal('reads')
  @ApiOperation({ summary: 'Remote sessions in Segura, newest first (cached, see stale)' })
  @ApiQuery({ name: 'active', required: false, type: Boolean })
  @ApiQuery({ name: 'user', required: false, description: 'Glob pattern (* and ?)' })
  @ApiQuery({ name: 'device', required: false, description: 'Glob; host:port or host' })
  @ApiQuery({ name: 'protocol', required: false })
  @ApiQuery({ name: 'originIp', required: false })
  @ApiQuery({ name: 'credential', required: false })
  @ApiQuery({ name: 'startedAfter', required: false, description: 'YYYY-MM-DD[THH:MM[:SS]]' })
  @ApiQuery({ name: 'startedBefore', required: false })
  @ApiQuery({ name: 'limit', required: false, type: Number, description: `1 to ${MAX_PAGE_SIZE}` })
  @ApiQuery({ name: 'cursor', required: false, description: 'nextCursor of the previous page' })
  @ApiOkResponse({ type: RemoteSessionPageDto })
  @ApiProblemResponses(400, 401, 403, 502, 503, 504)
  async list(
    @Query() query: Record<string, unknown>,
    @CurrentPrincipal() principal: Principal,
    @Req() req: GatewayRequest,
  ): Promise<RemoteSessionPageDto> {
    const { sessions, ...page } = await this.sessions.list(
      ctxOf(principal, req),
      { query },
      { first: 'limit', after: 'cursor' },
    );
    return { items: sessions, ...page };
  }

  @Post('terminate')
  @HttpCode(200)
  @RequirePermission('session:terminate')
  @AuditedAction('session.terminate.bulk')
  @IpRateLimited()
  @LimitedPerPrincipal('terminations')
  @ApiOperation({ summary: 'End every active session matching a filter (or list them: dryRun)' })
  @ApiHeader(IDEMPOTENCY_HEADER)
  @ApiBody({ type: TerminateSessionsBody })
  @ApiOkResponse({ type: TerminateSessionsPayload })
  @ApiProblemResponses(400, 401, 403, 422, 429, 502, 503, 504)
  terminateMany(
    @Body() body: unknown,
    @Headers('idempotency-key') idempotencyKey: string | undefined,
    @CurrentPrincipal() principal: Principal,
    @Req() req: GatewayRequest,
  ): Promise<TerminateSessionsPayload> {
    return this.sessions.terminateMany(ctxOf(principal, req), {
      body: body ?? null,
      idempotencyKey,
    });
  }

  @Get(':id')
  @RequirePermission('session:read')
  @AuditedAction('session.read')
  @LimitedPerPrincipal('reads')
  @ApiOperation({ summary: 'One remote session, straight from Segura' })
  @ApiParam({ name: 'id', description: "Segura's session id" })
  @ApiOkResponse({ type: RemoteSessionModel })
  @ApiProblemResponses(400, 401, 403, 404, 502, 503, 504)
  get(
    @Param('id') id: string,
    @CurrentPrincipal() principal: Principal,
    @Req() req: GatewayRequest,
  ): Promise<RemoteSessionModel> {
    return this.sessions.get(ctxOf(principal, req), id);
  }

  @Post(':id/terminate')
  @HttpCode(200)
  @RequirePermission('session:terminate')
  @AuditedAction('session.terminate')
  @IpRateLimited()
  @LimitedPerPrincipal('terminations')
  @ApiOperation({ summary: 'Terminate a live remote session in Segura PAM Core' })
  @ApiParam({
    name: 'id',
    description: "Segura's session id (pattern ^[A-Za-z0-9][A-Za-z0-9_-]{0,127}$)",
  })
  @ApiHeader(IDEMPOTENCY_HEADER)
  @ApiBody({ type: TerminateSessionBody, required: false })
  @ApiOkResponse({ type: TerminateSessionPayload })
  @ApiProblemResponses(400, 401, 403, 404, 409, 422, 429, 502, 503, 504)
  terminate(
    @Param('id') id: string,
    @Body() body: unknown,
    @Headers('idempotency-key') idempotencyKey: string | undefined,
    @CurrentPrincipal() principal: Principal,
    @Req() req: GatewayRequest,
  ): Promise<TerminateSessionPayload> {
    // Set by routeEmptySessionId (app.factory.ts) before routing.
    const sessionId = (req.raw as { emptySessionId?: boolean }).emptySessionId ? '' : id;
    return this.sessions.terminate(ctxOf(principal, req), {
      id: sessionId,
      body,
      idempotencyKey,
    });
  }
}
