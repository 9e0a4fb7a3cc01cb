import { startIssuer, type IssuerHandle } from '../support/oidc-issuer';
import { DEFAULT_POLICY, type GatewayHarness, startGateway } from '../support/gateway';
import { auditRecords, CHANNELS, terminateOne } from './support/sessions-client';

/**
 * After a drop answered TERMINATION_FAILED or UPSTREAM_TIMEOUT the gateway looks the session up
 * once: if Segura shows it ended, the answer is terminated (alreadyEnded / verified), and the
 * audit record keeps both the drop's answer and what the lookup saw.
 */
let issuer: IssuerHandle;
let gw: GatewayHarness;
let strict: GatewayHarness;

beforeAll(async () => {
  issuer = await startIssuer();
  gw = await startGateway({ issuer, env: { PAM_CORE_TIMEOUT_MS: '500' } });
  strict = await startGateway({
    issuer,
    policy: DEFAULT_POLICY.replace('requireReason: false', 'verifyAfterSuccess: true'),
  });
});
afterAll(async () => {
  await gw?.close();
  await strict?.close();
  await issuer?.stop();
});
beforeEach(() => {
  gw.simulator.clearFaults();
  gw.simulator.release();
  gw.simulator.resetRequests();
});

const lookups = (g: GatewayHarness, id: string) =>
  g.simulator.requests.filter((r) => r.method === 'GET' && r.path.endsWith(`/${id}`)).length;

async function recordOf(g: GatewayHarness, sessionId: string) {
  const [record] = await auditRecords(g, { sessionId, action: 'session.terminate' });
  return record;
}

/** Ends a session behind the gateway's back, as another admin or Segura itself would. */
function endInSegura(g: GatewayHarness, sessionId: string): void {
  const end = '2024-05-06 16:07:59';
  g.simulator.seedSessions(
    g.simulator.getSessions().map((s) => (s.sessionId === sessionId ? { ...s, end } : s)),
  );
}

async function until(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !condition(); i++) await new Promise((r) => setTimeout(r, 10));
  if (!condition()) throw new Error('condition not met');
}

describe.each(CHANNELS)('over %s', (channel) => {
  const token = () => gw.tokens.operator;

  it('answers alreadyEnded when Segura refuses to drop a session that had ended', async () => {
    const s = gw.simulator.addSession({ end: '2024-05-06 16:07:59' });
    const out = await terminateOne(gw, channel, s.sessionId, { token: token() });
    expect(out.status).toBe(200);
    expect(out.data).toMatchObject({ terminated: true, alreadyEnded: true, verified: false });
    expect(lookups(gw, s.sessionId)).toBe(1);
    expect(await recordOf(gw, s.sessionId)).toMatchObject({
      outcome: 'failed',
      errorCode: 'TERMINATION_FAILED',
      upstream: { status: 500 },
      details: {
        verification: { by: 'lookup', observed: 'ended', end: '2024-05-06T16:07:59' },
        answered: 'alreadyEnded',
      },
    });
  });

  it('keeps TERMINATION_FAILED when the session is still active, recording what it saw', async () => {
    const s = gw.simulator.addSession();
    gw.simulator.injectFault({ kind: 'preset', preset: 'drop-failed' }, { path: 'drop' }, 1);
    const out = await terminateOne(gw, channel, s.sessionId, { token: token() });
    expect(out).toMatchObject({ status: 409, code: 'TERMINATION_FAILED' });
    expect((await recordOf(gw, s.sessionId)).details).toEqual({
      verification: { by: 'lookup', observed: 'active' },
    });
  });

  it('answers verified when a drop timed out but the session has ended', async () => {
    const s = gw.simulator.addSession();
    gw.simulator.injectFault({ kind: 'hang' }, { path: 'drop' }, 1);
    const pending = terminateOne(gw, channel, s.sessionId, { token: token() });
    // Segura acted, but its answer never arrives.
    await until(() => gw.simulator.requests.some((r) => r.method === 'DELETE'));
    endInSegura(gw, s.sessionId);
    const out = await pending;
    expect(out.status).toBe(200);
    expect(out.data).toMatchObject({ terminated: true, alreadyEnded: false, verified: true });
    expect(await recordOf(gw, s.sessionId)).toMatchObject({
      outcome: 'unknown',
      errorCode: 'UPSTREAM_TIMEOUT',
      details: { verification: { observed: 'ended' }, answered: 'verified' },
    });
  });

  it('keeps UPSTREAM_TIMEOUT when the session is still active after a timeout', async () => {
    const s = gw.simulator.addSession();
    gw.simulator.injectFault({ kind: 'hang' }, { path: 'drop' }, 1);
    const out = await terminateOne(gw, channel, s.sessionId, { token: token() });
    expect(out).toMatchObject({ status: 504, code: 'UPSTREAM_TIMEOUT' });
    expect(await recordOf(gw, s.sessionId)).toMatchObject({
      outcome: 'unknown',
      details: { verification: { observed: 'active' } },
    });
  });

  it('keeps the error and records a failed lookup when the lookup fails too', async () => {
    const s = gw.simulator.addSession();
    gw.simulator.injectFault({ kind: 'preset', preset: 'drop-failed' }, { path: 'drop' }, 1);
    gw.simulator.injectFault({ kind: 'preset', preset: 'unexpected' }, { path: 'get' }, 1);
    const out = await terminateOne(gw, channel, s.sessionId, { token: token() });
    expect(out.code).toBe('TERMINATION_FAILED');
    expect((await recordOf(gw, s.sessionId)).details).toEqual({
      verification: { by: 'lookup', observed: 'lookup-failed', code: 'UPSTREAM_ERROR' },
    });
  });

  it('does not look up after a success unless the policy asks (verifyAfterSuccess)', async () => {
    const s = gw.simulator.addSession();
    const plain = await terminateOne(gw, channel, s.sessionId, { token: token() });
    expect(plain.data).toMatchObject({ terminated: true, verified: false });
    expect(lookups(gw, s.sessionId)).toBe(0);

    const t = strict.simulator.addSession();
    const checked = await terminateOne(strict, channel, t.sessionId, {
      token: strict.tokens.operator,
    });
    expect(checked.data).toMatchObject({ terminated: true, verified: true, alreadyEnded: false });
    expect(lookups(strict, t.sessionId)).toBe(1);
    expect(await recordOf(strict, t.sessionId)).toMatchObject({
      outcome: 'succeeded',
      details: { verification: { observed: 'ended' } },
    });
  });
});
