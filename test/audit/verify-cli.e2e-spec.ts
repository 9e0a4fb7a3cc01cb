import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Logger } from '@nestjs/common';
import { createPgSchema, describePg, pgQuery } from '../support/postgres';
import { Services, terminateIntent } from './support/audit-fixtures';
import { postgresTarget, sqliteTarget, type StoreTarget } from './support/store-targets';
import { runCli } from './support/verify-cli';

// jest applies testTimeout only globally, not from the e2e project config.
jest.setTimeout(30_000);

const fileHash = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex');

/** Three records (intent+outcome, denial): four chain entries. */
async function seed(services: Services, url: string, hmacKey?: string) {
  const audit = await services.start(url, { hmacKey });
  const a = await audit.recordIntent(terminateIntent());
  await audit.recordOutcome(a.id, { outcome: 'succeeded' });
  const b = await audit.recordIntent(terminateIntent({ reason: 'to be edited' }));
  await audit.recordIntent(terminateIntent({ decision: 'denied', errorCode: 'FORBIDDEN' }));
  await audit.recordOutcome(b.id, { outcome: 'failed' });
  await services.stopAll();
  return { a, b };
}

function defineCliSuite(target: StoreTarget): void {
  describe(`audit:verify on ${target.name}`, () => {
    const services = new Services();
    beforeAll(() => Logger.overrideLogger(false));
    afterEach(() => services.stopAll());
    afterAll(() => target.cleanup());

    it('exits 0 and counts the entries of an intact chain', async () => {
      const url = await target.freshUrl();
      await seed(services, url);
      const run = await runCli({ AUDIT_DATABASE_URL: url });
      expect(run).toMatchObject({ code: 0, stdout: 'audit chain intact: 5 entries\n' });
    });

    it('exits 1 naming the first broken record', async () => {
      const url = await target.freshUrl();
      const { b } = await seed(services, url);
      await target.dropGuards(url);
      await target.sql(url, "update audit_chain set reason = 'edited' where id = ?", [b.id]);
      const run = await runCli({ AUDIT_DATABASE_URL: url });
      expect(run.code).toBe(1);
      expect(run.stdout).toContain(`audit chain BROKEN at seq 3 (entry ${b.id}): hash mismatch`);
      expect(run.stdout).toContain('2 entries before it verified');
    });

    it('reads the HMAC key from AUDIT_HMAC_KEY_FILE and reports a wrong key at record 1', async () => {
      const url = await target.freshUrl();
      const { a } = await seed(services, url, 'cli-test-key');
      const dir = mkdtempSync(join(tmpdir(), 'audit-key-'));
      try {
        writeFileSync(join(dir, 'key'), 'cli-test-key\n');
        const good = await runCli({
          AUDIT_DATABASE_URL: url,
          AUDIT_HMAC_KEY_FILE: join(dir, 'key'),
        });
        expect(good).toMatchObject({ code: 0, stdout: 'audit chain intact: 5 entries\n' });
        const wrong = await runCli({ AUDIT_DATABASE_URL: url, AUDIT_HMAC_KEY: 'not-the-key' });
        expect(wrong.code).toBe(1);
        expect(wrong.stdout).toContain(
          `seq 1 (entry ${a.id}): hash mismatch (wrong AUDIT_HMAC_KEY or tampered)`,
        );
        expect(wrong.stdout + wrong.stderr).not.toContain('not-the-key');
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  });
}

defineCliSuite(sqliteTarget());

describe('audit:verify on sqlite: read-only and exit 2', () => {
  const services = new Services();
  let dir: string;
  beforeAll(() => Logger.overrideLogger(false));
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'audit-cli-'));
  });
  afterEach(async () => {
    await services.stopAll();
    rmSync(dir, { recursive: true, force: true });
  });

  it('leaves the database file exactly as it found it, and closes no open intent', async () => {
    const file = join(dir, 'audit.db');
    const audit = await services.start(`sqlite:${file}`);
    await audit.recordIntent(terminateIntent());
    await services.stopAll();
    const before = fileHash(file);
    const run = await runCli({ AUDIT_DATABASE_URL: `sqlite:${file}` });
    expect(run).toMatchObject({ code: 0, stdout: 'audit chain intact: 1 entries\n' });
    expect(fileHash(file)).toBe(before);
  });

  it('exits 2 without creating anything when the file does not exist', async () => {
    const file = join(dir, 'missing.db');
    const run = await runCli({ AUDIT_DATABASE_URL: `sqlite:${file}` });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('cannot open the audit store named by AUDIT_DATABASE_URL');
    expect(existsSync(file)).toBe(false);
  });

  it('exits 2 with one line per bad setting, never echoing a value', async () => {
    const run = await runCli({
      AUDIT_DATABASE_URL: 'mysql://secret-password@db/audit',
      AUDIT_HMAC_KEY: 'k',
      AUDIT_HMAC_KEY_FILE: join(dir, 'key'),
    });
    expect(run.code).toBe(2);
    expect(run.stderr.trim().split('\n')).toEqual([
      'audit:verify: AUDIT_HMAC_KEY_FILE: cannot be set together with AUDIT_HMAC_KEY',
      'audit:verify: AUDIT_DATABASE_URL: must be sqlite:<path> or postgres://…',
    ]);
    expect(run.stderr).not.toContain('secret-password');
  });
});

describePg('verify CLI against postgres', () => {
  defineCliSuite(postgresTarget());

  it('exits 2 on an unmigrated schema and does not create its tables', async () => {
    const schema = await createPgSchema('audit_cli');
    try {
      const run = await runCli({ AUDIT_DATABASE_URL: schema.url });
      expect(run.code).toBe(2);
      expect(run.stderr).toContain('cannot read the audit chain');
      const tables = await pgQuery('select tablename from pg_tables where schemaname = $1', [
        schema.schema,
      ]);
      expect(tables).toEqual([]);
    } finally {
      await schema.drop();
    }
  });

  it('exits 2 when the database refuses connections', async () => {
    const run = await runCli({ AUDIT_DATABASE_URL: 'postgres://postgres@127.0.0.1:1/test' });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('cannot open the audit store');
  });
});
