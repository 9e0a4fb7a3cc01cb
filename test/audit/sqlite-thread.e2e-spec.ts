import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { Logger } from '@nestjs/common';
import Database from 'better-sqlite3';
import { range, Services, storeOf, terminateIntent } from './support/audit-fixtures';

jest.setTimeout(30_000);

/** SQLite files are committed from a worker thread (src/audit/sqlite-append-thread.ts). */
describe('audit on a SQLite file: commits from the writer thread', () => {
  const services = new Services();
  let dir: string;
  let url: string;

  beforeAll(() => Logger.overrideLogger(false));
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'audit-thread-'));
    url = `sqlite:${join(dir, 'audit.db')}`;
  });
  afterEach(async () => {
    await services.stopAll();
    rmSync(dir, { recursive: true, force: true });
  });

  it('uses the thread for files, not for :memory:', async () => {
    expect(storeOf(await services.start(url)).appendThread).toBeDefined();
    expect(storeOf(await services.start('sqlite::memory:')).appendThread).toBeUndefined();
  });

  it('keeps the event loop running while a commit waits for the write lock', async () => {
    const audit = await services.start(url);
    await audit.recordIntent(terminateIntent());
    const other = new Database(join(dir, 'audit.db'));
    other.prepare('begin immediate').run();
    let ticks = 0;
    const timer = setInterval(() => (ticks += 1), 10);
    const pending = audit.recordIntent(terminateIntent());
    await new Promise((r) => setTimeout(r, 300));
    const ticksWhileLocked = ticks;
    other.prepare('commit').run();
    other.close();
    const record = await pending;
    clearInterval(timer);
    // Committing on the main thread, SQLite's busy wait held the whole process: no tick at all.
    expect(ticksWhileLocked).toBeGreaterThanOrEqual(10);
    expect(record.seq).toBe(2);
    expect(await audit.verify()).toEqual({ ok: true, count: 2 });
  });

  it('two writers on one file: the head each sealed against is checked, and every append lands in one chain', async () => {
    const a = await services.start(url);
    const b = await services.start(url);
    const records = await Promise.all(
      range(1, 80).flatMap((i) => [
        a.recordIntent(terminateIntent({ requestId: `a-${i}` })),
        b.recordIntent(terminateIntent({ requestId: `b-${i}` })),
      ]),
    );
    expect(records.map((r) => r.seq).sort((x, y) => x - y)).toEqual(range(1, 160));
    await Promise.all(
      records.map((r, i) => (i % 2 ? a : b).recordOutcome(r.id, { outcome: 'succeeded' })),
    );
    expect(await a.verify()).toEqual({ ok: true, count: 320 });
  });

  it('starts a new thread when the old one is gone', async () => {
    const audit = await services.start(url);
    await audit.recordIntent(terminateIntent());
    const thread = storeOf(audit).appendThread as unknown as {
      worker: { terminate(): Promise<number> };
    };
    await thread.worker.terminate();
    const again = await audit.recordIntent(terminateIntent());
    expect(again.seq).toBe(2);
    expect(await audit.verify()).toEqual({ ok: true, count: 2 });
  });

  it('closing ends the thread by itself, never by terminate() (which can abort inside a SQLite call)', async () => {
    const audit = await services.start(url);
    await audit.recordIntent(terminateIntent());
    const thread = storeOf(audit).appendThread as unknown as { worker: Worker };
    const exited = new Promise<number>((resolve) => thread.worker.once('exit', resolve));
    const terminate = jest.spyOn(Worker.prototype, 'terminate');
    try {
      await audit.onModuleDestroy();
      expect(await exited).toBe(0);
      expect(terminate).not.toHaveBeenCalled();
    } finally {
      terminate.mockRestore();
    }
  });

  it('refuses appends after the store is closed, with AUDIT_UNAVAILABLE', async () => {
    const audit = await services.start(url);
    await audit.onModuleDestroy();
    await expect(audit.recordIntent(terminateIntent())).rejects.toMatchObject({
      code: 'AUDIT_UNAVAILABLE',
    });
  });
});
