import { Logger } from '@nestjs/common';
import type { AuditService } from '../../../src/audit/audit.service';
import {
  alice,
  auditor,
  batchService,
  countWrites,
  range,
  Services,
  terminateIntent,
} from './audit-fixtures';
import { queryAudit, readEvents } from './audit-reads';
import type { StoreTarget } from './store-targets';

/** Behaviour every audit store must show; run once per engine (sqlite, postgres). */
export function defineStoreSuite(target: StoreTarget): void {
  describe(`audit store on ${target.name}`, () => {
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

    it('records the intent first and the outcome after, and a query shows them as one record', async () => {
      const intent = await audit.recordIntent(
        terminateIntent({ sessionId: 'sess-A', reason: 'incident 7' }),
      );
      expect(intent).toMatchObject({
        seq: 1,
        decision: 'allowed',
        outcome: null,
        sessionId: 'sess-A',
      });
      expect(intent.prevHash).toBe('0'.repeat(64));
      expect(intent.hash).toMatch(/^[0-9a-f]{64}$/);
      expect((await queryAudit(audit, { sessionId: 'sess-A' }, 10)).items).toEqual([intent]);

      const closed = await audit.recordOutcome(intent.id, {
        outcome: 'failed',
        errorCode: 'TERMINATION_FAILED',
        upstream: {
          status: 500,
          message: 'An error occurred while droping session',
          durationMs: 41.7,
        },
      });
      expect(closed).toMatchObject({
        id: intent.id,
        seq: 1,
        hash: intent.hash,
        outcome: 'failed',
        errorCode: 'TERMINATION_FAILED',
        upstream: {
          status: 500,
          message: 'An error occurred while droping session',
          durationMs: 42,
        },
        outcomeSeq: 2,
        actor: alice,
        reason: 'incident 7',
      });
      expect(closed.outcomeTime).not.toBeNull();
      expect((await queryAudit(audit, { sessionId: 'sess-A' }, 10)).items).toEqual([closed]);
      expect(await audit.verify()).toEqual({ ok: true, count: 2 });
    });

    it('closes an allowed intent exactly once and never a denied or unknown record', async () => {
      const a = await audit.recordIntent(terminateIntent());
      await audit.recordOutcome(a.id, { outcome: 'succeeded' });
      await expect(audit.recordOutcome(a.id, { outcome: 'failed' })).rejects.toMatchObject({
        code: 'INTERNAL',
        message: expect.stringContaining('already has an outcome'),
      });
      const denied = await audit.recordIntent(
        terminateIntent({ decision: 'denied', errorCode: 'FORBIDDEN' }),
      );
      await expect(audit.recordOutcome(denied.id, { outcome: 'succeeded' })).rejects.toMatchObject({
        code: 'INTERNAL',
        message: expect.stringContaining('denied record'),
      });
      await expect(
        audit.recordOutcome('00000000-0000-4000-8000-000000000000', { outcome: 'succeeded' }),
      ).rejects.toMatchObject({
        code: 'INTERNAL',
        message: expect.stringContaining('no such audit record'),
      });

      const b = await audit.recordIntent(terminateIntent());
      const race = await Promise.allSettled([
        audit.recordOutcome(b.id, { outcome: 'succeeded' }),
        audit.recordOutcome(b.id, { outcome: 'failed' }),
      ]);
      expect(race.map((r) => r.status).sort()).toEqual(['fulfilled', 'rejected']);
      expect(await audit.verify()).toEqual({ ok: true, count: 5 });
    });

    it('writes denied and invalid records complete, carrying the code the caller got', async () => {
      await audit.recordDenied({
        principal: { ...batchService, key: 'apikey:svc-batch', userAgent: undefined },
        channel: 'graphql',
        requestId: 'req-denied',
        action: 'session.terminate',
        sessionId: 'sess-D',
        reason: 'cleanup',
      });
      await audit.recordIntent(
        terminateIntent({
          decision: 'invalid',
          errorCode: 'BAD_USER_INPUT',
          sessionId: '../etc/passwd',
        }),
      );
      const { items } = await queryAudit(audit, {}, 10);
      expect(items.map((r) => [r.decision, r.errorCode, r.outcome])).toEqual([
        ['invalid', 'BAD_USER_INPUT', null],
        ['denied', 'FORBIDDEN', null],
      ]);
      expect(items[1]).toMatchObject({
        channel: 'graphql',
        requestId: 'req-denied',
        sessionId: 'sess-D',
        actor: { id: 'svc-batch', kind: 'service', roles: ['session-operator'] },
      });
      expect((await queryAudit(audit, { outcome: 'pending' }, 10)).items).toEqual([]);
    });

    it('closes intents left open by a crash as unknown at the next start, with a warning', async () => {
      const warn = jest.spyOn(Logger.prototype, 'warn');
      const open = await audit.recordIntent(terminateIntent());
      const done = await audit.recordIntent(terminateIntent());
      await audit.recordOutcome(done.id, { outcome: 'succeeded' });
      await audit.recordIntent(terminateIntent({ decision: 'denied', errorCode: 'FORBIDDEN' }));
      // The first service is abandoned without onModuleDestroy, as a kill would leave it.
      const next = await services.start(url);
      const [recovered] = (await queryAudit(next, { sessionId: open.sessionId ?? '' }, 1)).items;
      expect(recovered).toMatchObject({
        outcome: 'unknown',
        details: { closedBy: 'startup-recovery' },
      });
      expect(warn).toHaveBeenCalledWith(
        'closed 1 audit intents left open by a crash or kill as unknown',
      );
      expect(
        (await queryAudit(next, { sessionId: done.sessionId ?? '' }, 1)).items[0].outcome,
      ).toBe('succeeded');
      expect(await next.verify()).toEqual({ ok: true, count: 5 });

      // Younger than the grace period: another live replica may still be forwarding it.
      const inFlight = await next.recordIntent(terminateIntent());
      const third = await services.start(url, { options: { recoveryGraceMs: 60_000 } });
      expect(
        (await queryAudit(third, { sessionId: inFlight.sessionId ?? '' }, 1)).items[0].outcome,
      ).toBeNull();
    });

    it('batches concurrent appends into few transactions and loses none', async () => {
      const writes = countWrites();
      const before = writes();
      const records = await Promise.all(
        range(1, 300).map((i) => audit.recordIntent(terminateIntent({ requestId: `gc-${i}` }))),
      );
      expect(records.map((r) => r.seq).sort((a, b) => a - b)).toEqual(range(1, 300));
      const after = writes();
      expect(after.entries - before.entries).toBe(300);
      expect(after.transactions - before.transactions).toBeLessThan(300);
      await Promise.all(records.map((r) => audit.recordOutcome(r.id, { outcome: 'succeeded' })));
      expect(await audit.verify()).toEqual({ ok: true, count: 600 });
      expect((await queryAudit(audit, { outcome: 'pending' }, 200)).items).toEqual([]);
    });

    it('drains queued appends on shutdown and refuses new ones after', async () => {
      const queued = range(1, 50).map(() => audit.recordIntent(terminateIntent()));
      await audit.onModuleDestroy();
      await expect(Promise.all(queued)).resolves.toHaveLength(50);
      await expect(audit.recordIntent(terminateIntent())).rejects.toMatchObject({
        code: 'AUDIT_UNAVAILABLE',
      });
      const reopened = await services.start(url, { options: { recoveryGraceMs: 60_000 } });
      expect(await reopened.verify()).toEqual({ ok: true, count: 50 });
    });

    it('stores text that would not round-trip (NUL, lone surrogates) so the chain still verifies', async () => {
      const r = await audit.recordIntent(
        terminateIntent({
          reason: 'a\u0000b\uD800c 😀',
          details: { note: 'x\u0000', at: new Date(0) },
        }),
      );
      expect(r.reason).toBe('a\uFFFDb\uFFFDc 😀');
      expect(r.details).toEqual({ note: 'x\uFFFD', at: '1970-01-01T00:00:00.000Z' });
      expect((await queryAudit(audit, { sessionId: r.sessionId ?? '' }, 1)).items).toEqual([r]);
      expect(await audit.verify()).toEqual({ ok: true, count: 1 });
    });

    it('answers the readiness probe without adding to the chain', async () => {
      await audit.checkWritable();
      await audit.checkWritable();
      expect(await audit.verify()).toEqual({ ok: true, count: 0 });
    });

    it('refuses UPDATE and DELETE in the database itself', async () => {
      await audit.recordIntent(terminateIntent());
      // toMatchObject, not toThrow: better-sqlite3's native binding keeps the Error class of
      // the first jest sandbox that loaded it, so instanceof Error fails in later test files.
      const appendOnly = { message: expect.stringContaining('append-only') };
      await expect(target.sql(url, "update audit_chain set reason = 'x'")).rejects.toMatchObject(
        appendOnly,
      );
      await expect(target.sql(url, 'delete from audit_chain')).rejects.toMatchObject(appendOnly);
      expect(await audit.verify()).toEqual({ ok: true, count: 1 });
    });

    it('fails closed with AUDIT_UNAVAILABLE when the store breaks underneath', async () => {
      const open = await audit.recordIntent(terminateIntent());
      await target.sql(url, 'drop table audit_chain');
      await expect(audit.recordIntent(terminateIntent())).rejects.toMatchObject({
        code: 'AUDIT_UNAVAILABLE',
        message: 'The audit log cannot be written; nothing was forwarded',
      });
      await expect(audit.recordOutcome(open.id, { outcome: 'succeeded' })).rejects.toMatchObject({
        code: 'AUDIT_UNAVAILABLE',
      });
      await expect(
        readEvents(audit, { principal: auditor, channel: 'rest', requestId: 'r' }, {}, 5),
      ).rejects.toMatchObject({ code: 'AUDIT_UNAVAILABLE' });
    });
  });
}
