import type { AuditRecord } from '../../src/audit/audit.types';
import type { Fault, FaultMatch } from '../../simulator/pam-core-simulator';
import { readAuditRecords } from '../support/audit-reader';
import { type GatewayHarness, httpCall, startGateway } from '../support/gateway';
import { type IssuerHandle, startIssuer } from '../support/oidc-issuer';
import { type Channel, CHANNELS, statusOfCode, terminate } from '../support/termination';

/**
 * Segura's own rate limit (its API v2 conventions: 429 with Retry-After). The caller gets
 * UPSTREAM_UNAVAILABLE with Segura's Retry-After, and for that long every call the gateway
 * would make to Segura (drop, list, get, token, readiness) is answered the same way without
 * reaching it. Counted with the simulator's control API. The pause is not the circuit breaker
 * and never opens it.
 */
let issuer: IssuerHandle;
beforeAll(async () => {
  issuer = await startIssuer();
});
afterAll(async () => {
  await issuer?.stop();
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function start(): Promise<GatewayHarness> {
  return startGateway({
    issuer,
    // Every listing asks Segura (no cache, no stale list), so a paused one shows.
    env: { SESSIONS_CACHE_TTL_MS: '0', SESSIONS_CACHE_STALE_MAX_MS: '0', METRICS_PUBLIC: 'true' },
    // Fast retries; the breaker's threshold (5) and cool-down are production's.
    pamCorePolicy: { retryInitialDelayMs: 1, retryMaxDelayMs: 10 },
  });
}

const control = (gw: GatewayHarness) => new URL(gw.simulator.url).origin + '/__sim';

/** Requests Segura received so far, from the simulator's control API. */
async function seguraRequests(gw: GatewayHarness): Promise<Array<{ method: string }>> {
  return (await httpCall(control(gw), 'GET', '/requests')).json as Array<{ method: string }>;
}

async function inject(gw: GatewayHarness, fault: Fault, match: FaultMatch, times = 1) {
  const res = await httpCall(control(gw), 'POST', '/faults', { body: { fault, match, times } });
  expect(res.status).toBe(201);
}

interface Seen {
  status: number;
  code?: string;
  retryAfter: number | null;
  requestId: string | null;
}

const QUERIES = {
  list: 'query { remoteSessions(first: 5) { totalCount } }',
  get: 'query($id: ID!) { remoteSession(id: $id) { sessionId } }',
};

/** A listing or a single read over either channel, reduced to what the caller sees. */
async function read(gw: GatewayHarness, kind: 'list' | 'get', channel: Channel): Promise<Seen> {
  const id = gw.simulator.getSessions()[0].sessionId;
  const token = gw.tokens.viewer;
  if (channel === 'rest') {
    const res = await gw.request(
      'GET',
      kind === 'list' ? '/api/v1/sessions?limit=5' : `/api/v1/sessions/${id}`,
      { token },
    );
    const ra = res.headers.get('retry-after');
    return {
      status: res.status,
      code: res.json?.code,
      retryAfter: ra === null ? null : Number(ra),
      requestId: res.headers.get('x-request-id'),
    };
  }
  const res = await gw.graphql(QUERIES[kind], kind === 'get' ? { id } : {}, token);
  const err = res.json?.errors?.[0];
  return {
    status: err ? statusOfCode(err.extensions?.code) : res.status,
    code: err?.extensions?.code,
    retryAfter: err?.extensions?.retryAfterSeconds ?? null,
    requestId: res.headers.get('x-request-id'),
  };
}

async function drop(gw: GatewayHarness, channel: Channel) {
  const sessionId = gw.simulator.addSession().sessionId;
  const a = await terminate(gw.url, channel, sessionId, { token: gw.tokens.operator });
  const seen: Seen = {
    status: a.status,
    code: a.code,
    retryAfter: a.retryAfter === null ? null : Number(a.retryAfter),
    requestId: a.requestId,
  };
  return { sessionId, seen };
}

async function recordOf(gw: GatewayHarness, sessionId: string): Promise<AuditRecord> {
  const records = await readAuditRecords(gw.url, { token: gw.tokens.auditor }, { sessionId });
  const terminations = records.filter((r) => r.action === 'session.terminate');
  expect(terminations).toHaveLength(1);
  return terminations[0];
}

/** One sample of the Prometheus text at /metrics (METRICS_PUBLIC=true). */
async function metric(gw: GatewayHarness, name: string): Promise<number | undefined> {
  const text = (await gw.request('GET', '/metrics')).text;
  const line = text.split('\n').find((l) => l.startsWith(`${name} `));
  return line === undefined ? undefined : Number(line.split(' ')[1]);
}

function expectPaused(seen: Seen, maxSeconds: number, minSeconds = 1): void {
  expect(seen).toMatchObject({ status: 503, code: 'UPSTREAM_UNAVAILABLE' });
  expect(seen.retryAfter).toBeGreaterThanOrEqual(minSeconds);
  expect(seen.retryAfter).toBeLessThanOrEqual(maxSeconds);
}

describe('429 with Retry-After: 3', () => {
  let gw: GatewayHarness;
  beforeAll(async () => {
    gw = await start();
  });
  afterAll(async () => {
    await gw?.close();
  });

  it('the caller gets 503 Retry-After 3; for 3 s nothing reaches Segura; then calls go through', async () => {
    expect((await drop(gw, 'rest')).seen.status).toBe(200); // a token is cached now
    await inject(gw, { kind: 'rate-limited', retryAfter: '3' }, { path: 'drop' });

    const limited = await drop(gw, 'rest');
    const pausedAt = Date.now();
    expect(limited.seen).toMatchObject({
      status: 503,
      code: 'UPSTREAM_UNAVAILABLE',
      retryAfter: 3,
    });
    // Segura refused before acting: the outcome is known, with its status.
    expect(await recordOf(gw, limited.sessionId)).toMatchObject({
      decision: 'allowed',
      outcome: 'failed',
      errorCode: 'UPSTREAM_UNAVAILABLE',
      upstream: { status: 429 },
    });

    const before = (await seguraRequests(gw)).length;
    const paused: string[] = [];
    for (const channel of CHANNELS) {
      const d = await drop(gw, channel);
      expectPaused(d.seen, 3);
      paused.push(d.sessionId);
      expectPaused(await read(gw, 'list', channel), 3);
      expectPaused(await read(gw, 'get', channel), 3);
    }
    const ready = await gw.request('GET', '/health/ready');
    expect(ready.status).toBe(503);
    expect(ready.json.details.pamCore).toEqual({ status: 'down', reason: 'UPSTREAM_UNAVAILABLE' });
    expect(await seguraRequests(gw)).toHaveLength(before);

    // Refused by the pause: nothing was sent, so failed, with no upstream status (as when the
    // circuit is open).
    for (const sessionId of paused) {
      const record = await recordOf(gw, sessionId);
      expect(record).toMatchObject({ outcome: 'failed', errorCode: 'UPSTREAM_UNAVAILABLE' });
      expect(record.upstream?.status ?? null).toBeNull();
    }
    expect(await metric(gw, 'pam_gateway_upstream_paused_calls_total')).toBeGreaterThanOrEqual(6);
    const left = await metric(gw, 'pam_gateway_upstream_pause_seconds');
    expect(left).toBeGreaterThanOrEqual(1);
    expect(left).toBeLessThanOrEqual(3);

    await sleep(Math.max(0, pausedAt + 3000 - Date.now()) + 300);
    for (const channel of CHANNELS) {
      expect((await drop(gw, channel)).seen.status).toBe(200);
      expect((await read(gw, 'list', channel)).status).toBe(200);
      expect((await read(gw, 'get', channel)).status).toBe(200);
    }
    expect((await seguraRequests(gw)).length).toBe(before + 6);
    expect(await metric(gw, 'pam_gateway_upstream_pause_seconds')).toBe(0);
    expect(await metric(gw, 'pam_gateway_circuit_state')).toBe(0);
  });
});

describe.each([
  ['missing', null, 5],
  ['garbage', 'soon, maybe', 5],
  ['huge', '99999999', 300],
])('429 with a %s Retry-After', (_name, retryAfter, seconds) => {
  let gw: GatewayHarness;
  beforeAll(async () => {
    gw = await start();
  });
  afterAll(async () => {
    await gw?.close();
  });

  it(`pauses ${seconds} s`, async () => {
    await inject(gw, { kind: 'rate-limited', retryAfter }, { path: 'list' });
    const limited = await read(gw, 'list', 'rest');
    expect(limited).toMatchObject({
      status: 503,
      code: 'UPSTREAM_UNAVAILABLE',
      retryAfter: seconds,
    });
    const before = (await seguraRequests(gw)).length;
    // The next calls are told the time left of the same pause.
    expectPaused((await drop(gw, 'graphql')).seen, seconds, seconds - 1);
    expectPaused(await read(gw, 'get', 'rest'), seconds, seconds - 1);
    expect(await seguraRequests(gw)).toHaveLength(before);
  });
});

describe('429 with an HTTP-date Retry-After', () => {
  let gw: GatewayHarness;
  beforeAll(async () => {
    gw = await start();
  });
  afterAll(async () => {
    await gw?.close();
  });

  it('pauses until that date', async () => {
    const at = new Date(Date.now() + 4000).toUTCString(); // whole seconds: 3 to 4 s from now
    await inject(gw, { kind: 'rate-limited', retryAfter: at }, { path: 'get' });
    expectPaused(await read(gw, 'get', 'graphql'), 4, 3);
    expectPaused(await read(gw, 'list', 'graphql'), 4);
  });
});

describe("429 from Segura's token endpoint", () => {
  let gw: GatewayHarness;
  beforeAll(async () => {
    gw = await start();
  });
  afterAll(async () => {
    await gw?.close();
  });

  it('pauses every call too, and the token request is not retried', async () => {
    await inject(gw, { kind: 'rate-limited', retryAfter: '30' }, { path: 'token' });
    const limited = await drop(gw, 'graphql');
    expect(limited.seen).toMatchObject({
      status: 503,
      code: 'UPSTREAM_UNAVAILABLE',
      retryAfter: 30,
    });
    expect((await seguraRequests(gw)).map((r) => r.method)).toEqual(['POST']); // no drop, no retry
    expect(await recordOf(gw, limited.sessionId)).toMatchObject({
      outcome: 'failed',
      errorCode: 'UPSTREAM_UNAVAILABLE',
      upstream: { status: 429 },
    });
    expectPaused(await read(gw, 'list', 'rest'), 30, 29);
    expect((await gw.request('GET', '/health/ready')).status).toBe(503);
    expect(await seguraRequests(gw)).toHaveLength(1);
  });
});

describe('the circuit breaker', () => {
  let gw: GatewayHarness;
  beforeAll(async () => {
    gw = await start();
  });
  afterAll(async () => {
    await gw?.close();
  });

  it('neither 429s nor paused calls open it', async () => {
    expect((await drop(gw, 'rest')).seen.status).toBe(200);
    // Five 429s in a row, each after the previous pause ended (threshold: 5 failures), with
    // ten paused calls after the first.
    await inject(gw, { kind: 'rate-limited', retryAfter: '1' }, { path: 'drop' }, 5);
    for (let i = 0; i < 5; i++) {
      const before = (await seguraRequests(gw)).length;
      const limited = await drop(gw, CHANNELS[i % 2]);
      expect(limited.seen).toMatchObject({ status: 503, retryAfter: 1 });
      expect(await seguraRequests(gw)).toHaveLength(before + 1);
      const waitUntil = Date.now() + 1000;
      if (i === 0) {
        for (let j = 0; j < 10; j++) expectPaused((await drop(gw, CHANNELS[j % 2])).seen, 1);
        expect(await seguraRequests(gw)).toHaveLength(before + 1);
      }
      await sleep(Math.max(0, waitUntil - Date.now()) + 200);
    }
    expect(await metric(gw, 'pam_gateway_circuit_state')).toBe(0);
    expect((await drop(gw, 'graphql')).seen.status).toBe(200);
    expect(await metric(gw, 'pam_gateway_circuit_state')).toBe(0);
  });
});
