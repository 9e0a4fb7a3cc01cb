import { randomBytes } from 'node:crypto';
import Redis from 'ioredis';
import { type GatewayHarness, AUDIENCE, startGateway } from '../support/gateway';
import { unusedPort } from '../support/gateway-process';
import { type IssuerHandle, startIssuer } from '../support/oidc-issuer';
import { type RedisProcess, startRedisServer } from '../support/redis-server';
import { type Channel, terminate } from '../support/termination';

/**
 * Rate limits with Redis (shared by replicas) and without it (each replica's memory): a Redis
 * that is down, frozen or killed never blocks, holds or crashes a termination, and the limit
 * still applies, per replica. RATE_LIMITED is 429 + Retry-After in REST and
 * extensions.code/retryAfterSeconds in GraphQL.
 */
const LIMIT = 3;
const MACHINE_REDIS = 'redis://127.0.0.1:6379';

let issuer: IssuerHandle;
beforeAll(async () => {
  issuer = await startIssuer();
});
afterAll(async () => {
  await issuer?.stop();
});

const limitedEnv = (redisUrl: string, perMinute = LIMIT) => ({
  REDIS_URL: redisUrl,
  RATE_LIMIT_TERMINATIONS_PER_MINUTE: String(perMinute),
  // Per-IP counting would share one key (127.0.0.1) with every other test on this Redis.
  RATE_LIMIT_IP_PER_MINUTE: '0',
});

async function operatorToken(sub: string): Promise<string> {
  return issuer.token({
    payload: { aud: AUDIENCE, sub, preferred_username: sub, roles: ['session-operator'] },
  });
}

async function once(gw: GatewayHarness, channel: Channel, token: string) {
  return terminate(gw.url, channel, gw.simulator.addSession().sessionId, { token });
}

function expectRateLimited(answer: Awaited<ReturnType<typeof once>>): void {
  expect(answer).toMatchObject({ status: 429, code: 'RATE_LIMITED' });
  expect(Number(answer.retryAfter)).toBeGreaterThanOrEqual(1);
  expect(Number(answer.retryAfter)).toBeLessThanOrEqual(60);
}

describe('Redis not listening', () => {
  let gw: GatewayHarness;
  beforeAll(async () => {
    gw = await startGateway({ issuer, env: limitedEnv(`redis://127.0.0.1:${await unusedPort()}`) });
  });
  afterAll(async () => {
    await gw?.close();
  });

  it('terminations still work and the limit still applies, from memory', async () => {
    const token = gw.tokens.operator;
    for (const channel of ['rest', 'graphql', 'rest'] as const) {
      expect((await once(gw, channel, token)).status).toBe(200);
    }
    expectRateLimited(await once(gw, 'rest', token));
    expectRateLimited(await once(gw, 'graphql', token));
    // Refused before anything else: neither forwarded nor written to the audit log.
    expect(gw.simulator.requests.filter((r) => r.method === 'DELETE')).toHaveLength(LIMIT);
    expect(gw.logs.some((l) => l.includes('rate limits fall back to per-replica memory'))).toBe(
      true,
    );
  });
});

describe('Redis frozen, then killed', () => {
  let redis: RedisProcess;
  let gw: GatewayHarness;
  beforeAll(async () => {
    redis = await startRedisServer();
    gw = await startGateway({ issuer, env: limitedEnv(redis.url, 100) });
  });
  afterAll(async () => {
    await gw?.close();
    await redis?.kill();
  });

  it('never holds a termination: a Redis that stops answering is waited for briefly, then memory counts', async () => {
    const token = gw.tokens.operator;
    expect((await once(gw, 'rest', token)).status).toBe(200);
    const client = new Redis(redis.url);
    expect(await client.keys('pam-gateway:rl:principal:*')).toEqual([
      `pam-gateway:rl:principal:jwt:${issuer.url}:alice`, // the credential's key
    ]);
    client.disconnect();

    redis.freeze();
    expect((await once(gw, 'graphql', token)).status).toBe(200);
    expect((await once(gw, 'rest', token)).status).toBe(200);
    expect(gw.logs.filter((l) => l.includes('Redis unreachable or not answering'))).toHaveLength(1);

    redis.thaw();
    expect((await once(gw, 'rest', token)).status).toBe(200);
    expect(gw.logs.some((l) => l.includes('Redis answering again'))).toBe(true);

    await redis.kill();
    expect((await once(gw, 'graphql', token)).status).toBe(200);
    expect((await gw.request('GET', '/health/live')).status).toBe(200);
  });
});

describe('Redis up: limits shared by replicas', () => {
  let a: GatewayHarness;
  let b: GatewayHarness;
  // A principal of this run only, so the counters are ours alone on the shared Redis.
  const sub = `rl-${randomBytes(6).toString('hex')}`;
  const key = () => `pam-gateway:rl:principal:jwt:${issuer.url}:${sub}`;
  beforeAll(async () => {
    [a, b] = await Promise.all([
      startGateway({ issuer, env: limitedEnv(MACHINE_REDIS) }),
      startGateway({ issuer, env: limitedEnv(MACHINE_REDIS) }),
    ]);
  });
  afterAll(async () => {
    await a?.close();
    await b?.close();
    const client = new Redis(MACHINE_REDIS, { maxRetriesPerRequest: 1 });
    await client.del(key()).catch(() => undefined);
    client.disconnect();
  });

  it("the second replica sees the first one's count", async () => {
    const token = await operatorToken(sub);
    expect((await once(a, 'rest', token)).status).toBe(200);
    expect((await once(a, 'graphql', token)).status).toBe(200);
    expect((await once(b, 'rest', token)).status).toBe(200);
    // B alone has counted one: only the count shared through Redis makes this the fourth.
    expectRateLimited(await once(b, 'graphql', token));
    expectRateLimited(await once(b, 'rest', token));
    expectRateLimited(await once(a, 'rest', token));
    const client = new Redis(MACHINE_REDIS);
    expect(Number(await client.get(key()))).toBeGreaterThanOrEqual(LIMIT + 1);
    client.disconnect();
    expect(a.logs.concat(b.logs).some((l) => l.includes('Redis unreachable'))).toBe(false);
  });
});

describe('Redis up with REDIS_KEY_PREFIX', () => {
  let gw: GatewayHarness;
  const run = randomBytes(6).toString('hex');
  const prefix = `pam-gw-test-${run}:`;
  const sub = `rl-${run}`;
  // The credential's key (jwt:<iss>:<sub>); the issuer's URL is known once it has started.
  const key = () => `${prefix}rl:principal:jwt:${issuer.url}:${sub}`;
  const defaultKey = () => `pam-gateway:rl:principal:jwt:${issuer.url}:${sub}`;
  beforeAll(async () => {
    gw = await startGateway({
      issuer,
      env: { ...limitedEnv(MACHINE_REDIS), REDIS_KEY_PREFIX: prefix },
    });
  });
  afterAll(async () => {
    await gw?.close();
    const client = new Redis(MACHINE_REDIS, { maxRetriesPerRequest: 1 });
    await client.del(key(), defaultKey()).catch(() => undefined);
    client.disconnect();
  });

  it('the rate-limit counter lands under the configured prefix, not the default one', async () => {
    expect((await once(gw, 'rest', await operatorToken(sub))).status).toBe(200);
    const client = new Redis(MACHINE_REDIS);
    try {
      expect(await client.keys(`${prefix}*`)).toEqual([key()]);
      expect(Number(await client.get(key()))).toBe(1);
      expect(await client.exists(defaultKey())).toBe(0);
    } finally {
      client.disconnect();
    }
  });
});
