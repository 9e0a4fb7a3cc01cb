import { randomUUID } from 'node:crypto';
import { Logger } from '@nestjs/common';
import {
  CHAIN_COLUMNS,
  sealEntry,
  type AuditDb,
  type ChainRow,
} from '../../../src/audit/audit-entry';
import type { AuditService } from '../../../src/audit/audit.service';
import type { AuditRecord } from '../../../src/audit/audit.types';
import { verifyChain } from '../../../src/audit/chain-verifier';
import { openDatabase } from '../../../src/database/database';
import { batchService, Services, terminateIntent } from './audit-fixtures';
import { queryAudit } from './audit-reads';
import type { StoreTarget } from './store-targets';

/** Verifies the store at `url` read-only, with any key, as the CLI would. */
export async function verifyWith(url: string, hmacKey: string | undefined) {
  const store = await openDatabase(url, { readOnly: true });
  try {
    return await verifyChain(store.db.withTables<AuditDb>(), hmacKey);
  } finally {
    await store.close();
  }
}

/**
 * Someone with database access edits, deletes, reorders or forges entries behind the
 * service's back; verify must notice and name the first entry at fault.
 */
export function defineTamperSuite(target: StoreTarget): void {
  describe.each([
    ['with AUDIT_HMAC_KEY', 'tamper-test-key'],
    ['without a key', undefined],
  ])(`tamper evidence on ${target.name} %s`, (_label, hmacKey) => {
    const services = new Services();
    let url: string;
    let audit: AuditService;
    // seq 1 A intent, 2 A outcome (failed), 3 B intent, 4 C denied, 5 B outcome, 6 D open
    let a: AuditRecord, b: AuditRecord, c: AuditRecord, d: AuditRecord;

    const sql = (text: string, params?: unknown[]) => target.sql(url, text, params);
    const rows = async (): Promise<ChainRow[]> =>
      (await sql('select * from audit_chain order by seq')).map(
        (r) => ({ ...r, seq: Number(r.seq) }) as unknown as ChainRow,
      );
    const insert = (row: ChainRow) =>
      sql(
        `insert into audit_chain (${CHAIN_COLUMNS.join(', ')}) values (${CHAIN_COLUMNS.map(() => '?').join(', ')})`,
        CHAIN_COLUMNS.map((col) => row[col]),
      );
    /** A copy of `row` re-sealed at `seq` by someone who knows the format but not the key. */
    const forge = (
      row: ChainRow,
      seq: number,
      prevHash: string,
      over: Partial<ChainRow> = {},
    ): ChainRow => {
      const draft = { ...row, ...over, id: randomUUID() };
      return sealEntry(draft, seq, row.time, prevHash, undefined);
    };

    beforeAll(() => Logger.overrideLogger(false));
    beforeEach(async () => {
      url = await target.freshUrl();
      audit = await services.start(url, { hmacKey });
      a = await audit.recordIntent(terminateIntent({ reason: 'reason A' }));
      await audit.recordOutcome(a.id, {
        outcome: 'failed',
        upstream: { status: 500, message: 'no' },
      });
      b = await audit.recordIntent(terminateIntent({ reason: 'reason B' }));
      c = await audit.recordIntent(
        terminateIntent({
          actor: batchService,
          decision: 'denied',
          errorCode: 'FORBIDDEN',
          reason: 'reason C',
        }),
      );
      await audit.recordOutcome(b.id, { outcome: 'succeeded' });
      d = await audit.recordIntent(terminateIntent({ reason: 'reason D' }));
      expect([a.seq, b.seq, c.seq, d.seq]).toEqual([1, 3, 4, 6]);
      await target.dropGuards(url);
    });
    afterEach(() => services.stopAll());
    afterAll(() => target.cleanup());

    it('verifies an untouched chain', async () => {
      expect(await audit.verify()).toEqual({ ok: true, count: 6 });
    });

    it('names the record whose field was edited', async () => {
      await sql("update audit_chain set reason = 'nothing to see' where seq = 3");
      expect(await audit.verify()).toEqual({
        ok: false,
        count: 2,
        firstBroken: {
          id: b.id,
          seq: 3,
          recordId: b.id,
          problem: expect.stringMatching(/^hash mismatch/),
        },
      });
    });

    it('names the record whose actor roles were edited', async () => {
      await sql(`update audit_chain set actor_roles = '["admin"]' where seq = 4`);
      expect(await audit.verify()).toMatchObject({ ok: false, firstBroken: { id: c.id, seq: 4 } });
    });

    it('names the record whose outcome was edited, though queries show the edit', async () => {
      await sql(
        "update audit_chain set outcome = 'succeeded', upstream_status = 200 where seq = 2",
      );
      expect((await queryAudit(audit, { sessionId: a.sessionId ?? '' }, 1)).items[0].outcome).toBe(
        'succeeded',
      );
      const result = await audit.verify();
      expect(result).toMatchObject({
        ok: false,
        count: 1,
        firstBroken: { seq: 2, recordId: a.id },
      });
      expect(result.ok === false && result.firstBroken.problem).toMatch(/^hash mismatch/);
    });

    it('names the entry after a deleted one', async () => {
      await sql('delete from audit_chain where seq = 3');
      expect(await audit.verify()).toEqual({
        ok: false,
        count: 2,
        firstBroken: {
          id: c.id,
          seq: 4,
          recordId: c.id,
          problem: 'seq 4 follows 2: entries 3..3 are missing',
        },
      });
    });

    it('notices a deleted outcome even when the seqs are closed up again', async () => {
      await sql('delete from audit_chain where seq = 5');
      await sql('update audit_chain set seq = 5 where seq = 6');
      expect(await audit.verify()).toMatchObject({
        ok: false,
        count: 4,
        firstBroken: { id: d.id, seq: 5 },
      });
    });

    it('names the first of two entries whose places were swapped', async () => {
      await sql('update audit_chain set seq = -1 where seq = 3');
      await sql('update audit_chain set seq = 3 where seq = 4');
      await sql('update audit_chain set seq = 4 where seq = -1');
      expect(await audit.verify()).toMatchObject({
        ok: false,
        count: 2,
        firstBroken: { id: c.id, seq: 3 },
      });
    });

    it('names the first of two entries whose contents were swapped', async () => {
      await sql("update audit_chain set reason = 'swap' where seq = 1");
      await sql("update audit_chain set reason = 'reason A' where seq = 3");
      await sql("update audit_chain set reason = 'reason B' where seq = 1");
      expect(await audit.verify()).toMatchObject({
        ok: false,
        count: 0,
        firstBroken: { id: a.id, seq: 1 },
      });
    });

    it('names a forged row appended with a made-up hash', async () => {
      const all = await rows();
      const last = all[all.length - 1];
      const forged = { ...forge(last, 7, last.hash, { reason: 'forged' }), hash: 'f'.repeat(64) };
      await insert(forged);
      expect(await audit.verify()).toMatchObject({
        ok: false,
        count: 6,
        firstBroken: { id: forged.id, seq: 7 },
      });
    });

    it('names a forged row slipped into the middle', async () => {
      const all = await rows();
      for (const seq of [6, 5, 4])
        await sql('update audit_chain set seq = ? where seq = ?', [seq + 1, seq]);
      const forged = forge(all[3], 4, all[2].hash, { reason: 'forged' });
      await insert(forged);
      // Without a key the forger can compute a valid SHA-256 for the forged row itself, but
      // not for the renumbered row after it; with a key the forged row already fails.
      const broken = hmacKey ? { id: forged.id, seq: 4 } : { id: c.id, seq: 5 };
      expect(await audit.verify()).toMatchObject({ ok: false, firstBroken: broken });
    });

    it('names a forged outcome closing a denied record', async () => {
      const all = await rows();
      const outcome = all[1];
      const forged = forge(outcome, 7, all[5].hash, { ref_id: c.id, outcome: 'succeeded' });
      await insert(forged);
      const result = await audit.verify();
      expect(result).toMatchObject({
        ok: false,
        count: 6,
        firstBroken: { id: forged.id, seq: 7, recordId: c.id },
      });
      if (!hmacKey && !result.ok)
        expect(result.firstBroken.problem).toMatch(/not an earlier allowed record/);
    });

    if (hmacKey) {
      it('names an outcome forged by someone without the key', async () => {
        const all = await rows();
        const forged = forge(all[1], 7, all[5].hash, { ref_id: d.id, outcome: 'succeeded' });
        await insert(forged);
        expect(await audit.verify()).toMatchObject({
          ok: false,
          firstBroken: {
            id: forged.id,
            seq: 7,
            problem: expect.stringContaining('not HMAC-signed'),
          },
        });
        const claimed = { ...forged, alg: 'hmac-sha256' };
        await sql("update audit_chain set alg = 'hmac-sha256' where seq = 7");
        expect(await verifyWith(url, hmacKey)).toMatchObject({
          ok: false,
          firstBroken: {
            id: claimed.id,
            seq: 7,
            problem: 'hash mismatch (wrong AUDIT_HMAC_KEY or tampered)',
          },
        });
      });

      it('says so at the first entry when verified with the wrong key or none', async () => {
        expect(await verifyWith(url, 'some-other-key')).toEqual({
          ok: false,
          count: 0,
          firstBroken: {
            id: a.id,
            seq: 1,
            recordId: a.id,
            problem: 'hash mismatch (wrong AUDIT_HMAC_KEY or tampered)',
          },
        });
        expect(await verifyWith(url, undefined)).toMatchObject({
          ok: false,
          firstBroken: { seq: 1, problem: expect.stringContaining('set AUDIT_HMAC_KEY') },
        });
      });
    } else {
      it('refuses to trust unkeyed entries once a key is configured', async () => {
        expect(await verifyWith(url, 'a-new-key')).toMatchObject({
          ok: false,
          firstBroken: { seq: 1, problem: expect.stringContaining('not HMAC-signed') },
        });
      });
    }
  });
}
