import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Logger } from '@nestjs/common';
import Database from 'better-sqlite3';
import type { AuditService } from '../../src/audit/audit.service';
import { MAX_KNOWN_OPEN } from '../../src/audit/chain-seal';
import type { AppendAnswer } from '../../src/audit/sqlite-append-thread';
import { range, Services, storeOf, terminateIntent } from './support/audit-fixtures';
import { recordMainStatements } from './support/main-statements';

jest.setTimeout(30_000);

/** The answers the writer thread gave a service's writer, in order. */
function recordThreadAnswers(audit: AuditService): () => Promise<AppendAnswer[]> {
  const thread = storeOf(audit).appendThread;
  if (!thread) throw new Error('no writer thread');
  const append = jest.spyOn(thread, 'append');
  return () => Promise.all(append.mock.results.map((r) => r.value as Promise<AppendAnswer>));
}

const alreadyClosed = {
  code: 'INTERNAL',
  message: expect.stringContaining('already has an outcome'),
};

/**
 * On a SQLite file the writer seals a batch against the head its own last commit left and
 * knows which of its allowed intents are still open, instead of reading them on the main
 * thread; the writer thread's head check proves that nobody else appended meanwhile.
 */
describe('audit on a SQLite file: what the writer knows without reading', () => {
  const services = new Services();
  let dir: string;
  let file: string;
  let url: string;

  beforeAll(() => Logger.overrideLogger(false));
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'audit-known-'));
    file = join(dir, 'audit.db');
    url = `sqlite:${file}`;
  });
  afterEach(async () => {
    jest.restoreAllMocks();
    await services.stopAll();
    rmSync(dir, { recursive: true, force: true });
  });

  it('reads the head for its first append only, and never an intent it wrote itself', async () => {
    const audit = await services.start(url);
    const main = await recordMainStatements(storeOf(audit));
    for (const i of range(1, 20)) {
      const intent = await audit.recordIntent(terminateIntent({ requestId: `seq-${i}` }));
      await audit.recordOutcome(intent.id, { outcome: 'succeeded' });
    }
    // Concurrent terminations: intents and outcomes batched together.
    await Promise.all(
      range(1, 50).map(async (i) => {
        const intent = await audit.recordIntent(terminateIntent({ requestId: `par-${i}` }));
        await audit.recordOutcome(intent.id, { outcome: 'failed' });
      }),
    );
    await audit.recordCompleted(terminateIntent(), { outcome: 'succeeded' });
    await audit.recordIntent(terminateIntent({ decision: 'denied', errorCode: 'FORBIDDEN' }));
    // Before: one head read per append and one intent read per outcome, 3 per termination.
    expect(main.kinds()).toEqual(['head']);
    expect(await audit.verify()).toEqual({ ok: true, count: 143 });
  });

  it('notices another writer appending between two of its own, reads again, and the chain stays one line', async () => {
    const a = await services.start(url);
    const b = await services.start(url);
    const mine = await a.recordIntent(terminateIntent());
    const main = await recordMainStatements(storeOf(a));
    const answers = recordThreadAnswers(a);

    const theirs = await b.recordIntent(terminateIntent());
    const closed = await a.recordOutcome(mine.id, { outcome: 'succeeded' });
    expect([mine.seq, theirs.seq, closed.outcomeSeq]).toEqual([1, 2, 3]);
    expect(await answers()).toEqual(['head-moved', 'committed']);
    expect(main.kinds()).toEqual(['head', 'refs']);

    // Its own commit is the head again: known without reading.
    main.clear();
    await a.recordIntent(terminateIntent());
    expect(main.kinds()).toEqual([]);
    expect(await b.verify()).toEqual({ ok: true, count: 4 });
  });

  it("closes another writer's intent after reading it, and refuses one the other writer closed although it once knew it open", async () => {
    const a = await services.start(url);
    const b = await services.start(url);
    const mine = await a.recordIntent(terminateIntent());
    await b.recordOutcome(mine.id, { outcome: 'succeeded' });
    const answers = recordThreadAnswers(a);
    await expect(a.recordOutcome(mine.id, { outcome: 'failed' })).rejects.toMatchObject(
      alreadyClosed,
    );
    // Sealed against what it knew, refused by the thread, read again: nothing written.
    expect(await answers()).toEqual(['head-moved']);

    const theirs = await b.recordIntent(terminateIntent());
    const main = await recordMainStatements(storeOf(a));
    await expect(a.recordOutcome(theirs.id, { outcome: 'succeeded' })).resolves.toMatchObject({
      id: theirs.id,
      seq: 3,
      outcomeSeq: 4,
      outcome: 'succeeded',
    });
    expect(main.kinds()).toEqual(['head', 'refs']);
    await expect(b.recordOutcome(theirs.id, { outcome: 'failed' })).rejects.toMatchObject(
      alreadyClosed,
    );
    expect(await a.verify()).toEqual({ ok: true, count: 4 });
  });

  it('refuses a second outcome, an outcome for a denied record and one for a record completed at once, reading each', async () => {
    const audit = await services.start(url);
    const intent = await audit.recordIntent(terminateIntent());
    await audit.recordOutcome(intent.id, { outcome: 'succeeded' });
    const denied = await audit.recordIntent(
      terminateIntent({ decision: 'denied', errorCode: 'FORBIDDEN' }),
    );
    const complete = await audit.recordCompleted(terminateIntent(), { outcome: 'succeeded' });
    const main = await recordMainStatements(storeOf(audit));
    const answers = recordThreadAnswers(audit);

    await expect(audit.recordOutcome(intent.id, { outcome: 'failed' })).rejects.toMatchObject(
      alreadyClosed,
    );
    await expect(audit.recordOutcome(denied.id, { outcome: 'succeeded' })).rejects.toMatchObject({
      code: 'INTERNAL',
      message: expect.stringContaining('denied record'),
    });
    await expect(audit.recordOutcome(complete.id, { outcome: 'failed' })).rejects.toMatchObject(
      alreadyClosed,
    );
    // None of them is among the open intents the writer knows: each was read, none written.
    expect(main.kinds()).toEqual(['refs', 'refs', 'refs']);
    expect(await answers()).toEqual([]);

    // Refusals write nothing, so the head is still known.
    main.clear();
    const next = await audit.recordIntent(terminateIntent());
    await audit.recordOutcome(next.id, { outcome: 'succeeded' });
    expect(main.kinds()).toEqual([]);
    expect(await audit.verify()).toEqual({ ok: true, count: 7 });
  });

  it('forgets what it knew when the writer thread dies mid-append, then reads and goes on', async () => {
    const audit = await services.start(url, { options: { busyTimeoutMs: 200 } });
    const intent = await audit.recordIntent(terminateIntent());
    const thread = storeOf(audit).appendThread as unknown as {
      worker: { terminate(): Promise<number>; postMessage(message: unknown): void };
      append: (...args: unknown[]) => Promise<AppendAnswer>;
    };
    const append = thread.append.bind(thread);
    jest.spyOn(thread, 'append').mockImplementationOnce((...args) => {
      // The batch dies with the thread before it reaches SQLite. Terminating the thread inside
      // a SQLite call instead can abort the whole process ("FATAL ERROR: v8::ToLocalChecked
      // Empty MaybeLocal"): better-sqlite3 cannot throw into an isolate being terminated.
      const worker = thread.worker;
      jest.spyOn(worker, 'postMessage').mockImplementationOnce(() => undefined);
      const answer = append(...args);
      void worker.terminate();
      return answer;
    });
    // Another connection holds the write lock: the dying thread commits nothing.
    const other = new Database(file);
    other.exec('begin immediate');
    try {
      await expect(audit.recordOutcome(intent.id, { outcome: 'succeeded' })).rejects.toMatchObject({
        code: 'AUDIT_UNAVAILABLE',
      });
    } finally {
      other.exec('rollback');
      other.close();
    }
    const main = await recordMainStatements(storeOf(audit));
    await expect(audit.recordOutcome(intent.id, { outcome: 'succeeded' })).resolves.toMatchObject({
      outcomeSeq: 2,
    });
    expect(main.kinds()).toEqual(['head', 'refs']);
    expect(await audit.verify()).toEqual({ ok: true, count: 2 });
  });

  it(`remembers at most ${MAX_KNOWN_OPEN} open intents, forgetting the oldest`, async () => {
    const audit = await services.start(url);
    const intents = await Promise.all(
      range(0, MAX_KNOWN_OPEN).map(() => audit.recordIntent(terminateIntent())),
    );
    const bySeq = [...intents].sort((x, y) => x.seq - y.seq);
    const main = await recordMainStatements(storeOf(audit));
    await audit.recordOutcome(bySeq[bySeq.length - 1].id, { outcome: 'succeeded' });
    await audit.recordOutcome(bySeq[1].id, { outcome: 'succeeded' });
    expect(main.kinds()).toEqual([]);
    await audit.recordOutcome(bySeq[0].id, { outcome: 'succeeded' });
    expect(main.kinds()).toEqual(['refs']);
    expect(await audit.verify()).toEqual({ ok: true, count: MAX_KNOWN_OPEN + 4 });
  });
});
