import { Inject, Injectable } from '@nestjs/common';
import type { OperationRun } from '../audit/operations/audited-operations';
import type { AuditBase, CallContext } from '../audit/operations/call-context';
import { OperationAudit } from '../audit/operations/operation-audit';
import { APP_CONFIG, AppConfig } from '../config';
import { GatewayError } from '../errors';
import type { RemoteSession } from '../pam-core';
import { RbacService } from '../rbac/rbac.service';
import type { SessionScope } from '../rbac/session-scope';
import { fingerprintOf, IdempotencyService } from './idempotency.service';
import type {
  BulkTerminationResult,
  TerminateSessionsPayload,
} from './models/terminate-sessions.payload';
import { SessionListCache } from './session-list.cache';
import { compileFilter } from './session-query';
import { type ForwardResult, SessionTerminator } from './session-terminator';
import { SESSIONS_OPTIONS, type SessionsOptions } from './sessions.options';
import type { BulkInput } from './sessions.types';

/** Session ids listed in a parent audit record; the children records name every one anyway. */
const MAX_IDS_IN_PARENT = 500;

/**
 * "End everything admin-x has open": one parent audit record for the request, then each
 * session through the single-termination path (its own record, parentId = the parent's id),
 * BULK_CONCURRENCY at a time. Dry runs and real runs choose the set the same way, from a list
 * fetched for the request: active, matching the filter, within the caller's scope, at most the
 * policy's bulkMax unless the caller holds session:terminate:bulk.
 */
@Injectable()
export class BulkTermination {
  private readonly concurrency: number;

  constructor(
    private readonly cache: SessionListCache,
    private readonly terminator: SessionTerminator,
    private readonly audit: OperationAudit,
    private readonly rbac: RbacService,
    private readonly idempotency: IdempotencyService,
    @Inject(APP_CONFIG) config: Pick<AppConfig, 'sessions'>,
    @Inject(SESSIONS_OPTIONS) private readonly options: SessionsOptions,
  ) {
    this.concurrency = config.sessions.bulkConcurrency;
  }

  async run(run: OperationRun<BulkInput>): Promise<TerminateSessionsPayload> {
    const { ctx, input, base, scope } = run;
    const { filter, all, dryRun } = input;
    const fingerprint = () =>
      fingerprintOf({
        op: 'terminateSessions',
        filter,
        all,
        dryRun,
        reason: input.reason ?? null,
      });
    return this.idempotency.run(ctx.principal, input.idempotencyKey, fingerprint, () =>
      this.execute(ctx, base, input, scope),
    );
  }

  private async execute(
    ctx: CallContext,
    base: AuditBase,
    input: BulkInput,
    scope: SessionScope,
  ): Promise<Omit<TerminateSessionsPayload, 'replayed'>> {
    const described = { filter: input.filter, all: input.all, dryRun: input.dryRun };
    const snapshot = await this.audit.orRecordFailure(
      { ...base, decision: 'allowed', details: { ...described, stage: 'list' } },
      () => this.cache.fresh(),
    );
    const matches = compileFilter(input.filter);
    // The cache keeps the list in listing order, so results come newest first.
    const targets = snapshot.sessions.filter((s) => s.active && matches(s) && scope.allows(s));
    const ids = targets.map((s) => s.sessionId);
    const details = {
      ...described,
      matched: targets.length,
      sessionIds: ids.slice(0, MAX_IDS_IN_PARENT),
      sessionIdsTruncated: ids.length > MAX_IDS_IN_PARENT || undefined,
    };
    const bulkMax = this.options.bulkMax;
    if (targets.length > bulkMax && !this.rbac.can(ctx.principal, 'session:terminate:bulk')) {
      const refusal = new GatewayError('FORBIDDEN', 'Too many sessions for one request', {
        detail:
          `${targets.length} sessions match; the policy allows at most ${bulkMax} per request ` +
          'without the session:terminate:bulk permission. Narrow the filter.',
      });
      throw await this.audit.denied(base, { ...details, bulkMax }, refusal);
    }
    const fetchedAt = new Date(snapshot.fetchedAt).toISOString();
    if (input.dryRun) {
      const record = await this.audit.completed(
        { ...base, decision: 'allowed', details },
        { outcome: 'succeeded', details: { matched: targets.length } },
      );
      const results = targets.map((s) => toResult(s, null));
      return payload(true, results, record.id, fetchedAt, ctx.requestId);
    }

    // Fail closed: no parent record, nothing forwarded.
    const parent = await this.audit.intent({ ...base, decision: 'allowed', details });
    const child: AuditBase = { ...base, action: 'session.terminate' };
    const results = await mapBounded(targets, this.concurrency, async (s) =>
      toResult(s, await this.terminator.forward(child, s.sessionId, parent.id)),
    );
    const done = results.filter((r) => r.terminated).length;
    const unknown = results.filter((r) => r.code === 'UPSTREAM_TIMEOUT').length;
    const failed = results.length - done;
    await this.audit.close(parent.id, {
      outcome: failed === 0 ? 'succeeded' : unknown > 0 ? 'unknown' : 'failed',
      details: { terminated: done, failed, unknown },
    });
    return payload(false, results, parent.id, fetchedAt, ctx.requestId);
  }
}

function toResult(session: RemoteSession, r: ForwardResult | null): BulkTerminationResult {
  const common = { sessionId: session.sessionId, session };
  if (r === null) {
    return {
      ...common,
      terminated: false,
      alreadyEnded: false,
      verified: false,
      code: null,
      message: null,
      auditEventId: null,
    };
  }
  if (r.ok) return { ...common, ...r.value, code: null };
  return {
    ...common,
    terminated: false,
    alreadyEnded: false,
    verified: false,
    code: r.error.code,
    message: r.error.detail ?? r.error.message,
    auditEventId: r.auditEventId ?? null,
  };
}

function payload(
  dryRun: boolean,
  results: BulkTerminationResult[],
  auditEventId: string,
  fetchedAt: string,
  requestId: string,
): Omit<TerminateSessionsPayload, 'replayed'> {
  const terminatedCount = results.filter((r) => r.terminated).length;
  return {
    dryRun,
    matched: results.length,
    terminatedCount,
    failedCount: dryRun ? 0 : results.length - terminatedCount,
    results,
    auditEventId,
    fetchedAt,
    requestId,
  };
}

/** Runs `fn` over `items` with at most `limit` in flight; results keep the items' order. */
async function mapBounded<T, R>(items: T[], limit: number, fn: (item: T) => Promise<R>) {
  const out = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}
