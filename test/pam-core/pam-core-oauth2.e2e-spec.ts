import { PamCoreSimulator, SeguraErrorPreset } from '../../simulator/pam-core-simulator';
import type { ErrorCode } from '../../src/errors';
import type { PamCoreClient } from '../../src/pam-core';
import { caught, makeClient, quietLogs } from './support';

describe('PamCoreClient ↔ simulator, OAuth 2.0', () => {
  let sim: PamCoreSimulator;
  let client: PamCoreClient | undefined;
  const clients: PamCoreClient[] = [];
  const track = (c: PamCoreClient) => (clients.push(c), c);

  beforeAll(quietLogs);

  afterEach(async () => {
    await sim.stop();
    for (const c of clients.splice(0)) await c.onModuleDestroy();
    client = undefined;
  });

  async function start(
    opts: ConstructorParameters<typeof PamCoreSimulator>[0] = {},
    env: Record<string, string> = {},
  ) {
    sim = new PamCoreSimulator({ seed: 5, ...opts });
    const url = await sim.start();
    client = track(makeClient(url, env));
    return client;
  }
  const active = () => sim.getSessions().find((s) => s.end === '')!;
  const drops = () => sim.requests.filter((r) => r.method === 'DELETE');

  it('terminates an active session', async () => {
    const c = await start();
    const s = active();
    const r = await c.terminateSession(s.sessionId);
    expect(r).toMatchObject({
      sessionId: s.sessionId,
      message: 'Session dropped successfully',
      upstreamStatus: 200,
    });
    expect(r.durationMs).toBeGreaterThanOrEqual(0);
    expect(sim.dropCount).toBe(1);
    expect(sim.getSessions().find((x) => x.sessionId === s.sessionId)?.end).not.toBe('');
    expect(drops()[0].headers.authorization).toBe(`Bearer ${sim.issuedTokens[0]}`);
  });

  it('keeps the base URL prefix for the token and the drop', async () => {
    const c = await start({ prefix: '/segura' });
    expect(sim.url).toMatch(/\/segura$/);
    await c.terminateSession(active().sessionId);
    expect(sim.requests.map((r) => `${r.method} ${r.path}`)).toEqual([
      'POST /segura/iso/oauth2/token',
      `DELETE /segura/api/pam/session/drop/${drops()[0].path.split('/').pop()}`,
    ]);
  });

  it('sends the tenant when configured', async () => {
    const c = await start({ requireTenant: 'acme' }, { PAM_CORE_TENANT: 'acme' });
    await c.terminateSession(active().sessionId);
    expect(new URLSearchParams(sim.requests[0].body).get('tenant')).toBe('acme');
  });

  it('without the required tenant the token is refused: UPSTREAM_AUTH_FAILED', async () => {
    const c = await start({ requireTenant: 'acme' });
    expect((await caught(c.terminateSession(active().sessionId))).code).toBe(
      'UPSTREAM_AUTH_FAILED',
    );
    expect(drops()).toHaveLength(0);
  });

  it('authenticates the client with HTTP Basic when configured', async () => {
    const c = await start({}, { PAM_CORE_TOKEN_CLIENT_AUTH: 'basic' });
    await c.terminateSession(active().sessionId);
    const token = sim.requests[0];
    expect(token.headers.authorization).toMatch(/^Basic /);
    expect(new URLSearchParams(token.body).has('client_secret')).toBe(false);
  });

  it('wrong client secret → UPSTREAM_AUTH_FAILED, no drop, secret nowhere in the error', async () => {
    const c = await start({}, { PAM_CORE_CLIENT_SECRET: 'wrong-secret' });
    const err = await caught(c.terminateSession(active().sessionId));
    expect(err).toMatchObject({
      code: 'UPSTREAM_AUTH_FAILED',
      upstream: { status: 401, message: 'Client authentication failed' },
    });
    expect(JSON.stringify({ ...err, m: err.message })).not.toContain('wrong-secret');
    expect(drops()).toHaveLength(0);
  });

  it('a session that already ended → TERMINATION_FAILED', async () => {
    const c = await start();
    const ended = sim.getSessions().find((s) => s.end !== '')!;
    expect(await caught(c.terminateSession(ended.sessionId))).toMatchObject({
      code: 'TERMINATION_FAILED',
      upstream: { status: 500 },
    });
  });

  it('an unknown session → SESSION_NOT_FOUND', async () => {
    const c = await start();
    expect((await caught(c.terminateSession('0'.repeat(40)))).code).toBe('SESSION_NOT_FOUND');
  });

  it('an invalid id never reaches Segura', async () => {
    const c = await start();
    for (const id of ['../x', '%2e%2e', 'a/b', '', 'a'.repeat(129), 'séssion']) {
      expect(await caught(c.terminateSession(id))).toMatchObject({
        code: 'BAD_USER_INPUT',
        field: 'id',
      });
    }
    expect(sim.requests).toHaveLength(0);
  });

  const presets: Array<[SeguraErrorPreset, ErrorCode, boolean]> = [
    ['not-found', 'SESSION_NOT_FOUND', false],
    ['unexpected', 'UPSTREAM_ERROR', false],
    ['not-authorized', 'UPSTREAM_FORBIDDEN', false],
    ['drop-failed', 'TERMINATION_FAILED', false],
    ['client-auth', 'UPSTREAM_AUTH_FAILED', false],
    ['oauth-invalid-client', 'UPSTREAM_AUTH_FAILED', false],
    ['invalid-signature', 'UPSTREAM_AUTH_FAILED', false],
    ['no-route', 'UPSTREAM_AUTH_FAILED', false],
    ['timeout-message', 'UPSTREAM_TIMEOUT', true],
    ['legacy-short-envelope-error', 'UPSTREAM_ERROR', false],
  ];

  it.each(presets)('drop answered with preset %s → %s', async (preset, code, outcomeUnknown) => {
    const c = await start();
    await c.listSessions(); // warm the token cache, as in steady operation
    sim.injectFault({ kind: 'preset', preset }, { path: 'drop' }, Infinity);
    const err = await caught(c.terminateSession(active().sessionId));
    expect(err.code).toBe(code);
    expect(err.outcomeUnknown).toBe(outcomeUnknown);
    expect(err.upstream?.message).toBeTruthy();
    // A 401 to a cached token earns exactly one refresh and one retry; anything else none.
    const retried = err.upstream?.status === 401;
    expect(drops()).toHaveLength(retried ? 2 : 1);
    expect(sim.tokenRequests).toBe(retried ? 2 : 1);
  });

  it('preset on the token endpoint → UPSTREAM_AUTH_FAILED, no drop', async () => {
    const c = await start();
    sim.injectFault({ kind: 'preset', preset: 'oauth-invalid-client' }, { path: 'token' });
    expect((await caught(c.terminateSession(active().sessionId))).code).toBe(
      'UPSTREAM_AUTH_FAILED',
    );
    expect(drops()).toHaveLength(0);
  });

  it.each([
    ['html 500', 'UPSTREAM_ERROR', true, { kind: 'html', status: 500 }],
    ['html 502', 'UPSTREAM_UNAVAILABLE', true, { kind: 'html', status: 502 }],
    ['html 503', 'UPSTREAM_UNAVAILABLE', false, { kind: 'html', status: 503 }],
    ['html 504', 'UPSTREAM_TIMEOUT', true, { kind: 'html', status: 504 }],
    ['empty 500', 'UPSTREAM_ERROR', true, { kind: 'empty', status: 500 }],
    ['empty 200', 'UPSTREAM_ERROR', true, { kind: 'empty', status: 200 }],
    ['truncated 200', 'UPSTREAM_ERROR', true, { kind: 'truncated', status: 200 }],
    ['truncated 500', 'UPSTREAM_ERROR', true, { kind: 'truncated', status: 500 }],
    [
      'status 200 with error:true',
      'UPSTREAM_ERROR',
      false,
      {
        kind: 'status',
        status: 200,
        body: '{"code":200,"response":{"error":true,"message":"Unexpected error."}}',
      },
    ],
  ] as const)(
    'drop answered with %s → %s (outcomeUnknown %s)',
    async (_name, code, outcomeUnknown, fault) => {
      const c = await start();
      sim.injectFault(fault, { path: 'drop' });
      const err = await caught(c.terminateSession(active().sessionId));
      expect(err).toMatchObject({ code, outcomeUnknown });
      expect(drops()).toHaveLength(1);
    },
  );

  it('revoked tokens: exactly one extra token request, then success', async () => {
    const c = await start();
    await c.terminateSession(sim.getSessions().filter((s) => s.end === '')[0].sessionId);
    sim.revokeTokens();
    const r = await c.terminateSession(active().sessionId);
    expect(r.upstreamStatus).toBe(200);
    expect(sim.tokenRequests).toBe(2);
  });

  it('100 concurrent terminations on a cold cache make one token request', async () => {
    const c = await start({ seed: 0 });
    const ids = Array.from({ length: 100 }, () => sim.addSession().sessionId);
    const results = await Promise.all(ids.map((id) => c.terminateSession(id)));
    expect(results.every((r) => r.upstreamStatus === 200)).toBe(true);
    expect(sim.tokenRequests).toBe(1);
    expect(sim.dropCount).toBe(100);
  });

  it('lists sessions in English', async () => {
    const c = await start({ seed: 8 });
    const list = await c.listSessions();
    const sims = sim.getSessions();
    expect(list).toHaveLength(sims.length);
    for (const s of sims) {
      const got = list.find((x) => x.sessionId === s.sessionId)!;
      expect(got).toMatchObject({
        recordId: s.id,
        user: s.user,
        credential: s.credential,
        device: s.device,
        active: s.end === '',
        start: s.start.replace(' ', 'T'),
        end: s.end === '' ? null : s.end.replace(' ', 'T'),
      });
      expect(got.deviceHost).toBeTruthy();
      expect(typeof got.durationSeconds).toBe('number');
    }
  });

  it('lists sessions in Portuguese and terminates with the Portuguese success text', async () => {
    const c = await start({ seed: 8, language: 'pt' });
    const list = await c.listSessions();
    const s = sim.getSessions()[0];
    expect(list.find((x) => x.sessionId === s.sessionId)).toMatchObject({
      credential: s.credential,
      device: s.device,
    });
    const target = list.find((x) => x.active)!;
    expect((await c.terminateSession(target.sessionId)).message).toBe(
      'Session dropped successfully',
    );
  });

  it('gets one session, and null for an unknown one', async () => {
    const c = await start();
    const s = active();
    expect(await c.getSession(s.sessionId)).toMatchObject({ sessionId: s.sessionId, active: true });
    await c.terminateSession(s.sessionId);
    expect(await c.getSession(s.sessionId)).toMatchObject({
      sessionId: s.sessionId,
      active: false,
    });
    expect(await c.getSession('f'.repeat(40))).toBeNull();
    // Valid for the gateway, but not a Segura hash: "1003: Unexpected identifier type".
    expect(await c.getSession('not_a_hash')).toBeNull();
  });

  it('checkReachable obtains a token once and reuses it', async () => {
    const c = await start();
    await c.checkReachable();
    await c.checkReachable();
    expect(sim.tokenRequests).toBe(1);
  });
});
