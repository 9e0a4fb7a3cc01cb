import { Injectable } from '@nestjs/common';
import type { OperationRun } from '../audit/operations/audited-operations';
import { OperationAudit } from '../audit/operations/operation-audit';
import { SessionListCache } from './session-list.cache';
import { filteredPage } from './session-match';
import { pageRequest } from './session-query';
import type { ListInput, SessionIdInput, SessionPage } from './sessions.types';

/**
 * Reading sessions: listings from the shared cache, single sessions straight from Segura.
 * A caller whose session:read is scoped sees only the sessions a rule matches. Every read is
 * recorded (action session.read), and like audit reads it fails closed: no record, no answer.
 */
@Injectable()
export class SessionReader {
  constructor(
    private readonly cache: SessionListCache,
    private readonly audit: OperationAudit,
  ) {}

  async list({ input, base, scope }: OperationRun<ListInput>): Promise<SessionPage> {
    const { filter, first, after } = input;
    const allowed = { ...base, decision: 'allowed' as const, details: { filter, first, after } };
    const snap = await this.audit.orRecordFailure(allowed, () => this.cache.read());
    const page = pageRequest(first, after);
    const { nodes, nextCursor, totalCount } = filteredPage(
      snap.sessions,
      snap.keys,
      filter,
      scope,
      page,
    );
    await this.audit.completed(allowed, {
      outcome: 'succeeded',
      details: { count: nodes.length, totalCount, stale: snap.stale },
    });
    return {
      sessions: nodes,
      nextCursor,
      totalCount,
      stale: snap.stale,
      ageSeconds: snap.ageSeconds,
      fetchedAt: new Date(snap.fetchedAt).toISOString(),
    };
  }

  /** The record of a single read that found the session in scope. */
  async recordRead({ base }: Pick<OperationRun<SessionIdInput>, 'base'>): Promise<void> {
    await this.audit.completed({ ...base, decision: 'allowed' }, { outcome: 'succeeded' });
  }
}
