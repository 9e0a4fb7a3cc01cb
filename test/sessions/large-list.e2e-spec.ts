import { randomBytes } from 'node:crypto';
import Redis from 'ioredis';
import type { SimSession } from '../../simulator/pam-core-simulator';
import { compareSessions } from '../../src/sessions/session-query';
import { type GatewayHarness, startGateway } from '../support/gateway';
import { startIssuer, type IssuerHandle } from '../support/oidc-issuer';
import { CHANNELS, listCalls, listSessions } from './support/sessions-client';

/**
 * A Segura with 100,000 sessions: the list goes through the list thread (parse, normalise,
 * sort, serialise for Redis), the filters over precomputed fields, and the copy in Redis
 * through a thread again on the second replica. Speed is the bench's (bench:list); this pins
 * that the answers are right and that the event loop answers meanwhile.
 */
const SESSIONS = 100_000;
const REDIS_URL = 'redis://127.0.0.1:6379';
const prefix = `pam-gw-test:${process.pid}:${randomBytes(4).toString('hex')}:`;
let issuer: IssuerHandle;
let a: GatewayHarness;
let b: GatewayHarness;

const active = (s: SimSession) => s.end === '';
const FILTERS: Array<[Record<string, string | boolean>, (s: SimSession) => boolean]> = [
  [{ active: true, user: 'admin*' }, (s) => active(s) && s.user.toLowerCase().startsWith('admin')],
  [
    { device: '10.*', protocol: 'ssh' },
    (s) => s.device.startsWith('10.') && s.protocol.toLowerCase() === 'ssh',
  ],
];

/** The first page Segura's own list gives for a filter, in listing order. */
function expected(sim: SimSession[], keep: (s: SimSession) => boolean) {
  const all = sim
    .filter(keep)
    .map((s) => ({ sessionId: s.sessionId, start: s.start.replace(' ', 'T') }))
    .sort(compareSessions);
  return { totalCount: all.length, firstPage: all.slice(0, 50).map((s) => s.sessionId) };
}

beforeAll(async () => {
  issuer = await startIssuer();
  // The in-process simulator takes seconds to write 100,000 sessions on a busy machine.
  // A long TTL: the second replica (whose own Segura holds one session) must not refresh.
  const env = {
    REDIS_URL,
    REDIS_KEY_PREFIX: prefix,
    PAM_CORE_TIMEOUT_MS: '60000',
    SESSIONS_CACHE_TTL_MS: '600000',
  };
  // Slowed, so that the liveness probe below is sent while the list is on its way.
  a = await startGateway({ issuer, env, simulator: { seed: SESSIONS, listLatencyMs: 300 } });
  b = await startGateway({ issuer, env, simulator: { seed: 1 } });
}, 120_000);
afterAll(async () => {
  await a?.close();
  await b?.close();
  await issuer?.stop();
  const redis = new Redis(REDIS_URL);
  try {
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length > 0) await redis.del(...keys);
  } finally {
    redis.disconnect();
  }
});

it('answers the liveness probe while a 100,000-session list is fetched and parsed', async () => {
  const order: string[] = [];
  const list = listSessions(a, 'rest', { filter: { active: true } }, a.tokens.viewer).then(
    (out) => {
      order.push('list');
      return out;
    },
  );
  await new Promise((r) => setTimeout(r, 50));
  const live = await a.request('GET', '/health/live');
  order.push('live');
  expect(live.status).toBe(200);
  const out = await list;
  expect(out.status).toBe(200);
  expect(out.data.totalCount).toBe(a.simulator.getSessions().filter(active).length);
  expect(order).toEqual(['live', 'list']);
}, 60_000);

describe.each(CHANNELS)('%s', (channel) => {
  it.each(FILTERS)(
    'filters 100,000 sessions by %j exactly as Segura lists them',
    async (f, keep) => {
      const want = expected(a.simulator.getSessions(), keep);
      expect(want.totalCount).toBeGreaterThan(50);
      for (const gw of [a, b]) {
        const out = await listSessions(gw, channel, { filter: f }, gw.tokens.viewer);
        expect(out.status).toBe(200);
        expect({
          totalCount: out.data.totalCount,
          firstPage: (out.data.sessions as Array<{ sessionId: string }>).map((s) => s.sessionId),
        }).toEqual(want);
      }
      // The second replica read the first one's list from Redis, not from its own Segura.
      expect(listCalls(b)).toBe(0);
    },
    60_000,
  );
});
