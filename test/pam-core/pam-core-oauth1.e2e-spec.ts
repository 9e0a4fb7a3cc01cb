import { PamCoreSimulator } from '../../simulator/pam-core-simulator';
import type { PamCoreClient } from '../../src/pam-core';
import { closedPort } from './http-stub';
import { caught, makeClient, OAUTH1, oauth1Env, quietLogs } from './support';

describe('PamCoreClient ↔ simulator, OAuth 1.0a', () => {
  let sim: PamCoreSimulator;
  const clients: PamCoreClient[] = [];

  beforeAll(quietLogs);

  beforeEach(async () => {
    sim = new PamCoreSimulator({ seed: 6, oauth1: OAUTH1, prefix: '/segura' });
    await sim.start();
  });

  afterEach(async () => {
    await sim.stop();
    for (const c of clients.splice(0)) await c.onModuleDestroy();
  });

  const client = (env = oauth1Env(), url = sim.url) => {
    const c = makeClient(url, env);
    clients.push(c);
    return c;
  };
  const active = () => sim.getSessions().find((s) => s.end === '')!;

  it('terminates with a signature the simulator verifies, under the prefix, without any token request', async () => {
    const s = active();
    const r = await client().terminateSession(s.sessionId);
    expect(r).toMatchObject({
      sessionId: s.sessionId,
      message: 'Session dropped successfully',
      upstreamStatus: 200,
    });
    expect(sim.tokenRequests).toBe(0);
    const [req] = sim.requests;
    expect(req.path).toBe(`/segura/api/pam/session/drop/${s.sessionId}`);
    expect(req.headers.authorization).toMatch(/^OAuth .*oauth_signature_method="HMAC-SHA1"/);
  });

  it('uses a fresh nonce per request', async () => {
    const c = client();
    await c.listSessions();
    await c.listSessions();
    const nonces = sim.requests.map(
      (r) => /oauth_nonce="([^"]+)"/.exec(String(r.headers.authorization))?.[1],
    );
    expect(nonces[0]).toBeTruthy();
    expect(nonces[0]).not.toBe(nonces[1]);
  });

  it('a wrong secret → "Invalid signature" → UPSTREAM_AUTH_FAILED, asked once', async () => {
    const err = await caught(
      client(oauth1Env({ ...OAUTH1, tokenSecret: 'wrong' })).terminateSession(active().sessionId),
    );
    expect(err).toMatchObject({
      code: 'UPSTREAM_AUTH_FAILED',
      upstream: { status: 401, message: 'Invalid signature' },
    });
    expect(sim.requests).toHaveLength(1);
    expect(sim.dropCount).toBe(0);
  });

  it('a base URL without the prefix is refused by the gateway layer → UPSTREAM_AUTH_FAILED', async () => {
    const err = await caught(
      client(oauth1Env(), new URL(sim.url).origin).terminateSession(active().sessionId),
    );
    expect(err.code).toBe('UPSTREAM_AUTH_FAILED');
  });

  it('lists and gets sessions', async () => {
    const c = client();
    const list = await c.listSessions();
    expect(list.map((s) => s.sessionId).sort()).toEqual(
      sim
        .getSessions()
        .map((s) => s.sessionId)
        .sort(),
    );
    const s = active();
    expect(await c.getSession(s.sessionId)).toMatchObject({ sessionId: s.sessionId, active: true });
    expect(await c.getSession('a'.repeat(40))).toBeNull();
  });

  it('checkReachable: any HTTP answer from the base URL counts', async () => {
    await client().checkReachable();
    expect(sim.requests[0]).toMatchObject({ method: 'HEAD', path: '/segura' });
  });

  it('checkReachable: a closed port → UPSTREAM_UNAVAILABLE', async () => {
    const c = client(oauth1Env(), `http://127.0.0.1:${await closedPort()}/segura`);
    expect((await caught(c.checkReachable())).code).toBe('UPSTREAM_UNAVAILABLE');
  });
});
