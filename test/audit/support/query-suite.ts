import { Logger } from '@nestjs/common';
import type { AuditService } from '../../../src/audit/audit.service';
import type { AuditFilter } from '../../../src/audit/audit.types';
import { queryAudit, readEvents } from './audit-reads';
import { auditor, batchService, Services, terminateIntent } from './audit-fixtures';
import type { StoreTarget } from './store-targets';

/** Filters, paging and the recording of reads; run once per engine (sqlite, postgres). */
export function defineQuerySuite(target: StoreTarget): void {
  describe(`audit queries on ${target.name}`, () => {
    const services = new Services();
    let url: string;
    let audit: AuditService;

    beforeAll(() => Logger.overrideLogger(false));
    beforeEach(async () => {
      url = await target.freshUrl();
      audit = await services.start(url);
    });
    afterEach(async () => {
      jest.restoreAllMocks();
      await services.stopAll();
    });
    afterAll(() => target.cleanup());

    it('filters by session, actor id or name, action, decision, outcome and time', async () => {
      const r1 = await audit.recordIntent(terminateIntent({ sessionId: 'sess-1' }));
      await audit.recordOutcome(r1.id, { outcome: 'succeeded' });
      const r2 = await audit.recordIntent(
        terminateIntent({ sessionId: 'sess-2', actor: batchService }),
      );
      await audit.recordOutcome(r2.id, { outcome: 'failed', errorCode: 'SESSION_NOT_FOUND' });
      const r3 = await audit.recordIntent(terminateIntent({ sessionId: 'sess-1' }));
      const r4 = await audit.recordIntent(
        terminateIntent({ actor: batchService, decision: 'denied', errorCode: 'FORBIDDEN' }),
      );
      const r5 = await audit.recordIntent(
        terminateIntent({ action: 'session.read', sessionId: undefined }),
      );
      await audit.recordOutcome(r5.id, { outcome: 'succeeded' });

      const ids = async (filter: AuditFilter) =>
        (await queryAudit(audit, filter, 50)).items.map((r) => r.id);
      expect(await ids({ sessionId: 'sess-1' })).toEqual([r3.id, r1.id]);
      expect(await ids({ actor: 'svc-batch' })).toEqual([r4.id, r2.id]);
      expect(await ids({ actor: 'batch-runner' })).toEqual([r4.id, r2.id]);
      expect(await ids({ actor: 'nobody' })).toEqual([]);
      expect(await ids({ action: 'session.read' })).toEqual([r5.id]);
      expect(await ids({ decision: 'denied' })).toEqual([r4.id]);
      expect(await ids({ outcome: 'pending' })).toEqual([r3.id]);
      expect(await ids({ outcome: 'failed' })).toEqual([r2.id]);
      expect(await ids({ outcome: 'succeeded', actor: 'alice' })).toEqual([r5.id, r1.id]);

      const all = (await queryAudit(audit, {}, 50)).items;
      const since = all[2].time;
      const until = all[0].time;
      expect(await ids({ since })).toEqual(all.filter((r) => r.time >= since).map((r) => r.id));
      expect(await ids({ since, until })).toEqual(
        all.filter((r) => r.time >= since && r.time < until).map((r) => r.id),
      );
      expect(await ids({ since: '2000-01-01T02:00:00+02:00' })).toHaveLength(5);
      expect(await ids({ since: '2999-01-01' })).toEqual([]);
      expect(await ids({ until: '2000-01-01T00:00:00Z' })).toEqual([]);
    });

    it.each<{
      why: string;
      filter: Record<string, unknown>;
      first?: number;
      after?: string;
      field: string;
    }>([
      { why: 'a non-date since', filter: { since: 'yesterday' }, field: 'since' },
      { why: 'a time without offset', filter: { until: '2026-01-01T10:00:00' }, field: 'until' },
      {
        why: 'until before since',
        filter: { since: '2026-02-01', until: '2026-01-01' },
        field: 'until',
      },
      { why: 'an unknown action', filter: { action: 'session.delete' }, field: 'action' },
      { why: 'an unknown outcome', filter: { outcome: 'maybe' }, field: 'outcome' },
      { why: 'an unknown decision', filter: { decision: 'ok' }, field: 'decision' },
      { why: 'an empty session id', filter: { sessionId: '' }, field: 'sessionId' },
      { why: 'an overlong actor', filter: { actor: 'x'.repeat(300) }, field: 'actor' },
      { why: 'an unknown filter', filter: { colour: 'red' }, field: 'colour' },
      { why: 'first=0', filter: {}, first: 0, field: 'first' },
      { why: 'first=201', filter: {}, first: 201, field: 'first' },
      { why: 'a fractional first', filter: {}, first: 1.5, field: 'first' },
      { why: 'a made-up cursor', filter: {}, after: 'not a cursor', field: 'after' },
      {
        why: 'a cursor at seq 0',
        filter: {},
        after: Buffer.from('0').toString('base64url'),
        field: 'after',
      },
    ])(
      'rejects $why with BAD_USER_INPUT naming $field',
      async ({ filter, first, after, field }) => {
        await expect(
          queryAudit(audit, filter as AuditFilter, first ?? 50, after),
        ).rejects.toMatchObject({
          code: 'BAD_USER_INPUT',
          field,
        });
      },
    );

    it('pages newest first with an opaque cursor, without gaps or repeats', async () => {
      const ids: string[] = [];
      for (let i = 0; i < 7; i++)
        ids.push((await audit.recordIntent(terminateIntent({ sessionId: 'page' }))).id);
      await audit.recordIntent(terminateIntent({ sessionId: 'other' }));
      const p1 = await queryAudit(audit, { sessionId: 'page' }, 3);
      const p2 = await queryAudit(audit, { sessionId: 'page' }, 3, p1.nextCursor ?? undefined);
      const p3 = await queryAudit(audit, { sessionId: 'page' }, 3, p2.nextCursor ?? undefined);
      expect(p1.nextCursor).toMatch(/^[A-Za-z0-9_-]+$/);
      expect([...p1.items, ...p2.items, ...p3.items].map((r) => r.id)).toEqual([...ids].reverse());
      expect(p3.items).toHaveLength(1);
      expect(p3.nextCursor).toBeNull();
      expect((await queryAudit(audit, { sessionId: 'page' }, 7)).nextCursor).toBeNull();
    });

    it('records each read before returning it, and refused reads too', async () => {
      await audit.recordIntent(terminateIntent({ sessionId: 'sess-R' }));
      const reader = { principal: auditor, channel: 'graphql' as const, requestId: 'req-read' };
      const page = await readEvents(audit, reader, { sessionId: 'sess-R' }, 5);
      expect(page.items).toHaveLength(1);
      const reads = (await queryAudit(audit, { action: 'audit.read' }, 10)).items;
      expect(reads).toHaveLength(1);
      expect(reads[0]).toMatchObject({
        decision: 'allowed',
        outcome: 'succeeded',
        channel: 'graphql',
        requestId: 'req-read',
        actor: { id: auditor.id, name: 'audrey', roles: ['auditor'] },
        details: { filter: { sessionId: 'sess-R' }, first: 5, after: null, count: 1 },
      });
      await expect(readEvents(audit, reader, { since: 'bad' }, 5)).rejects.toMatchObject({
        code: 'BAD_USER_INPUT',
        field: 'since',
      });
      const [invalid] = (await queryAudit(audit, { action: 'audit.read', decision: 'invalid' }, 10))
        .items;
      expect(invalid).toMatchObject({
        errorCode: 'BAD_USER_INPUT',
        outcome: null,
        details: { field: 'since' },
      });
      expect(await audit.verify()).toEqual({ ok: true, count: 4 });
    });
  });
}
