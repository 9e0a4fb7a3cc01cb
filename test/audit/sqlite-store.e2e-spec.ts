import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Logger } from '@nestjs/common';
import Database from 'better-sqlite3';
import { alice, auditServiceOn, Services, terminateIntent } from './support/audit-fixtures';
import { defineQuerySuite } from './support/query-suite';
import { defineStoreSuite } from './support/store-suite';
import { sqliteTarget } from './support/store-targets';
import { defineTamperSuite } from './support/tamper-suite';

// jest applies testTimeout only globally, not from the e2e project config.
jest.setTimeout(30_000);

defineStoreSuite(sqliteTarget());
defineQuerySuite(sqliteTarget());
defineTamperSuite(sqliteTarget());

describe('audit store on sqlite: files and failures', () => {
  const services = new Services();
  let dir: string;

  beforeAll(() => Logger.overrideLogger(false));
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'audit-sqlite-'));
  });
  afterEach(async () => {
    await services.stopAll();
    rmSync(dir, { recursive: true, force: true });
  });

  it('creates the directory and file on first start, in WAL mode with full sync', async () => {
    const file = join(dir, 'nested', 'data', 'audit.db');
    const audit = await services.start(`sqlite:${file}`);
    await audit.recordIntent(terminateIntent({ decision: 'denied', errorCode: 'FORBIDDEN' }));
    expect(existsSync(file)).toBe(true);
    const raw = new Database(file, { readonly: true });
    expect(raw.pragma('journal_mode', { simple: true })).toBe('wal');
    raw.close();
    await audit.onModuleDestroy();
    const again = await services.start(`sqlite:${file}`);
    expect(await again.verify()).toEqual({ ok: true, count: 1 });
  });

  it('accepts sqlite::memory: for throwaway stores', async () => {
    const audit = await services.start('sqlite::memory:');
    await audit.recordIntent(terminateIntent());
    expect(await audit.verify()).toEqual({ ok: true, count: 1 });
  });

  it('refuses to start, and refuses to record, when the file cannot be created', async () => {
    // /dev/null is a file, so nothing can live under it: fails for root as well.
    const services2 = new Services();
    await expect(services2.start('sqlite:/dev/null/audit/audit.db')).rejects.toMatchObject({
      code: 'AUDIT_UNAVAILABLE',
    });
    const never = auditServiceOn('sqlite:/dev/null/x.db').service;
    await expect(never.onModuleInit()).rejects.toMatchObject({ code: 'AUDIT_UNAVAILABLE' });
    await expect(never.recordIntent(terminateIntent())).rejects.toMatchObject({
      code: 'AUDIT_UNAVAILABLE',
      message: 'The audit log cannot be written; nothing was forwarded',
    });
    await expect(never.checkWritable()).rejects.toMatchObject({ code: 'AUDIT_UNAVAILABLE' });
  });

  it('fails closed when another process holds the write lock beyond the busy timeout', async () => {
    const file = join(dir, 'audit.db');
    const audit = await services.start(`sqlite:${file}`, { options: { busyTimeoutMs: 50 } });
    const other = new Database(file);
    other.exec('begin immediate');
    try {
      await expect(audit.recordIntent(terminateIntent())).rejects.toMatchObject({
        code: 'AUDIT_UNAVAILABLE',
      });
      await expect(audit.checkWritable()).rejects.toMatchObject({ code: 'AUDIT_UNAVAILABLE' });
    } finally {
      other.exec('rollback');
      other.close();
    }
    // The lock released, the same service writes again and the chain has no hole.
    await audit.recordIntent(terminateIntent({ actor: alice }));
    expect(await audit.verify()).toEqual({ ok: true, count: 1 });
  });

  const asRoot = process.getuid?.() === 0;
  (asRoot ? it.skip : it)('fails closed when the database file is made read-only', async () => {
    // chmod does not stop root, so this case only runs unprivileged; the cases above cover root.
    const { chmodSync } = await import('node:fs');
    const file = join(dir, 'audit.db');
    const audit = await services.start(`sqlite:${file}`);
    await audit.recordIntent(terminateIntent());
    for (const f of [file, `${file}-wal`, `${file}-shm`]) if (existsSync(f)) chmodSync(f, 0o444);
    chmodSync(dir, 0o555);
    try {
      await expect(audit.checkWritable()).rejects.toMatchObject({ code: 'AUDIT_UNAVAILABLE' });
      const fresh = auditServiceOn(`sqlite:${file}`).service;
      await expect(fresh.onModuleInit()).rejects.toMatchObject({ code: 'AUDIT_UNAVAILABLE' });
      await expect(fresh.recordIntent(terminateIntent())).rejects.toMatchObject({
        code: 'AUDIT_UNAVAILABLE',
      });
    } finally {
      chmodSync(dir, 0o755);
      for (const f of [file, `${file}-wal`, `${file}-shm`]) if (existsSync(f)) chmodSync(f, 0o644);
    }
  });
});
