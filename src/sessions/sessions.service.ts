import { Injectable, Logger, Optional } from '@nestjs/common';
import type { AuditActor, AuditIntent } from '../audit/audit.types';
import { AuditService } from '../audit/audit.service';
import type { Principal } from '../auth/principal';
import type { Channel } from '../auth/request-context';
import { GatewayError, toGatewayError } from '../errors';
import { MetricsService } from '../observability/metrics.service';
import { PamCoreClient } from '../pam-core';
import { RateLimitService } from '../rate-limit/rate-limit.service';
import { RbacService } from '../rbac/rbac.service';
import type { TerminateSessionPayload } from './models/terminate-session.payload';
import { parseTerminateBody, parseTerminateInput, printableForAudit } from './terminate-input';

/** Who asked, over which channel, under which request id. */
export interface CallContext {
  principal: Principal;
  channel: Channel;
  requestId: string;
}

/** A termination as either channel received it, before validation. */
export interface TerminateRequest {
  id: unknown;
  /** GraphQL: the `reason` argument. */
  reason?: unknown;
  /** REST: the raw JSON body (validated here so invalid bodies are audited too). */
  body?: unknown;
}

export function actorOf(p: Principal): AuditActor {
  return { id: p.id, kind: p.kind, name: p.name, roles: p.roles, ip: p.ip, userAgent: p.userAgent };
}

/**
 * The feature: validate, decide, record, forward, record. Both channels call this, so the
 * same request gets the same decision, audit facts and error code in either.
 */
@Injectable()
export class SessionsService {
  private readonly logger = new Logger('Sessions');

  constructor(
    private readonly pamCore: PamCoreClient,
    private readonly audit: AuditService,
    private readonly rbac: RbacService,
    private readonly limits: RateLimitService,
    @Optional() private readonly metrics?: MetricsService,
  ) {}

  async terminate(ctx: CallContext, request: TerminateRequest): Promise<TerminateSessionPayload> {
    try {
      const payload = await this.terminateOnce(ctx, request);
      this.metrics?.request(ctx.channel, 'terminate', 'OK');
      return payload;
    } catch (err) {
      const gw = toGatewayError(err);
      this.metrics?.request(ctx.channel, 'terminate', gw.code);
      throw gw;
    }
  }

  private async terminateOnce(
    ctx: CallContext,
    request: TerminateRequest,
  ): Promise<TerminateSessionPayload> {
    // Before any work (and any audit write): a flooding caller cannot fill the audit log.
    await this.limits.consume('principal', `${ctx.principal.kind}:${ctx.principal.id}`);
    const base: Omit<AuditIntent, 'decision'> = {
      requestId: ctx.requestId,
      channel: ctx.channel,
      actor: actorOf(ctx.principal),
      action: 'session.terminate',
      sessionId: printableForAudit(request.id, 128),
    };

    let input;
    try {
      const reason =
        request.body !== undefined ? parseTerminateBody(request.body).reason : request.reason;
      base.reason = printableForAudit(reason, 500);
      input = parseTerminateInput(request.id, reason, this.rbac.options.requireReason);
    } catch (err) {
      const gw = toGatewayError(err);
      await this.recordRejection({
        ...base,
        decision: 'invalid',
        errorCode: gw.code,
        details: { field: gw.field },
      });
      throw gw;
    }
    base.reason = input.reason;

    if (!this.rbac.can(ctx.principal, 'session:terminate', { sessionId: input.sessionId })) {
      await this.recordRejection({ ...base, decision: 'denied', errorCode: 'FORBIDDEN' });
      throw new GatewayError('FORBIDDEN', 'Forbidden');
    }

    // Fail closed: recordIntent throws AUDIT_UNAVAILABLE and nothing is forwarded.
    const intent = await this.timed('intent', () =>
      this.audit.recordIntent({ ...base, decision: 'allowed' }),
    );
    try {
      const result = await this.pamCore.terminateSession(input.sessionId);
      await this.closeIntent(intent.id, {
        outcome: 'succeeded',
        upstream: {
          status: result.upstreamStatus,
          message: result.message,
          durationMs: result.durationMs,
        },
      });
      return {
        sessionId: input.sessionId,
        terminated: true,
        message: result.message,
        auditEventId: intent.id,
        requestId: ctx.requestId,
      };
    } catch (err) {
      const gw = toGatewayError(err);
      await this.closeIntent(intent.id, {
        outcome: gw.outcomeUnknown ? 'unknown' : 'failed',
        errorCode: gw.code,
        upstream: gw.upstream,
      });
      throw gw;
    }
  }

  /** Denied and invalid attempts are recorded; a failure to record them is logged, not hidden. */
  private async recordRejection(intent: AuditIntent): Promise<void> {
    try {
      await this.timed('rejection', () => this.audit.recordIntent(intent));
    } catch (err) {
      this.logger.error(
        {
          requestId: intent.requestId,
          decision: intent.decision,
          err: toGatewayError(err).message,
        },
        'could not record a rejected termination attempt',
      );
    }
  }

  /** The upstream call already happened: a failed outcome write must not change the answer. */
  private async closeIntent(
    id: string,
    update: Parameters<AuditService['recordOutcome']>[1],
  ): Promise<void> {
    try {
      await this.timed('outcome', () => this.audit.recordOutcome(id, update));
    } catch (err) {
      this.logger.error(
        { auditEventId: id, outcome: update.outcome, err: toGatewayError(err).message },
        'could not record the outcome of a termination; the intent will be closed as unknown at next start',
      );
    }
  }

  private async timed<T>(
    kind: 'intent' | 'outcome' | 'rejection',
    write: () => Promise<T>,
  ): Promise<T> {
    const started = performance.now();
    try {
      const result = await write();
      this.metrics?.auditWrite(kind, true, (performance.now() - started) / 1000);
      return result;
    } catch (err) {
      this.metrics?.auditWrite(kind, false, (performance.now() - started) / 1000);
      throw err;
    }
  }
}
