import { PamCoreSimulator } from './pam-core-simulator';
import { generateSessions } from './seed';
import { ACTIVE_ID, FORM, bearer, fetchToken, fixture, http, tokenBody } from './test-helpers';

describe('PamCoreSimulator: options', () => {
  it('speaks the older Portuguese keys and messages', async () => {
    const sim = new PamCoreSimulator({ seed: fixture(), language: 'pt' });
    await sim.start();
    try {
      const token = await fetchToken(sim);
      const list = await http(`${sim.url}/api/session/remotesessions`, { headers: bearer(token) });
      const item = list.json.remote_sessions[0];
      expect(item.credencial).toBe('usrdomadm01');
      expect(item.dispositivo).toBe('10.66.33.15:3389');
      expect(item.prevent_purge).toBe('Não');
      expect(item.credential).toBeUndefined();
      const drop = await http(`${sim.url}/api/pam/session/drop/${ACTIVE_ID}`, {
        method: 'DELETE',
        headers: bearer(token),
      });
      expect(drop.json.response.message).toBe('Sessão interrompida com sucesso');
      expect(drop.json.response.mensagem).toBe('Sessão interrompida com sucesso');
    } finally {
      await sim.stop();
    }
  });

  it('answers unknown ids per unknownSessionAnswer, and lets them succeed in benchMode', async () => {
    const failing = new PamCoreSimulator({ seed: 2, unknownSessionAnswer: 'drop-failed' });
    const bench = new PamCoreSimulator({
      seed: 2,
      benchMode: true,
      tokenPath: '/api/oauth2/token',
    });
    await failing.start();
    await bench.start();
    try {
      const id = 'f'.repeat(40);
      const f = await http(`${failing.url}/api/pam/session/drop/${id}`, {
        method: 'DELETE',
        headers: bearer(await fetchToken(failing)),
      });
      expect(f.status).toBe(500);
      expect(f.json.response.message).toBe('An error occurred while droping session.');

      const tok = await http(`${bench.url}/api/oauth2/token`, {
        method: 'POST',
        headers: FORM,
        body: tokenBody({ client_id: 'sim-client', client_secret: 'sim-secret' }),
      });
      const b = await http(`${bench.url}/api/pam/session/drop/${id}`, {
        method: 'DELETE',
        headers: bearer(tok.json.access_token),
      });
      expect(b.status).toBe(200);
      expect(bench.dropCount).toBe(1);
      expect(bench.requests).toHaveLength(0); // bench: nothing recorded
    } finally {
      await failing.stop();
      await bench.stop();
    }
  });

  it('delays the list by listLatencyMs, and addSession() creates active sessions', async () => {
    const sim = new PamCoreSimulator({ seed: 0, listLatencyMs: 150 });
    await sim.start();
    try {
      const added = sim.addSession({ user: 'j.silva' });
      expect(added).toMatchObject({ id: '1', user: 'j.silva', end: '' });
      expect(added.sessionId).toMatch(/^[0-9a-f]{40}$/);
      const token = await fetchToken(sim);
      const t0 = Date.now();
      const res = await http(`${sim.url}/api/session/remotesessions`, { headers: bearer(token) });
      expect(Date.now() - t0).toBeGreaterThanOrEqual(140);
      expect(res.json.remote_sessions.map((s: { session_id: string }) => s.session_id)).toEqual([
        added.sessionId,
      ]);
      expect(() => sim.addSession({ sessionId: added.sessionId })).toThrow(/already exists/);
    } finally {
      await sim.stop();
    }
  });

  it('generates 25 deterministic sessions by default', () => {
    const sim = new PamCoreSimulator();
    const sessions = sim.getSessions();
    expect(sessions).toHaveLength(25);
    expect(sessions.map((s) => s.sessionId)).toEqual(generateSessions(25).map((s) => s.sessionId));
  });
});
