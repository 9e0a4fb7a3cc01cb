import { Agent } from 'undici';
import { PamCoreSimulator } from './pam-core-simulator';
import { ACTIVE_ID, ENDED_ID, bearer, fetchToken, fixture, http } from './test-helpers';

describe('PamCoreSimulator: Segura API', () => {
  let sim: PamCoreSimulator;
  let token: string;
  beforeEach(async () => {
    sim = new PamCoreSimulator({ seed: fixture(), prefix: '/segura/' });
    await sim.start();
    token = await fetchToken(sim);
  });
  afterEach(() => sim.stop());

  it('exposes the prefix in the base URL and answers "no Route" outside it or without credentials', async () => {
    expect(sim.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/segura$/);
    const origin = new URL(sim.url).origin;
    const outside = await http(`${origin}/api/session/remotesessions`, { headers: bearer(token) });
    expect(outside.status).toBe(404);
    expect(outside.json.message).toBe('no Route matched with those values');
    const noAuth = await http(`${sim.url}/api/pam/session/drop/${ACTIVE_ID}`, { method: 'DELETE' });
    expect(noAuth.status).toBe(404);
    expect(Object.keys(noAuth.json).sort()).toEqual(['message', 'request_id']);
    expect(noAuth.json.message).toBe('no Route matched with those values');
    const revoked = await http(`${sim.url}/api/session/remotesessions`, {
      headers: bearer('not-a-token'),
    });
    expect(revoked.status).toBe(401);
  });

  it('drops an active session once, then reports the documented failure for the ended one', async () => {
    const url = `${sim.url}/api/pam/session/drop/${ACTIVE_ID}`;
    const ok = await http(url, { method: 'DELETE', headers: bearer(token) });
    expect(ok.status).toBe(200);
    expect(ok.json).toEqual({
      code: 200,
      response: {
        status: 200,
        message: 'Session dropped successfully',
        error: false,
        error_code: 0,
        detail: '',
        mensagem: 'Sessão encerrada com sucesso',
        erro: false,
        cod_erro: 0,
      },
    });
    expect(sim.dropCount).toBe(1);
    const session = sim.getSessions().find((s) => s.sessionId === ACTIVE_ID);
    expect(session?.end).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/);

    const again = await http(url, { method: 'DELETE', headers: bearer(token) });
    expect(again.status).toBe(500);
    expect(again.json.response).toMatchObject({
      status: 500,
      message: 'An error occurred while droping session.',
      error: true,
      erro: true,
    });
    expect(sim.dropCount).toBe(1);
    // The legacy path reaches the same endpoint.
    const legacy = await http(`${sim.url}/iso/session/drop/${ENDED_ID}`, {
      method: 'DELETE',
      headers: bearer(token),
    });
    expect(legacy.json.response.message).toBe('An error occurred while droping session.');
  });

  it('answers an unknown id with 404 "Resource sub not found" + exception 1002, decoding the segment once', async () => {
    const res = await http(`${sim.url}/api/pam/session/drop/${ACTIVE_ID.slice(0, 8)}%252F`, {
      method: 'DELETE',
      headers: bearer(token),
    });
    expect(res.status).toBe(404);
    expect(res.json).toMatchObject({
      code: 404,
      response: { status: 404, message: 'Resource sub not found', error: true, error_code: 1002 },
      exception: { code: 1002, message: '1002: Session not found', detail: null },
    });
    // An encoded hex id decodes to the known session.
    const encoded = ACTIVE_ID.replace(/^e/, '%65');
    const ok = await http(`${sim.url}/api/pam/session/drop/${encoded}`, {
      method: 'DELETE',
      headers: bearer(token),
    });
    expect(ok.status).toBe(200);
    expect(sim.requests.at(-1)?.path).toBe(`/segura/api/pam/session/drop/${encoded}`);
    // Decoded exactly once: "odd%2Fid%25" is the id "odd/id%", not "odd/id" + garbage.
    sim.addSession({ sessionId: 'odd/id%' });
    const odd = await http(`${sim.url}/api/pam/session/drop/${encodeURIComponent('odd/id%')}`, {
      method: 'DELETE',
      headers: bearer(token),
    });
    expect(odd.status).toBe(200);
    const other = await http(`${sim.url}/api/pam/session/kill/x`, { headers: bearer(token) });
    expect(other.status).toBe(404);
    expect(other.json.response.message).toBe('Resource sub not found');
    expect(other.json.exception).toBeUndefined();
  });

  it('lists sessions in the documented shape, with time running for active ones', async () => {
    for (const path of ['/api/session', '/api/pam/session', '/iso/session']) {
      const res = await http(`${sim.url}${path}/remotesessions`, { headers: bearer(token) });
      expect(res.status).toBe(200);
      expect(Object.keys(res.json)).toEqual(['code', 'response', 'tenant', 'remote_sessions']);
      expect(res.json.response).toEqual({
        status: 200,
        message: '',
        error: false,
        error_code: 0,
        detail: '',
        mensagem: '',
        erro: false,
        cod_erro: 0,
      });
      expect(res.json.tenant).toBe('Segura');
      expect(res.json.remote_sessions[1]).toEqual({
        id: '4',
        user: 'j.silva',
        origin_ip: '10.1.2.3',
        credential: 'root',
        device: 'db-prod-01.corp.local:22',
        protocol: 'ssh',
        proxy: 'SSH Proxy',
        session_id: ENDED_ID,
        start: '2024-05-06 16:05:07',
        end: '2024-05-06 16:07:59',
        time: '00:02:52',
        prevent_purge: 'No',
        request: null,
        ITSM: 'CHG12345',
      });
      const active = res.json.remote_sessions[0];
      expect(active.end).toBe('');
      expect(Number(active.time.split(':')[0])).toBeGreaterThan(24); // started in 2024
    }
  });

  it('gets one session, and distinguishes unknown (1002) from malformed (1003) ids', async () => {
    const base = `${sim.url}/api/session/remotesessions`;
    const one = await http(`${base}/${ENDED_ID}`, { headers: bearer(token) });
    expect(one.status).toBe(200);
    expect(one.json.remote_session).toHaveLength(1);
    expect(one.json.remote_session[0].session_id).toBe(ENDED_ID);
    const unknown = await http(`${base}/${'a'.repeat(40)}`, { headers: bearer(token) });
    expect(unknown.status).toBe(400);
    expect(unknown.json.response.message).toBe('1002: Session not found');
    expect(unknown.json.exception).toEqual({
      code: 1002,
      message: '1002: Session not found',
      detail: null,
    });
    const uuid = await http(`${base}/3f2504e0-4f89-11d3-9a0c-0305e82c3301`, {
      headers: bearer(token),
    });
    expect(uuid.json.response.message).toBe('1002: Session not found');
    const bad = await http(`${base}/not-an-id`, { headers: bearer(token) });
    expect(bad.status).toBe(400);
    expect(bad.json.response.message).toBe('1003: Unexpected identifier type');
    expect(bad.json.exception.code).toBe(1003);
  });

  it('records requests raw and reuses keep-alive connections', async () => {
    sim.resetRequests();
    const agent = new Agent({ connections: 1 });
    let connects = 0;
    agent.on('connect', () => (connects += 1));
    try {
      for (let i = 0; i < 3; i++) {
        const res = await http(`${sim.url}/api/session/remotesessions?page=${i}&x=a%20b`, {
          headers: bearer(token),
          dispatcher: agent,
        });
        expect(res.status).toBe(200);
      }
    } finally {
      await agent.close();
    }
    expect(connects).toBe(1);
    expect(sim.requests.map((r) => [r.method, r.path, r.query])).toEqual([
      ['GET', '/segura/api/session/remotesessions', 'page=0&x=a%20b'],
      ['GET', '/segura/api/session/remotesessions', 'page=1&x=a%20b'],
      ['GET', '/segura/api/session/remotesessions', 'page=2&x=a%20b'],
    ]);
    expect(sim.requests[0].headers.authorization).toBe(`Bearer ${token}`);
  });

  it('invalidates every token on revokeTokens(); a fresh one works', async () => {
    const url = `${sim.url}/api/session/remotesessions`;
    sim.revokeTokens();
    expect((await http(url, { headers: bearer(token) })).status).toBe(401);
    expect((await http(url, { headers: bearer(await fetchToken(sim)) })).status).toBe(200);
    expect(sim.issuedTokens).toHaveLength(2);
  });
});
