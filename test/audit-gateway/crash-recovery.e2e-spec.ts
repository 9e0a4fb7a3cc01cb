import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { PamCoreSimulator } from '../../simulator/pam-core-simulator';
import { auditLogLines, readAuditRecords } from '../support/audit-reader';
import { AUDIENCE, DEFAULT_POLICY, SIM_CLIENT_ID, SIM_CLIENT_SECRET } from '../support/gateway';
import {
  baseEnv,
  killAllGateways,
  runToExit,
  spawnGateway,
  until,
} from '../support/gateway-process';
import { type IssuerHandle, startIssuer } from '../support/oidc-issuer';
import { createPgSchema, describePg, pgQuery, type PgSchema } from '../support/postgres';
import { terminate } from '../support/termination';

/**
 * Crash between intent and outcome (docs/audit-record.md: "An intent left without an outcome
 * by a crash is closed as unknown at the next start"): the drop is held by the simulator, the
 * gateway is killed with SIGKILL while waiting for it, and a new gateway on the same store
 * closes the intent as unknown (details.closedBy startup-recovery) and says so in its log.
 */
const HMAC = 'crash-hmac-key-93aa';

let simulator: PamCoreSimulator;
let issuer: IssuerHandle;
let dir: string;
let policyFile: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'pam-gw-crash-'));
  policyFile = join(dir, 'policy.yaml');
  writeFileSync(policyFile, DEFAULT_POLICY);
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

async function crashAndRecover(auditUrl: string, extra: Record<string, string> = {}) {
  const env = {
    ...baseEnv({ simulatorUrl: simulator.url, issuerUrl: issuer.url, policyFile, auditUrl }),
    // Far longer than the test: only the kill can end the held drop.
    PAM_CORE_TIMEOUT_MS: '120000',
    AUDIT_HMAC_KEY: HMAC,
    ...extra,
  };
  const token = await issuer.token({
    payload: { aud: AUDIENCE, sub: 'alice', roles: ['session-operator'] },
  });
  const sessionId = simulator.addSession().sessionId;
  simulator.resetRequests();
  simulator.injectFault({ kind: 'hang' }, { path: 'drop' }, 1);

  const first = await spawnGateway(env);
  const pending = terminate(first.url, 'rest', sessionId, { token, reason: 'crash test' });
  pending.catch(() => undefined); // the connection dies with the process
  // The intent is committed and the drop is held by Segura: now, between intent and outcome.
  await until(() => simulator.requests.some((r) => r.method === 'DELETE'));
  const intents = await openIntents(auditUrl, sessionId);
  expect(intents).toHaveLength(1);
  const intentId = intents[0];

  expect(await first.kill()).toEqual({ code: null, signal: 'SIGKILL' });
  await expect(pending).rejects.toThrow();
  simulator.clearFaults();

  const second = await spawnGateway(env);
  const auditor = await issuer.token({
    payload: { aud: AUDIENCE, sub: 'carol', roles: ['auditor'] },
  });
  const records = await readAuditRecords(second.url, { token: auditor }, { sessionId });
  expect(records).toHaveLength(1);
  expect(records[0]).toMatchObject({
    id: intentId,
    decision: 'allowed',
    outcome: 'unknown',
    errorCode: null,
    details: { closedBy: 'startup-recovery' },
  });
  // Exactly one drop reached Segura: recovery records, it never retries.
  expect(simulator.requests.filter((r) => r.method === 'DELETE')).toHaveLength(1);

  // stdout may be buffered: a clean stop flushes it, then the log must tell what recovery did.
  second.signal('SIGTERM');
  expect(await second.exited).toEqual({ code: 0, signal: null });
  const warning = second.lines.find((l) => l.includes(`audit intent ${intentId}`));
  expect(JSON.parse(warning ?? '{}')).toMatchObject({ level: 40, context: 'Audit' });
  expect(warning).toContain('had no outcome: closed as unknown');
  expect(second.lines.some((l) => l.includes('closed 1 audit intents left open by a crash'))).toBe(
    true,
  );
  const outcomeLine = auditLogLines(second.lines).find((l) => l.entry === 'outcome');
  expect(outcomeLine?.event).toMatchObject({ id: intentId, outcome: 'unknown' });

  const verify = await runToExit('verifyCli', {
    AUDIT_DATABASE_URL: auditUrl,
    AUDIT_HMAC_KEY: HMAC,
  });
  expect(verify.stdout).toMatch(/^audit chain intact: \d+ entries/);
  expect(verify.code).toBe(0);
}

/** Ids of allowed intents for `sessionId` that have no outcome, read straight from the store. */
async function openIntents(auditUrl: string, sessionId: string): Promise<string[]> {
  const query =
    "select i.id from audit_chain i left join audit_chain o on o.ref_id = i.id where i.kind = 'intent' and i.decision = 'allowed' and o.id is null and i.session_id = ";
  if (auditUrl.startsWith('sqlite:')) {
    const db = new Database(auditUrl.slice('sqlite:'.length), { readonly: true });
    try {
      return (db.prepare(`${query}?`).all(sessionId) as Array<{ id: string }>).map((r) => r.id);
    } finally {
      db.close();
    }
  }
  const schema = new URL(auditUrl).searchParams.get('schema') ?? undefined;
  return (await pgQuery<{ id: string }>(`${query}$1`, [sessionId], schema)).map((r) => r.id);
}

describe('kill -9 between intent and outcome', () => {
  it('SQLite: the restarted gateway closes the intent as unknown', async () => {
    await crashAndRecover(`sqlite:${join(dir, 'audit.db')}`);
  }, 90_000);
});

describePg('kill -9 between intent and outcome (PostgreSQL)', () => {
  let schema: PgSchema;
  beforeAll(async () => {
    schema = await createPgSchema('gw_crash');
  });
  afterAll(async () => {
    await schema?.drop();
  });

  it('PostgreSQL with AUDIT_RECOVERY_GRACE_MS=0: the restarted gateway closes the intent as unknown', async () => {
    // The default grace (15 min) protects intents of live replicas; one replica may say 0.
    await crashAndRecover(schema.url, { AUDIT_RECOVERY_GRACE_MS: '0' });
  }, 90_000);
});
