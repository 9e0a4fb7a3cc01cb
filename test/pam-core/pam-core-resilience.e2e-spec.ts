import { PamCoreSimulator } from '../../simulator/pam-core-simulator';
import type { CircuitState, PamCoreClient, PamCoreObserver } from '../../src/pam-core';
import { closedPort } from './http-stub';
import { caught, makeClient, quietLogs } from './support';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('PamCoreClient ↔ simulator: timeouts, resets, circuit breaker', () => {
  let sim: PamCoreSimulator;
  const clients: PamCoreClient[] = [];
  let states: CircuitState[];
  let results: string[];
  const observer: PamCoreObserver = {
    upstreamCall: (op, result) => results.push(`${op}:${result}`),
    tokenRefreshed: () => undefined,
    circuitStateChanged: (s) => states.push(s),
  };

  beforeAll(quietLogs);

  beforeEach(async () => {
    states = [];
    results = [];
    sim = new PamCoreSimulator({ seed: 12 });
    await sim.start();
  });

  afterEach(async () => {
    await sim.stop();
    for (const c of clients.splice(0)) await c.onModuleDestroy();
  });

  const client = (env: Record<string, string> = {}, policy = {}, url = sim.url) => {
    const c = makeClient(url, env, policy, observer);
    clients.push(c);
    return c;
  };
  const active = () => sim.getSessions().find((s) => s.end === '')!;
  const drops = () => sim.requests.filter((r) => r.method === 'DELETE');

  it('no answer within the timeout → UPSTREAM_TIMEOUT, outcome unknown, never retried', async () => {
    const c = client({ PAM_CORE_TIMEOUT_MS: '300' });
    await c.checkReachable(); // token first, so only the drop hangs
    sim.injectFault({ kind: 'hang' }, { path: 'drop' }, Infinity);
    const err = await caught(c.terminateSession(active().sessionId));
    expect(err).toMatchObject({ code: 'UPSTREAM_TIMEOUT', outcomeUnknown: true });
    expect(err.upstream?.status).toBeUndefined();
    await sleep(200); // give a (wrong) retry the chance to show up
    expect(drops()).toHaveLength(1);
  });

  it('a hanging token endpoint → UPSTREAM_TIMEOUT with known outcome, no drop', async () => {
    const c = client({ PAM_CORE_TIMEOUT_MS: '200' }, { tokenRetries: 0 });
    sim.injectFault({ kind: 'hang' }, { path: 'token' }, Infinity);
    expect(await caught(c.terminateSession(active().sessionId))).toMatchObject({
      code: 'UPSTREAM_TIMEOUT',
      outcomeUnknown: false,
    });
    expect(drops()).toHaveLength(0);
  });

  it('latency inside the timeout is fine', async () => {
    const c = client({ PAM_CORE_TIMEOUT_MS: '5000' });
    sim.injectFault({ kind: 'latency', ms: 100 }, { path: 'drop' });
    expect((await c.terminateSession(active().sessionId)).upstreamStatus).toBe(200);
  });

  it('a reset after the request was sent → outcome unknown, never retried', async () => {
    const c = client();
    await c.checkReachable();
    sim.injectFault({ kind: 'reset' }, { path: 'drop' });
    const err = await caught(c.terminateSession(active().sessionId));
    expect(err).toMatchObject({ code: 'UPSTREAM_UNAVAILABLE', outcomeUnknown: true });
    expect(drops()).toHaveLength(1);
  });

  it('a reset of the token request is retried (asking for a token is harmless)', async () => {
    const c = client();
    sim.injectFault({ kind: 'reset' }, { path: 'token' });
    expect((await c.terminateSession(active().sessionId)).upstreamStatus).toBe(200);
    expect(sim.tokenRequests).toBe(2);
  });

  it('connection refused → UPSTREAM_UNAVAILABLE with known outcome', async () => {
    const c = client({}, {}, `http://127.0.0.1:${await closedPort()}`);
    expect(await caught(c.terminateSession(active().sessionId))).toMatchObject({
      code: 'UPSTREAM_UNAVAILABLE',
      outcomeUnknown: false,
    });
    expect(await caught(c.listSessions())).toMatchObject({ code: 'UPSTREAM_UNAVAILABLE' });
  });

  it('a hanging list → UPSTREAM_TIMEOUT', async () => {
    const c = client({ PAM_CORE_TIMEOUT_MS: '300' });
    sim.injectFault({ kind: 'hang' }, { path: 'list' });
    expect((await caught(c.listSessions())).code).toBe('UPSTREAM_TIMEOUT');
  });

  it('opens after consecutive failures, answers without calling Segura, half-opens after the cool-down', async () => {
    const c = client({}, { breakerThreshold: 3, breakerCooldownMs: 400 });
    await c.checkReachable();
    sim.injectFault({ kind: 'html', status: 502 }, { path: 'drop' }, Infinity);
    for (let i = 0; i < 3; i++)
      expect((await caught(c.terminateSession(active().sessionId))).code).toBe(
        'UPSTREAM_UNAVAILABLE',
      );
    expect(states).toEqual(['open']);

    const before = sim.requests.length;
    const fast = await caught(c.terminateSession(active().sessionId));
    expect(fast.code).toBe('UPSTREAM_UNAVAILABLE');
    expect(fast.retryAfterSeconds).toBeGreaterThanOrEqual(1);
    expect(await caught(c.listSessions())).toMatchObject({ code: 'UPSTREAM_UNAVAILABLE' });
    expect(sim.requests.length).toBe(before);

    sim.clearFaults();
    await sleep(500);
    expect((await c.terminateSession(active().sessionId)).upstreamStatus).toBe(200);
    expect(states).toEqual(['open', 'half-open', 'closed']);
  });

  it("Segura's own answers never open the circuit", async () => {
    const c = client({}, { breakerThreshold: 3 });
    for (let i = 0; i < 6; i++)
      expect((await caught(c.terminateSession('0'.repeat(40)))).code).toBe('SESSION_NOT_FOUND');
    sim.injectFault({ kind: 'preset', preset: 'not-authorized' }, { path: 'drop' }, 4);
    for (let i = 0; i < 4; i++)
      expect((await caught(c.terminateSession(active().sessionId))).code).toBe(
        'UPSTREAM_FORBIDDEN',
      );
    expect(states).toEqual([]);
    expect(drops()).toHaveLength(10);
  });

  it('reports every upstream call to the observer', async () => {
    const c = client();
    await c.terminateSession(active().sessionId);
    await caught(c.terminateSession('0'.repeat(40)));
    expect(results).toEqual(['token:OK', 'terminate:OK', 'terminate:SESSION_NOT_FOUND']);
  });
});
