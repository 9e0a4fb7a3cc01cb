import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { PamCoreSimulator } from '../../simulator/pam-core-simulator';
import { AUDIENCE, DEFAULT_POLICY, SIM_CLIENT_ID, SIM_CLIENT_SECRET } from '../support/gateway';
import { baseEnv, killAllGateways, spawnGateway, until } from '../support/gateway-process';
import { type IssuerHandle, startIssuer } from '../support/oidc-issuer';
import { terminate } from '../support/termination';

/**
 * SIGTERM during an in-flight termination (docs/configuration.md: "SIGTERM drains in-flight
 * work and exits 0"): the gateway stops accepting connections at once, lets the held drop
 * finish, answers the caller, writes the outcome, and exits 0 within its shutdown timeout.
 */
let simulator: PamCoreSimulator;
let issuer: IssuerHandle;
let dir: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'pam-gw-sigterm-'));
  writeFileSync(join(dir, 'policy.yaml'), DEFAULT_POLICY);
  simulator = new PamCoreSimulator({ clientId: SIM_CLIENT_ID, clientSecret: SIM_CLIENT_SECRET });
  await simulator.start(0, '127.0.0.1');
  issuer = await startIssuer();
});
afterAll(async () => {
  await killAllGateways();
  await simulator?.stop();
  await issuer?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** Resolves with the connect error code, or 'connected'. */
function tryConnect(port: number): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve('connected');
    });
    socket.once('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? err.message));
  });
}

it('drains the in-flight termination, answers it, records it, refuses new connections, exits 0', async () => {
  const auditFile = join(dir, 'audit.db');
  const gateway = await spawnGateway({
    ...baseEnv({
      simulatorUrl: simulator.url,
      issuerUrl: issuer.url,
      policyFile: join(dir, 'policy.yaml'),
      auditUrl: `sqlite:${auditFile}`,
    }),
    PAM_CORE_TIMEOUT_MS: '30000',
    SHUTDOWN_TIMEOUT_MS: '20000',
  });
  const port = Number(new URL(gateway.url).port);
  const token = await issuer.token({
    payload: { aud: AUDIENCE, sub: 'alice', roles: ['session-operator'] },
  });
  const sessionId = simulator.addSession().sessionId;
  simulator.injectFault({ kind: 'hang' }, { path: 'drop' }, 1);
  const inFlight = terminate(gateway.url, 'rest', sessionId, { token, reason: 'drain' });
  await until(() => simulator.requests.some((r) => r.method === 'DELETE'));

  gateway.signal('SIGTERM');
  // Polled, bounded: the signal arrives asynchronously and the listening socket closes on the
  // event loop's next turn; it must close while the drop is still held.
  let attempt = 'connected';
  for (let i = 0; i < 100 && attempt === 'connected'; i++) {
    attempt = await tryConnect(port);
    if (attempt === 'connected') await new Promise((r) => setTimeout(r, 20));
  }
  expect(attempt).toBe('ECONNREFUSED');
  expect(simulator.requests.filter((r) => r.method === 'DELETE')).toHaveLength(1);

  simulator.release();
  const answer = await inFlight;
  expect(answer.status).toBe(200);
  expect(answer.payload).toMatchObject({ sessionId, terminated: true });

  expect(await gateway.exited).toEqual({ code: 0, signal: null });
  // stdout is flushed at exit: the shutdown's own account of itself is there.
  expect(gateway.lines.some((l) => l.includes('stopping: no new connections'))).toBe(true);
  expect(gateway.lines.some((l) => l.includes('"msg":"stopped"'))).toBe(true);

  const db = new Database(auditFile, { readonly: true });
  try {
    const rows = db
      .prepare('select id, kind, decision, outcome, ref_id from audit_chain order by seq')
      .all() as Array<{
      id: string;
      kind: string;
      decision: string;
      outcome: string;
      ref_id: string;
    }>;
    expect(rows).toEqual([
      expect.objectContaining({
        kind: 'intent',
        decision: 'allowed',
        id: answer.payload!.auditEventId,
      }),
      expect.objectContaining({
        kind: 'outcome',
        outcome: 'succeeded',
        ref_id: answer.payload!.auditEventId,
      }),
    ]);
  } finally {
    db.close();
  }
}, 60_000);
