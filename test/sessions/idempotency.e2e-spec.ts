import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import Redis from 'ioredis';
import { fingerprintOf } from '../../src/sessions/idempotency.service';
import { PENDING_LEASE_MS } from '../../src/idempotency/idempotency.repository';
import { startIssuer, type IssuerHandle } from '../support/oidc-issuer';
import { type GatewayHarness, type HarnessOptions, startGateway } from '../support/gateway';
import { createPgSchema, describePg, type PgSchema } from '../support/postgres';
import {
  CHANNELS,
  drops,
  fixtureSeed,
  terminateMany,
  terminateOne,
  tokenFor,
} from './support/sessions-client';

/**
 * Retries that are safe: a repeated Idempotency-Key (REST) / idempotencyKey (GraphQL) gets the
 * first answer without calling Segura, across channels, restarts and replicas.
 */
let issuer: IssuerHandle;
let gw: GatewayHarness;
const REDIS_URL = 'redis://127.0.0.1:6379';
const redisPrefix = `pam-gw-test:${process.pid}:${randomBytes(4).toString('hex')}:`;
let n = 0;
const freshKey = () => `retry-${process.pid}-${++n}-${randomBytes(3).toString('hex')}`;

beforeAll(async () => {
  issuer = await startIssuer();
  gw = await startGateway({ issuer });
});
afterAll(async () => {
  await gw?.close();
  await issuer?.stop();
  const redis = new Redis(REDIS_URL, { lazyConnect: true });
  try {
    await redis.connect();
    const keys = await redis.keys(`${redisPrefix}*`);
    if (keys.length > 0) await redis.del(...keys);
  } finally {
    redis.disconnect();
  }
});
beforeEach(() => {
  gw.simulator.clearFaults();
  gw.simulator.resetRequests();
});

describe.each(CHANNELS)('terminateSession over %s', (channel) => {
  const other = channel === 'rest' ? 'graphql' : 'rest';
  const op = () => gw.tokens.operator;

  it('replays the first answer for a repeated key, in either channel, without calling Segura', async () => {
    const s = gw.simulator.addSession();
    const key = freshKey();
    const first = await terminateOne(gw, channel, s.sessionId, {
      reason: 'INC-9',
      key,
      token: op(),
    });
    expect(first.data).toMatchObject({ terminated: true, replayed: false });
    const again = await terminateOne(gw, channel, s.sessionId, {
      reason: 'INC-9',
      key,
      token: op(),
    });
    const across = await terminateOne(gw, other, s.sessionId, {
      reason: 'INC-9',
      key,
      token: op(),
    });
    for (const replay of [again, across]) {
      expect(replay.data).toEqual({ ...first.data, replayed: true });
    }
    expect(drops(gw)).toEqual([s.sessionId]);
    expect(gw.simulator.requests.filter((r) => r.method !== 'POST')).toHaveLength(1);
  });

  it('refuses the same key with a different request (422) and never forwards it', async () => {
    const s = gw.simulator.addSession();
    const t = gw.simulator.addSession();
    const key = freshKey();
    await terminateOne(gw, channel, s.sessionId, { key, token: op() });
    const otherSession = await terminateOne(gw, channel, t.sessionId, { key, token: op() });
    expect(otherSession).toMatchObject({
      status: 422,
      code: 'IDEMPOTENCY_KEY_REUSED',
      field: 'idempotencyKey',
    });
    const otherReason = await terminateOne(gw, channel, s.sessionId, {
      key,
      reason: 'x',
      token: op(),
    });
    expect(otherReason.code).toBe('IDEMPOTENCY_KEY_REUSED');
    expect(drops(gw)).toEqual([s.sessionId]);
  });

  it('keeps keys apart per caller', async () => {
    const key = freshKey();
    const zoe = await tokenFor(gw, 'zoe', ['session-operator']);
    const s = gw.simulator.addSession();
    const t = gw.simulator.addSession();
    await terminateOne(gw, channel, s.sessionId, { key, token: op() });
    const hers = await terminateOne(gw, channel, t.sessionId, { key, token: zoe });
    expect(hers.data).toMatchObject({ sessionId: t.sessionId, replayed: false });
    expect(drops(gw)).toEqual([s.sessionId, t.sessionId]);
  });

  it.each([
    ['129 characters', 'k'.repeat(129)],
    ['a space', 'two words'],
    ['a non-ASCII character', 'chave-é'],
    ['nothing', ''],
  ])('refuses a key with %s as BAD_USER_INPUT', async (_name, key) => {
    const s = gw.simulator.addSession();
    const out = await terminateOne(gw, channel, s.sessionId, { key, token: op() });
    expect(out).toMatchObject({ status: 400, code: 'BAD_USER_INPUT', field: 'idempotencyKey' });
    expect(drops(gw)).toEqual([]);
  });

  it('frees the key when the request failed, so a retry runs again', async () => {
    const s = gw.simulator.addSession();
    const key = freshKey();
    gw.simulator.injectFault({ kind: 'preset', preset: 'unexpected' }, { path: 'drop' }, 1);
    expect((await terminateOne(gw, channel, s.sessionId, { key, token: op() })).code).toBe(
      'UPSTREAM_ERROR',
    );
    const retry = await terminateOne(gw, channel, s.sessionId, { key, token: op() });
    expect(retry.data).toMatchObject({ terminated: true, replayed: false });
    expect(drops(gw)).toEqual([s.sessionId, s.sessionId]);
  });

  it('calls Segura once for concurrent duplicates', async () => {
    const s = gw.simulator.addSession();
    const key = freshKey();
    gw.simulator.injectFault({ kind: 'latency', ms: 300 }, { path: 'drop' }, 1);
    const outs = await Promise.all(
      Array.from({ length: 5 }, () => terminateOne(gw, channel, s.sessionId, { key, token: op() })),
    );
    expect(outs.map((o) => o.status)).toEqual([200, 200, 200, 200, 200]);
    expect(new Set(outs.map((o) => o.data.auditEventId)).size).toBe(1);
    expect(outs.filter((o) => o.data.replayed)).toHaveLength(4);
    expect(drops(gw)).toEqual([s.sessionId]);
  });
});

describe.each(CHANNELS)('terminateSessions over %s', (channel) => {
  it('replays a bulk answer without listing or dropping again', async () => {
    gw.simulator.seedSessions(fixtureSeed());
    gw.simulator.resetRequests();
    const key = freshKey();
    const args = { filter: { user: 'admin-x' }, reason: 'INC-10', key };
    const first = await terminateMany(gw, channel, args, gw.tokens.operator);
    expect(first.data).toMatchObject({ terminatedCount: 2, replayed: false });
    const seen = gw.simulator.requests.length;
    const again = await terminateMany(gw, channel, args, gw.tokens.operator);
    expect(again.data).toEqual({ ...first.data, replayed: true });
    expect(gw.simulator.requests).toHaveLength(seen);
    const dry = await terminateMany(gw, channel, { ...args, dryRun: true }, gw.tokens.operator);
    expect(dry.code).toBe('IDEMPOTENCY_KEY_REUSED');
  });
});

it('takes an explicit null idempotencyKey (GraphQL) as no key, as the console sends it', async () => {
  gw.simulator.seedSessions(fixtureSeed());
  const dry = await terminateMany(
    gw,
    'graphql',
    { filter: { user: 'admin-x' }, dryRun: true, key: null },
    gw.tokens.operator,
  );
  expect(dry.code).toBeUndefined();
  expect(dry.data).toMatchObject({ dryRun: true, matched: 2, replayed: false });
  const s = gw.simulator.addSession();
  const one = await gw.graphql(
    `mutation T($id: ID!) { terminateSession(id: $id, idempotencyKey: null) { terminated replayed } }`,
    { id: s.sessionId },
    gw.tokens.operator,
  );
  expect(one.json?.data?.terminateSession).toEqual({ terminated: true, replayed: false });
});

async function replicaPair(
  optsA: HarnessOptions,
  optsB: HarnessOptions,
  check: (a: GatewayHarness, b: GatewayHarness) => Promise<void>,
): Promise<void> {
  const a = await startGateway({ issuer, ...optsA });
  let b: GatewayHarness | undefined;
  try {
    b = await startGateway({ issuer, ...optsB });
    await check(a, b);
  } finally {
    await a.close();
    await b?.close();
  }
}

/** A on its own, then B: B must replay what A answered, and never call its own Segura. */
async function expectReplayOn(a: GatewayHarness, b: GatewayHarness, closeAFirst = false) {
  const s = a.simulator.addSession();
  const key = freshKey();
  const token = await tokenFor(a, 'alice', ['session-operator']);
  const first = await terminateOne(a, 'rest', s.sessionId, { key, token });
  expect(first.data.replayed).toBe(false);
  if (closeAFirst) await a.close();
  const replay = await terminateOne(b, 'graphql', s.sessionId, { key, token });
  expect(replay.data).toEqual({ ...first.data, replayed: true });
  const misuse = await terminateOne(b, 'rest', 'ab'.repeat(20), { key, token });
  expect(misuse.code).toBe('IDEMPOTENCY_KEY_REUSED');
  expect(b.simulator.requests).toHaveLength(0);
}

it('holds across a restart (SQLite audit database)', async () => {
  const dir = gw.dir;
  const env = { AUDIT_DATABASE_URL: `sqlite:${join(dir, 'shared-audit.db')}` };
  const a = await startGateway({ issuer, env });
  const s = a.simulator.addSession();
  const key = freshKey();
  const token = await tokenFor(a, 'alice', ['session-operator']);
  const first = await terminateOne(a, 'rest', s.sessionId, { key, token });
  await a.close();
  const b = await startGateway({ issuer, env });
  try {
    const replay = await terminateOne(b, 'graphql', s.sessionId, { key, token });
    expect(replay.data).toEqual({ ...first.data, replayed: true });
    expect(b.simulator.requests).toHaveLength(0);
  } finally {
    await b.close();
  }
});

it('holds across replicas sharing only Redis', async () => {
  const redis = { REDIS_URL, REDIS_KEY_PREFIX: redisPrefix };
  await replicaPair({ env: redis }, { env: redis }, (a, b) => expectReplayOn(a, b));
});

describePg('on PostgreSQL', () => {
  let schema: PgSchema;
  beforeAll(async () => {
    schema = await createPgSchema('idem');
  });
  afterAll(async () => {
    await schema?.drop();
  });

  it('holds across replicas sharing the audit database', async () => {
    const env = { AUDIT_DATABASE_URL: schema.url };
    await replicaPair({ env }, { env }, (a, b) => expectReplayOn(a, b));
  });
});

describe('a key held by a request still in progress elsewhere', () => {
  let quick: GatewayHarness;
  beforeAll(async () => {
    // Waits for another replica's request up to 2 × PAM_CORE_TIMEOUT_MS + 2 s.
    quick = await startGateway({ issuer, env: { PAM_CORE_TIMEOUT_MS: '100' } });
  });
  afterAll(async () => {
    await quick?.close();
  });

  /** What another replica's reservation looks like in the shared table. */
  function reserveElsewhere(key: string, fingerprintOfRequest: string, ageMs: number): void {
    const db = new Database(join(quick.dir, 'audit.db'));
    try {
      const created = new Date(Date.now() - ageMs);
      db.prepare(
        `insert into idempotency_keys (principal, key, fingerprint, state, response, created_at, expires_at)
         values (?, ?, ?, 'pending', null, ?, ?)`,
      ).run(
        `jwt:${quick.issuer.url}:alice`, // the operator token's principal key
        key,
        fingerprintOfRequest,
        created.toISOString(),
        new Date(created.getTime() + 86_400_000).toISOString(),
      );
    } finally {
      db.close();
    }
  }

  it('is waited for, then refused with Retry-After, without calling Segura', async () => {
    const s = quick.simulator.addSession();
    const key = freshKey();
    reserveElsewhere(
      key,
      fingerprintOf({ op: 'terminateSession', sessionId: s.sessionId, reason: null }),
      0,
    );
    const res = await quick.request('POST', `/api/v1/sessions/${s.sessionId}/terminate`, {
      token: quick.tokens.operator,
      headers: { 'idempotency-key': key },
    });
    expect(res.status).toBe(422);
    expect(res.json).toMatchObject({ code: 'IDEMPOTENCY_KEY_REUSED', field: 'idempotencyKey' });
    expect(res.headers.get('retry-after')).toBe('2');
    expect(drops(quick)).toEqual([]);
  });

  it('is taken over once its lease has run out (a crashed replica)', async () => {
    const s = quick.simulator.addSession();
    const key = freshKey();
    const fp = fingerprintOf({ op: 'terminateSession', sessionId: s.sessionId, reason: null });
    reserveElsewhere(key, fp, PENDING_LEASE_MS + 60_000);
    const out = await terminateOne(quick, 'graphql', s.sessionId, {
      key,
      token: quick.tokens.operator,
    });
    expect(out.data).toMatchObject({ terminated: true, replayed: false });
  });
});
