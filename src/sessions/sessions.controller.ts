import { Body, Controller, Get, Headers, HttpCode, Param, Post, Query, Req } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiBody,
  ApiHeader,
  ApiOkResponse,
  ApiOperation,
  ApiParam,
  ApiSecurity,
  ApiTags,
} from '@nestjs/swagger';
import type { CallContext } from '../audit/operations/call-context';
import { CurrentPrincipal } from '../auth/current-principal.decorator';
import type { Principal } from '../auth/principal';
import type { GatewayRequest } from '../auth/request-context';
import { ApiProblemResponses } from '../observability/api-problem.decorator';
import { SESSION_ID_PATTERN } from '../pam-core';
import { IpRateLimited } from '../rate-limit/ip-rate-limit.guard';
import { LimitedPerPrincipal } from '../rate-limit/principal-rate-limit.guard';
import { AuditedAction, RequirePermission } from '../rbac/require-permission.decorator';
import { ListSessionsQuery } from './dto/list-sessions.args';
import { TerminateSessionBody } from './dto/terminate-session.body';
import { TerminateSessionsBody } from './dto/terminate-sessions.body';
import { RemoteSessionPageDto } from './models/remote-session-connection.model';
import { RemoteSessionModel } from './models/remote-session.model';
import { TerminateSessionPayload } from './models/terminate-session.payload';
import { TerminateSessionsPayload } from './models/terminate-sessions.payload';
import { SessionsService } from './sessions.service';

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

/**
 * REST translation only. Parameters are typed with the input classes for the OpenAPI
 * document, but hold what the caller sent: the audited pipeline validates them, so that an
 * invalid request is recorded too.
 */
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
  @ApiOperation({
    operationId: 'listSessions',
    summary: 'Remote sessions in Segura, newest first (cached, see stale)',
  })
  @ApiOkResponse({ type: RemoteSessionPageDto })
  @ApiProblemResponses(400, 401, 403, 429, 502, 503, 504)
  async list(
    @Query() query: ListSessionsQuery,
    @CurrentPrincipal() principal: Principal,
    @Req() req: GatewayRequest,
  ): Promise<RemoteSessionPageDto> {
    const { sessions, ...page } = await this.sessions.list(ctxOf(principal, req), query);
    return { items: sessions, ...page };
  }

  @Post('terminate')
  @HttpCode(200)
  @RequirePermission('session:terminate')
  @AuditedAction('session.terminate.bulk')
  @IpRateLimited()
  @LimitedPerPrincipal('terminations')
  @ApiOperation({
    operationId: 'terminateSessions',
    summary: 'End every active session matching a filter (or list them: dryRun)',
  })
  @ApiHeader(IDEMPOTENCY_HEADER)
  @ApiBody({ type: TerminateSessionsBody })
  @ApiOkResponse({ type: TerminateSessionsPayload })
  @ApiProblemResponses(400, 401, 403, 422, 429, 502, 503, 504)
  terminateMany(
    @Body() body: TerminateSessionsBody,
    @Headers('idempotency-key') idempotencyKey: string | undefined,
    @CurrentPrincipal() principal: Principal,
    @Req() req: GatewayRequest,
  ): Promise<TerminateSessionsPayload> {
    return this.sessions.terminateMany(ctxOf(principal, req), { body, idempotencyKey });
  }

  @Get(':id')
  @RequirePermission('session:read')
  @AuditedAction('session.read')
  @LimitedPerPrincipal('reads')
  @ApiOperation({ operationId: 'getSession', summary: 'One remote session, straight from Segura' })
  @ApiParam({ name: 'id', description: "Segura's session id" })
  @ApiOkResponse({ type: RemoteSessionModel })
  @ApiProblemResponses(400, 401, 403, 404, 429, 502, 503, 504)
  get(
    @Param('id') id: string,
    @CurrentPrincipal() principal: Principal,
    @Req() req: GatewayRequest,
  ): Promise<RemoteSessionModel> {
    return this.sessions.get(ctxOf(principal, req), { id });
  }

  @Post(':id/terminate')
  @HttpCode(200)
  @RequirePermission('session:terminate')
  @AuditedAction('session.terminate')
  @IpRateLimited()
  @LimitedPerPrincipal('terminations')
  @ApiOperation({
    operationId: 'terminateSession',
    summary: 'Terminate a live remote session in Segura PAM Core',
  })
  @ApiParam({
    name: 'id',
    description: `Segura's session id (pattern ${SESSION_ID_PATTERN.source})`,
  })
  @ApiHeader(IDEMPOTENCY_HEADER)
  @ApiBody({ type: TerminateSessionBody, required: false })
  @ApiOkResponse({ type: TerminateSessionPayload })
  @ApiProblemResponses(400, 401, 403, 404, 409, 422, 429, 502, 503, 504)
  terminate(
    @Param('id') id: string,
    @Body() body: TerminateSessionBody | undefined,
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
