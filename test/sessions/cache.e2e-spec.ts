import { randomBytes } from 'node:crypto';
import Redis from 'ioredis';
import { startIssuer, type IssuerHandle } from '../support/oidc-issuer';
import { type GatewayHarness, startGateway } from '../support/gateway';
import { CHANNELS, fixtureSeed, listCalls, listSessions, namesOf } from './support/sessions-client';

/**
 * The session list cache: one upstream call for many readers, the last good list (marked
 * stale) while Segura is slow or failing, and sharing through Redis.
 */
let issuer: IssuerHandle;
const started: GatewayHarness[] = [];
const REDIS_URL = 'redis://127.0.0.1:6379';
const prefix = `pam-gw-test:${process.pid}:${randomBytes(4).toString('hex')}:`;

async function gateway(env: Record<string, string>, seed = fixtureSeed(), listLatencyMs = 0) {
  const gw = await startGateway({ issuer, env, simulator: { seed, listLatencyMs } });
  started.push(gw);
  return gw;
}

beforeAll(async () => {
  issuer = await startIssuer();
});
afterAll(async () => {
  for (const gw of started) await gw.close();
  await issuer?.stop();
  const redis = new Redis(REDIS_URL, { lazyConnect: true });
  try {
    await redis.connect();
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length > 0) await redis.del(...keys);
  } finally {
    redis.disconnect();
  }
});

// First: ioredis keeps a timer of a refused connection ~2 s after disconnect; let it expire
// while the other tests run.
it('keeps answering, from this replica alone, when Redis is unreachable', async () => {
  const gw = await gateway({ REDIS_URL: 'redis://127.0.0.1:1', REDIS_KEY_PREFIX: prefix });
  for (const channel of CHANNELS) {
    const out = await listSessions(gw, channel, {}, gw.tokens.viewer);
    expect(out.data).toMatchObject({ stale: false, totalCount: 6 });
  }
  expect(listCalls(gw)).toBe(1);
  started.splice(started.indexOf(gw), 1);
  await gw.close();
});

it('serves 50 concurrent readers of both channels with one upstream call', async () => {
  const gw = await gateway({}, fixtureSeed(), 300);
  const answers = await Promise.all(
    Array.from({ length: 50 }, (_, i) =>
      listSessions(gw, CHANNELS[i % 2], { filter: { active: true } }, gw.tokens.viewer),
    ),
  );
  expect(answers.map((a) => a.status)).toEqual(Array(50).fill(200));
  expect(new Set(answers.map((a) => a.data.fetchedAt)).size).toBe(1);
  expect(answers.every((a) => a.data.totalCount === 4 && a.data.stale === false)).toBe(true);
  expect(listCalls(gw)).toBe(1);
});

describe.each(CHANNELS)('a slow or failing Segura, over %s', (channel) => {
  let gw: GatewayHarness;
  beforeAll(async () => {
    // Every read past the TTL (0) refreshes, and waits 100 ms for it before answering stale.
    gw = await gateway({ SESSIONS_CACHE_TTL_MS: '0', SESSIONS_REFRESH_WAIT_MS: '100' });
  });
  beforeEach(() => {
    gw.simulator.clearFaults();
    gw.simulator.release();
  });

  it('answers the last good list, marked stale with its age, while Segura is slow', async () => {
    const first = await listSessions(gw, channel, {}, gw.tokens.viewer);
    expect(first.data).toMatchObject({ stale: false, totalCount: 6 });
    gw.simulator.addSession({ user: 'late-comer' });
    gw.simulator.injectFault({ kind: 'hang' }, { path: 'list' }, 1);
    const slow = await listSessions(gw, channel, {}, gw.tokens.viewer);
    expect(slow.status).toBe(200);
    expect(slow.data).toMatchObject({
      stale: true,
      totalCount: 6,
      fetchedAt: first.data.fetchedAt,
    });
    expect(slow.data.ageSeconds).toBeGreaterThanOrEqual(0);
    expect(namesOf(slow.data.sessions)).not.toContain('late-comer');
    gw.simulator.release();
  });

  it('answers the last good list, marked stale, while Segura fails', async () => {
    await listSessions(gw, channel, {}, gw.tokens.viewer);
    gw.simulator.injectFault({ kind: 'preset', preset: 'unexpected' }, { path: 'list' }, 1);
    const failing = await listSessions(gw, channel, {}, gw.tokens.viewer);
    expect(failing.status).toBe(200);
    expect(failing.data.stale).toBe(true);
  });
});

describe.each(CHANNELS)('with no usable list, over %s', (channel) => {
  it('waits for Segura and maps its error normally', async () => {
    const gw = await gateway({ SESSIONS_CACHE_STALE_MAX_MS: '0', SESSIONS_CACHE_TTL_MS: '0' });
    gw.simulator.injectFault({ kind: 'preset', preset: 'unexpected' }, { path: 'list' }, 1);
    expect(await listSessions(gw, channel, {}, gw.tokens.viewer)).toMatchObject({
      status: 502,
      code: 'UPSTREAM_ERROR',
    });
    expect((await listSessions(gw, channel, {}, gw.tokens.viewer)).data.stale).toBe(false);
    // Past SESSIONS_CACHE_STALE_MAX_MS (0 here) the old list is not served either.
    gw.simulator.injectFault({ kind: 'preset', preset: 'not-authorized' }, { path: 'list' }, 1);
    expect((await listSessions(gw, channel, {}, gw.tokens.viewer)).code).toBe('UPSTREAM_FORBIDDEN');
  });
});

describe('with REDIS_URL', () => {
  const env = { REDIS_URL, REDIS_KEY_PREFIX: prefix };

  it("lets one replica's fetch serve another replica", async () => {
    const a = await gateway(env);
    const b = await gateway(env, [{ user: 'only-on-b' }] as never);
    const fromA = await listSessions(a, 'rest', {}, a.tokens.viewer);
    const fromB = await listSessions(b, 'graphql', {}, b.tokens.viewer);
    expect(namesOf(fromB.data.sessions)).toEqual(namesOf(fromA.data.sessions));
    expect(fromB.data.fetchedAt).toBe(fromA.data.fetchedAt);
    expect(listCalls(a)).toBe(1);
    expect(listCalls(b)).toBe(0);
  });
});
