import {
  CanActivate,
  ExecutionContext,
  Inject,
  Injectable,
  Logger,
  Optional,
} from '@nestjs/common';
import { ModuleRef, Reflector } from '@nestjs/core';
import { GqlExecutionContext } from '@nestjs/graphql';
import { recordableText } from '../audit/audit-text';
import type { AuditAction } from '../audit/audit.types';
import { IS_PUBLIC_KEY } from '../auth/public.decorator';
import {
  type Channel,
  type GatewayRequest,
  getChannel,
  getHttpRequest,
} from '../auth/request-context';
import { GatewayError } from '../errors';
import { DENIED_ATTEMPT_RECORDER, type DeniedAttemptRecorder } from './denied-attempt';
import type { Permission } from './permission';
import { RbacService } from './rbac.service';
import {
  AUDITED_ACTION_KEY,
  AUTHENTICATED_KEY,
  PERMISSION_KEY,
} from './require-permission.decorator';

/**
 * Second global guard (after AuthGuard), for REST and GraphQL alike: a route needs the
 * permission its @RequirePermission names, or only a caller for @Authenticated. A non-public
 * route that says neither is denied, so a forgotten decorator closes a route instead of opening
 * it.
 */
@Injectable()
export class RbacGuard implements CanActivate {
  private readonly logger = new Logger(RbacGuard.name);
  private recorderLookedUp = false;

  constructor(
    private readonly reflector: Reflector,
    private readonly rbac: RbacService,
    private readonly moduleRef: ModuleRef,
    @Optional() @Inject(DENIED_ATTEMPT_RECORDER) private recorder?: DeniedAttemptRecorder,
  ) {}

  async canActivate(ctx: ExecutionContext): Promise<boolean> {
    const targets = [ctx.getHandler(), ctx.getClass()];
    if (this.reflector.getAllAndOverride<boolean | undefined>(IS_PUBLIC_KEY, targets)) return true;

    const permission = this.reflector.getAllAndOverride<Permission | undefined>(
      PERMISSION_KEY,
      targets,
    );
    const anyCaller = this.reflector.getAllAndOverride<boolean | undefined>(
      AUTHENTICATED_KEY,
      targets,
    );
    if (!permission && !anyCaller) {
      this.logger.error(
        `${ctx.getClass().name}.${ctx.getHandler().name} declares no @RequirePermission and is not @Public(); denied`,
      );
      throw forbidden();
    }
    const req = getHttpRequest(ctx) as GatewayRequest | undefined;
    const principal = req?.principal;
    if (!req || !principal) {
      // AuthGuard runs first and sets the principal; getting here means it is not registered.
      this.logger.error(
        'no principal on a protected route: is AuthGuard registered before RbacGuard?',
      );
      throw new GatewayError('UNAUTHENTICATED', 'Authentication required');
    }
    if (!permission || this.rbac.can(principal, permission)) return true;

    const channel = getChannel(ctx);
    this.logger.warn(
      `denied ${principal.kind} ${recordableText(principal.id)} (roles: ${recordableText(principal.roles.join(',')) || 'none'}) ` +
        `${permission} on ${channel} (requestId=${req.requestId})`,
    );
    const action = this.reflector.getAllAndOverride<AuditAction | undefined>(
      AUDITED_ACTION_KEY,
      targets,
    );
    if (action) await this.recordDenied(ctx, req, channel, action);
    throw forbidden();
  }

  private async recordDenied(
    ctx: ExecutionContext,
    req: GatewayRequest,
    channel: Channel,
    action: AuditAction,
  ): Promise<void> {
    const recorder = this.deniedAttemptRecorder();
    if (!recorder || !req.principal) return;
    const { id, reason } = targetOf(ctx, req, channel);
    try {
      await recorder.recordDenied({
        principal: req.principal,
        channel,
        requestId: req.requestId,
        action,
        sessionId: id,
        reason,
      });
    } catch (err) {
      // The caller is denied either way; a recorder failure must not turn 403 into 500.
      this.logger.error(
        `could not record denied ${action} (requestId=${req.requestId})`,
        err instanceof Error ? err.stack : String(err),
      );
    }
  }

  /**
   * The recorder lives in whichever module owns the audit log; when it is not visible to this
   * module's injector, find it once across the application.
   */
  private deniedAttemptRecorder(): DeniedAttemptRecorder | undefined {
    if (!this.recorder && !this.recorderLookedUp) {
      this.recorderLookedUp = true;
      try {
        this.recorder = this.moduleRef.get<DeniedAttemptRecorder>(DENIED_ATTEMPT_RECORDER, {
          strict: false,
        });
      } catch {
        this.recorder = undefined;
      }
    }
    return this.recorder;
  }
}

function forbidden(): GatewayError {
  return new GatewayError('FORBIDDEN', 'Forbidden');
}

/** Target session id and reason as the caller sent them: REST params/body or GraphQL args. */
function targetOf(
  ctx: ExecutionContext,
  req: GatewayRequest,
  channel: Channel,
): { id?: string; reason?: string } {
  let source: { id?: unknown; reason?: unknown };
  switch (channel) {
    case 'graphql':
      source = GqlExecutionContext.create(ctx).getArgs<{ id?: unknown; reason?: unknown }>();
      break;
    case 'rest': {
      const body: unknown = req.body;
      source = {
        id: (req.params as Record<string, unknown> | undefined)?.id,
        reason:
          body !== null && typeof body === 'object'
            ? (body as { reason?: unknown }).reason
            : undefined,
      };
      break;
    }
  }
  return {
    id: typeof source.id === 'string' ? source.id : undefined,
    reason: typeof source.reason === 'string' ? source.reason : undefined,
  };
}
