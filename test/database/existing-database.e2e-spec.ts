import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Logger } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import Database from 'better-sqlite3';
import { auditMigrations } from '../../src/audit/audit-migrations';
import { AuditModule } from '../../src/audit/audit.module';
import { AuditService } from '../../src/audit/audit.service';
import type { AppConfig } from '../../src/config/app-config';
import { ConfigModule } from '../../src/config/config.module';
import * as databaseFile from '../../src/database/database';
import { openDatabase } from '../../src/database/database';
import { databaseMigrations, migrateDatabase } from '../../src/database/database-migrations';
import { GatewayDatabase } from '../../src/database/gateway-database';
import { IdempotencyModule } from '../../src/idempotency/idempotency.module';
import { IdempotencyRepository } from '../../src/idempotency/idempotency.repository';
import { RedisClient, SharedCache } from '../../src/redis';
import { range, Services, terminateIntent } from '../audit/support/audit-fixtures';

/**
 * A database written by the code before the idempotency answers got their own migration list
 * (issue 14): the audit chain's and the idempotency table's migrations are now composed from two
 * modules, and kysely refuses a database that recorded a migration it is not given. The fixture
 * was dumped from that code (three chain entries under AUDIT_HMAC_KEY=fixture-key, one answer).
 */
const FIXTURE = join(__dirname, '..', 'fixtures', 'gateway-db-before-issue-14.sql');
const HMAC_KEY = 'fixture-key';
const RELEASED = [
  '0001_audit_chain',
  '0002_append_only_guards',
  '0003_idempotency_keys',
  '0004_actor_username',
];
/** Migrations added since: applied on top of the released ones when an old database opens. */
const SINCE = ['0005_event_outbox'];

describe('a database made before issue 14', () => {
  const services = new Services();
  let dir: string;
  let file: string;

  beforeAll(() => Logger.overrideLogger(false));
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'gateway-db-old-'));
    file = join(dir, 'audit.db');
    const raw = new Database(file);
    raw.exec(readFileSync(FIXTURE, 'utf8'));
    raw.close();
  });
  afterEach(async () => {
    await services.stopAll();
    rmSync(dir, { recursive: true, force: true });
  });

  it('opens unchanged: its chain verifies and grows, its stored answer replays', async () => {
    const url = `sqlite:${file}`;
    const audit = await services.start(url, { hmacKey: HMAC_KEY });
    expect(await audit.verify()).toEqual({ ok: true, count: 3 });
    await audit.recordIntent(terminateIntent({ decision: 'denied', errorCode: 'FORBIDDEN' }));
    expect(await audit.verify()).toEqual({ ok: true, count: 4 });

    const database = new GatewayDatabase({ audit: { databaseUrl: url } });
    const shared = new SharedCache(new RedisClient({ redisUrl: undefined, redisKeyPrefix: '' }));
    const answers = new IdempotencyRepository(database, shared, {
      sessions: { idempotencyTtlHours: 24 },
    } as ConstructorParameters<typeof IdempotencyRepository>[2]);
    try {
      await answers.onModuleInit();
      await expect(
        answers.reserve('jwt:https://idp.example:alice', 'fixture-key-1', 'f'.repeat(64)),
      ).resolves.toEqual({
        kind: 'replay',
        response: { sessionId: '101', terminated: true },
      });
    } finally {
      await database.close();
    }

    const raw = new Database(file, { readonly: true });
    try {
      const names = raw.prepare('select name from kysely_migration order by name').all();
      expect(names.map((r) => (r as { name: string }).name)).toEqual([...RELEASED, ...SINCE]);
    } finally {
      raw.close();
    }
  });

  it('keeps every released migration name in the composed list, in release order', () => {
    expect(Object.keys(databaseMigrations('sqlite')).sort()).toEqual([...RELEASED, ...SINCE]);
  });

  it('would be refused by a list that lost a released migration (why the names stay)', async () => {
    const database = await openDatabase(`sqlite:${file}`);
    try {
      await expect(migrateDatabase(database, auditMigrations('sqlite'))).rejects.toThrow(
        /0003_idempotency_keys/,
      );
    } finally {
      await database.close();
    }
  });
});

describe('the audit and idempotency modules in one app', () => {
  let dir: string;

  beforeAll(() => Logger.overrideLogger(false));
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'gateway-db-shared-'));
  });
  afterEach(() => {
    jest.restoreAllMocks();
    rmSync(dir, { recursive: true, force: true });
  });

  it('share one connection, and it closes only after the audit writer drained', async () => {
    const file = join(dir, 'audit.db');
    const opened = jest.spyOn(databaseFile, 'openDatabase');
    const config = {
      audit: { databaseUrl: `sqlite:${file}` },
      sessions: { idempotencyTtlHours: 24 },
      redisKeyPrefix: '',
    } as AppConfig;
    const moduleRef = await Test.createTestingModule({
      imports: [ConfigModule.forRoot(config), AuditModule, IdempotencyModule],
    }).compile();
    await moduleRef.init();
    expect(opened).toHaveBeenCalledTimes(1);

    const answers = moduleRef.get(IdempotencyRepository);
    await expect(answers.reserve('jwt:iss:alice', 'k-1', 'f'.repeat(64))).resolves.toEqual({
      kind: 'reserved',
    });
    const audit = moduleRef.get(AuditService);
    const queued = range(1, 50).map(() => audit.recordIntent(terminateIntent()));
    await moduleRef.close();
    await expect(Promise.all(queued)).resolves.toHaveLength(50);

    const raw = new Database(file, { readonly: true });
    try {
      const count = (table: string) =>
        (raw.prepare(`select count(*) as n from ${table}`).get() as { n: number }).n;
      expect([count('audit_chain'), count('idempotency_keys')]).toEqual([50, 1]);
    } finally {
      raw.close();
    }
  });
});
