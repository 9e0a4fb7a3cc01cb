import { PamCoreSimulator } from './pam-core-simulator';
import { bearer, fetchToken, http, rootOf, sleep } from './test-helpers';

const json = (body: unknown) => ({
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify(body),
});

describe('PamCoreSimulator: /__sim control API', () => {
  let sim: PamCoreSimulator;
  let ctl: string;
  beforeEach(async () => {
    sim = new PamCoreSimulator({ seed: 3, prefix: '/segura' });
    await sim.start();
    ctl = `${rootOf(sim)}/__sim`;
  });
  afterEach(() => sim.stop());

  it('reports stats and recorded requests, without recording itself', async () => {
    const token = await fetchToken(sim);
    const [first] = sim.getSessions().filter((s) => s.end === '');
    await http(`${sim.url}/api/pam/session/drop/${first.sessionId}`, {
      method: 'DELETE',
      headers: bearer(token),
    });
    const stats = await http(`${ctl}/stats`);
    expect(stats.json).toEqual({ tokenRequests: 1, dropCount: 1, sessions: 3, issuedTokens: 1 });
    const recorded = await http(`${ctl}/requests`);
    expect(
      recorded.json.map((r: { method: string; path: string }) => `${r.method} ${r.path}`),
    ).toEqual([
      'POST /segura/iso/oauth2/token',
      `DELETE /segura/api/pam/session/drop/${first.sessionId}`,
    ]);
    expect(recorded.json[0].body).toContain('grant_type=client_credentials');
    expect(typeof recorded.json[0].time).toBe('number');
    expect((await http(`${ctl}/requests`, { method: 'DELETE' })).status).toBe(204);
    expect((await http(`${ctl}/requests`)).json).toEqual([]);
    expect(sim.requests).toHaveLength(0);
  });

  it('queues faults (with "Infinity" times), clears them, and releases hung requests', async () => {
    const token = await fetchToken(sim);
    const list = () => http(`${sim.url}/api/session/remotesessions`, { headers: bearer(token) });
    const queued = await http(`${ctl}/faults`, {
      method: 'POST',
      ...json({
        fault: { kind: 'preset', preset: 'timeout-message' },
        match: { path: 'list' },
        times: 'Infinity',
      }),
    });
    expect(queued.status).toBe(201);
    expect((await list()).status).toBe(504);
    expect((await list()).status).toBe(504);
    expect((await http(`${ctl}/faults`, { method: 'DELETE' })).status).toBe(204);
    expect((await list()).status).toBe(200);

    await http(`${ctl}/faults`, { method: 'POST', ...json({ fault: { kind: 'hang' } }) });
    let done = false;
    const held = list().finally(() => (done = true));
    await sleep(100);
    expect(done).toBe(false);
    expect((await http(`${ctl}/release`, { method: 'POST' })).status).toBe(204);
    expect((await held).status).toBe(200);

    const bad = await http(`${ctl}/faults`, {
      method: 'POST',
      ...json({ fault: { kind: 'nope' } }),
    });
    expect(bad.status).toBe(400);
    expect(bad.json.message).toBe('unknown fault kind');
    expect((await http(`${ctl}/faults`, { method: 'POST', body: '{' })).status).toBe(400);
  });

  it('queues the rate-limited fault over HTTP, with or without Retry-After', async () => {
    const token = await fetchToken(sim);
    const list = () => http(`${sim.url}/api/session/remotesessions`, { headers: bearer(token) });
    const fault = (f: unknown) =>
      http(`${ctl}/faults`, { method: 'POST', ...json({ fault: f, match: { path: 'list' } }) });
    expect((await fault({ kind: 'rate-limited', retryAfter: '3' })).status).toBe(201);
    expect((await fault({ kind: 'rate-limited', retryAfter: null })).status).toBe(201);
    const first = await list();
    expect([first.status, first.headers['retry-after']]).toEqual([429, '3']);
    const second = await list();
    expect([second.status, second.headers['retry-after']]).toEqual([429, undefined]);
    expect((await list()).status).toBe(200);
    expect((await fault({ kind: 'rate-limited', retryAfter: 3 })).status).toBe(400);
  });

  it('lists, adds and replaces sessions', async () => {
    expect((await http(`${ctl}/sessions`)).json).toHaveLength(3);
    const created = await http(`${ctl}/sessions`, {
      method: 'POST',
      ...json({ user: 'svc-backup', device: 'dc01.corp.local:3389', protocol: 'rdp' }),
    });
    expect(created.status).toBe(201);
    expect(created.json).toMatchObject({ id: '4', user: 'svc-backup', end: '', itsm: null });
    expect(sim.getSessions()).toHaveLength(4);

    const replaced = await http(`${ctl}/sessions`, {
      method: 'PUT',
      ...json([{ sessionId: 'a'.repeat(40), id: '7' }, { sessionId: 'b'.repeat(40) }]),
    });
    expect(replaced.status).toBe(200);
    expect(sim.getSessions().map((s) => [s.id, s.sessionId])).toEqual([
      ['7', 'a'.repeat(40)],
      ['8', 'b'.repeat(40)],
    ]);
    // A bad entry is refused as a whole.
    const bad = await http(`${ctl}/sessions`, { method: 'PUT', ...json([{ sessionId: 5 }]) });
    expect(bad.status).toBe(400);
    expect(sim.getSessions()).toHaveLength(2);
  });

  it('revokes tokens, and answers 404 for unknown control endpoints', async () => {
    const token = await fetchToken(sim);
    expect((await http(`${ctl}/revoke-tokens`, { method: 'POST' })).status).toBe(204);
    const res = await http(`${sim.url}/api/session/remotesessions`, { headers: bearer(token) });
    expect(res.status).toBe(401);
    expect((await http(`${ctl}/nope`)).status).toBe(404);
  });
});
