import { Inject, Injectable, Optional } from '@nestjs/common';
import type { Principal } from '../auth/principal';
import type { Channel } from '../auth/request-context';
import { GatewayError, toGatewayError } from '../errors';
import { MetricsService } from '../observability/metrics.service';
import { PamCoreClient, type RemoteSession } from '../pam-core';
import { RbacService } from '../rbac/rbac.service';
import type { SessionScope } from '../rbac/session-scope';
import type { BulkRequest } from './bulk-input';
import { BulkTermination } from './bulk-termination';
import { fingerprintOf, IdempotencyService, parseIdempotencyKey } from './idempotency.service';
import type { TerminateSessionPayload } from './models/terminate-session.payload';
import type { TerminateSessionsPayload } from './models/terminate-sessions.payload';
import { actorOf } from '../audit/audit.options';
import { SessionAudit } from './session-audit';
import type { PageNames } from './session-query';
import { type ListRequest, SessionReader, type SessionPage } from './session-reader';
import { type AuditBase, SessionTerminator } from './session-terminator';
import { SESSIONS_OPTIONS, type SessionsOptions } from './sessions.options';
import { parseTerminateBody, parseTerminateInput, type TerminateInput } from './terminate-input';
import { recordable } from '../audit/audit-text';

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
  /** REST: the Idempotency-Key header; GraphQL: the idempotencyKey argument. */
  idempotencyKey?: unknown;
}

type Operation = 'terminate' | 'terminate-bulk' | 'list' | 'get';

/**
 * The feature: validate, decide, record, forward, record. Both channels call this, so the
 * same request gets the same decision, audit facts and error code in either.
 */
@Injectable()
export class SessionsService {
  constructor(
    private readonly pamCore: PamCoreClient,
    private readonly audit: SessionAudit,
    private readonly rbac: RbacService,
    private readonly terminator: SessionTerminator,
    private readonly idempotency: IdempotencyService,
    private readonly bulk: BulkTermination,
    private readonly reader: SessionReader,
    @Inject(SESSIONS_OPTIONS) private readonly options: SessionsOptions,
    @Optional() private readonly metrics?: MetricsService,
  ) {}

  terminate(ctx: CallContext, request: TerminateRequest): Promise<TerminateSessionPayload> {
    return this.measured(ctx, 'terminate', () => this.terminateOnce(ctx, request));
  }

  /**
   * Bulk termination. Counts as one request against the caller's rate limit (counted by
   * PrincipalRateLimitGuard before anything else): the policy's bulkMax bounds how much one
   * request can do.
   */
  terminateMany(ctx: CallContext, request: BulkRequest): Promise<TerminateSessionsPayload> {
    return this.measured(ctx, 'terminate-bulk', () => this.bulk.run(ctx, request));
  }

  list(ctx: CallContext, request: ListRequest, names: PageNames): Promise<SessionPage> {
    return this.measured(ctx, 'list', () => this.reader.list(ctx, request, names));
  }

  get(ctx: CallContext, id: unknown): Promise<RemoteSession> {
    return this.measured(ctx, 'get', () => this.reader.get(ctx, id));
  }

  private async terminateOnce(
    ctx: CallContext,
    request: TerminateRequest,
  ): Promise<TerminateSessionPayload> {
    const base: AuditBase & { sessionId?: string } = {
      requestId: ctx.requestId,
      channel: ctx.channel,
      actor: actorOf(ctx.principal),
      action: 'session.terminate',
      // As given, valid or not: the audit log makes every recorded text printable and bounded.
      sessionId: recordable(request.id, 'sessionId'),
      idempotencyKey: recordable(request.idempotencyKey, 'idempotencyKey'),
    };

    let input: TerminateInput;
    let key: string | undefined;
    try {
      const reason =
        request.body !== undefined ? parseTerminateBody(request.body).reason : request.reason;
      base.reason = recordable(reason, 'reason');
      input = parseTerminateInput(request.id, reason, this.options.requireReason);
      key = parseIdempotencyKey(request.idempotencyKey);
    } catch (err) {
      throw await this.audit.invalid(base, err);
    }
    base.reason = input.reason;
    const { sessionId } = input;

    const scope = this.rbac.scopeOf(ctx.principal, 'session:terminate');
    if (!scope.any) {
      await this.audit.rejection({ ...base, decision: 'denied', errorCode: 'FORBIDDEN' });
      throw new GatewayError('FORBIDDEN', 'Forbidden');
    }
    const fingerprint = fingerprintOf({
      op: 'terminateSession',
      sessionId,
      reason: input.reason ?? null,
    });
    return this.idempotency.run(ctx.principal, key, fingerprint, async () => {
      // Inside the idempotent part: a replay must not even look the session up.
      if (!scope.unrestricted) await this.checkScope(base, sessionId, scope);
      const r = await this.terminator.forward(base, sessionId);
      if (!r.ok) throw r.error;
      const { terminated, message, auditEventId, alreadyEnded, verified } = r.value;
      return {
        sessionId,
        terminated,
        message,
        auditEventId,
        requestId: ctx.requestId,
        alreadyEnded,
        verified,
      };
    });
  }

  /**
   * A scoped caller: the session is looked up first. Out of scope: FORBIDDEN, recorded as a
   * denial. Unknown to Segura: SESSION_NOT_FOUND, as an unscoped caller would get from the
   * drop (ids are unguessable hashes, so telling the two apart reveals little).
   */
  private async checkScope(base: AuditBase, sessionId: string, scope: SessionScope) {
    try {
      const session = await this.pamCore.getSession(sessionId);
      if (!session) throw new GatewayError('SESSION_NOT_FOUND', 'Session not found');
      if (scope.allows(session)) return;
    } catch (err) {
      const gw = toGatewayError(err);
      await this.audit.recordFailure(
        { ...base, sessionId, decision: 'allowed', details: { stage: 'scope-lookup' } },
        gw,
      );
      throw gw;
    }
    await this.audit.rejection({
      ...base,
      sessionId,
      decision: 'denied',
      errorCode: 'FORBIDDEN',
      details: { scope: 'out-of-scope' },
    });
    throw new GatewayError('FORBIDDEN', 'Forbidden', {
      detail: 'This session is outside the scope of your permissions',
    });
  }

  private async measured<T>(ctx: CallContext, op: Operation, run: () => Promise<T>): Promise<T> {
    try {
      const result = await run();
      this.metrics?.request(ctx.channel, op, 'OK');
      return result;
    } catch (err) {
      const gw = toGatewayError(err);
      this.metrics?.request(ctx.channel, op, gw.code, gw);
      throw gw;
    }
  }
}
