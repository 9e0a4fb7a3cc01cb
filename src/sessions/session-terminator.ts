import { Inject, Injectable } from '@nestjs/common';
import type { AuditBase } from '../audit/operations/call-context';
import { OperationAudit } from '../audit/operations/operation-audit';
import { type ErrorCode, type GatewayError, toGatewayError } from '../errors';
import { PamCoreClient } from '../pam-core';
import { SESSIONS_OPTIONS, type SessionsOptions } from './sessions.options';

/** What a lookup after a drop saw; recorded in the audit outcome as `details.verification`. */
export type Observation =
  | { by: 'lookup'; observed: 'ended'; end: string | null }
  | { by: 'lookup'; observed: 'active' | 'absent' }
  | { by: 'lookup'; observed: 'lookup-failed'; code: ErrorCode };

export interface Dropped {
  terminated: true;
  message: string | null;
  auditEventId: string;
  /** Segura refused the drop, and a lookup showed the session had already ended. */
  alreadyEnded: boolean;
  /** A lookup after the drop (or after a timeout) showed the session ended. */
  verified: boolean;
}

export type ForwardResult =
  { ok: true; value: Dropped } | { ok: false; error: GatewayError; auditEventId?: string };

/**
 * One drop, as docs/api.md orders it: audit intent (fail closed), forward, look, audit outcome.
 * After TERMINATION_FAILED or UPSTREAM_TIMEOUT the session is looked up once: if Segura shows
 * it ended, the answer is `terminated: true` (alreadyEnded or verified). The audit outcome
 * keeps what the drop itself answered (failed/unknown, code, upstream) and adds the
 * observation, so both facts stay visible.
 */
@Injectable()
export class SessionTerminator {
  constructor(
    private readonly pamCore: PamCoreClient,
    private readonly audit: OperationAudit,
    @Inject(SESSIONS_OPTIONS) private readonly options: SessionsOptions,
  ) {}

  async forward(base: AuditBase, sessionId: string, parentId?: string): Promise<ForwardResult> {
    let intentId: string;
    try {
      const intent = await this.audit.intent({ ...base, sessionId, parentId, decision: 'allowed' });
      intentId = intent.id;
    } catch (err) {
      return { ok: false, error: toGatewayError(err) };
    }
    try {
      const result = await this.pamCore.terminateSession(sessionId);
      const verification = this.options.verifyAfterSuccess
        ? await this.observe(sessionId)
        : undefined;
      await this.audit.close(intentId, {
        outcome: 'succeeded',
        upstream: {
          status: result.upstreamStatus,
          message: result.message,
          durationMs: result.durationMs,
        },
        details: verification ? { verification } : undefined,
      });
      const value: Dropped = {
        terminated: true,
        message: result.message,
        auditEventId: intentId,
        alreadyEnded: false,
        verified: verification?.observed === 'ended',
      };
      return { ok: true, value };
    } catch (err) {
      const gw = toGatewayError(err);
      const verification =
        gw.code === 'TERMINATION_FAILED' || gw.code === 'UPSTREAM_TIMEOUT'
          ? await this.observe(sessionId)
          : undefined;
      const ended = verification?.observed === 'ended';
      const answered = ended
        ? gw.code === 'TERMINATION_FAILED'
          ? 'alreadyEnded'
          : 'verified'
        : undefined;
      await this.audit.close(intentId, {
        outcome: gw.outcomeUnknown ? 'unknown' : 'failed',
        errorCode: gw.code,
        upstream: gw.upstream,
        details: verification ? { verification, answered } : undefined,
      });
      if (!ended) return { ok: false, error: gw, auditEventId: intentId };
      const value: Dropped = {
        terminated: true,
        message: gw.upstream?.message ?? null,
        auditEventId: intentId,
        alreadyEnded: answered === 'alreadyEnded',
        verified: answered === 'verified',
      };
      return { ok: true, value };
    }
  }

  /** One lookup; never throws (a failed lookup is itself an observation). */
  private async observe(sessionId: string): Promise<Observation> {
    try {
      const s = await this.pamCore.getSession(sessionId);
      if (!s) return { by: 'lookup', observed: 'absent' };
      return s.active
        ? { by: 'lookup', observed: 'active' }
        : { by: 'lookup', observed: 'ended', end: s.end };
    } catch (err) {
      return { by: 'lookup', observed: 'lookup-failed', code: toGatewayError(err).code };
    }
  }
}
