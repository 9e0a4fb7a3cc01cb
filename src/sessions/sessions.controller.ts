import { Body, Controller, HttpCode, Param, Post, Req } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiBody,
  ApiOkResponse,
  ApiOperation,
  ApiParam,
  ApiSecurity,
  ApiTags,
} from '@nestjs/swagger';
import { CurrentPrincipal } from '../auth/current-principal.decorator';
import type { Principal } from '../auth/principal';
import type { GatewayRequest } from '../auth/request-context';
import { ApiProblemResponses } from '../observability/api-problem.decorator';
import { IpRateLimited } from '../rate-limit/ip-rate-limit.guard';
import { AuditedAction, RequirePermission } from '../rbac/require-permission.decorator';
import { TerminateSessionBody } from './dto/terminate-session.body';
import { TerminateSessionPayload } from './models/terminate-session.payload';
import { SessionsService } from './sessions.service';

@ApiTags('sessions')
@ApiBearerAuth()
@ApiSecurity('api-key')
@Controller('api/v1/sessions')
export class SessionsController {
  constructor(private readonly sessions: SessionsService) {}

  @Post(':id/terminate')
  @HttpCode(200)
  @RequirePermission('session:terminate')
  @AuditedAction('session.terminate')
  @IpRateLimited()
  @ApiOperation({ summary: 'Terminate a live remote session in Segura PAM Core' })
  @ApiParam({
    name: 'id',
    description: "Segura's session id (pattern ^[A-Za-z0-9][A-Za-z0-9_-]{0,127}$)",
  })
  @ApiBody({ type: TerminateSessionBody, required: false })
  @ApiOkResponse({ type: TerminateSessionPayload })
  @ApiProblemResponses(400, 401, 403, 404, 409, 429, 502, 503, 504)
  terminate(
    @Param('id') id: string,
    @Body() body: unknown,
    @CurrentPrincipal() principal: Principal,
    @Req() req: GatewayRequest,
  ): Promise<TerminateSessionPayload> {
    const sessionId = (req as GatewayRequest & { emptySessionId?: boolean }).emptySessionId
      ? ''
      : id;
    return this.sessions.terminate(
      { principal, channel: 'rest', requestId: req.requestId },
      { id: sessionId, body },
    );
  }
}
