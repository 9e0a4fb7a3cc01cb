import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { PamCoreSimulator } from '../../simulator/pam-core-simulator';
import { readAuditRecords } from '../support/audit-reader';
import { AUDIENCE, DEFAULT_POLICY, SIM_CLIENT_ID, SIM_CLIENT_SECRET } from '../support/gateway';
import {
  baseEnv,
  killAllGateways,
  spawnGateway,
  unusedPort,
  until,
} from '../support/gateway-process';
import { type IssuerHandle, startIssuer } from '../support/oidc-issuer';
import { terminate } from '../support/termination';
import { completionSeq, WebhookReceiver, webhookSecret } from './webhook-receiver';

/**
 * Nothing is lost when the gateway dies with events pending: they were committed with their
 * audit records, so the next gateway on the same store delivers them (README, "Events to
 * webhooks"). The receiver is down while the first gateway runs; that one is killed with
 * SIGKILL (one drop still held by Segura), the receiver comes up, and a new gateway sends
 * everything, the `unknown` outcome its startup recovery writes for the held drop included.
 */
const TOTAL = 20;
const SECRET = webhookSecret();

let simulator: PamCoreSimulator;
let issuer: IssuerHandle;
let receiver: WebhookReceiver;
let dir: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'pam-gw-events-'));
  writeFileSync(join(dir, 'policy.yaml'), DEFAULT_POLICY);
  simulator = new PamCoreSimulator({ clientId: SIM_CLIENT_ID, clientSecret: SIM_CLIENT_SECRET });
  await simulator.start(0, '127.0.0.1');
  issuer = await startIssuer();
  receiver = new WebhookReceiver(SECRET);
});
afterAll(async () => {
  await killAllGateways();
  await receiver?.stop();
  await simulator?.stop();
  await issuer?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** Events written and not yet delivered, read straight from the store. */
function pendingInStore(file: string): number {
  const db = new Database(file, { readonly: true });
  try {
    const row = db
      .prepare(
        'select count(*) as n from event_outbox where seq > (select delivered_seq from event_receivers)',
      )
      .get() as { n: number };
    return row.n;
  } finally {
    db.close();
  }
}

describe('gateway killed with events pending', () => {
  it('a restarted gateway delivers every one of them, in order, and the unknown outcome recovery writes', async () => {
    const file = join(dir, 'audit.db');
    const port = await unusedPort();
    const env = {
      ...baseEnv({
        simulatorUrl: simulator.url,
        issuerUrl: issuer.url,
        policyFile: join(dir, 'policy.yaml'),
        auditUrl: `sqlite:${file}`,
      }),
      EVENTS_WEBHOOK_URLS: `http://127.0.0.1:${port}/hooks/audit`,
      EVENTS_WEBHOOK_SECRET: SECRET,
      EVENTS_TIMEOUT_MS: '500',
      EVENTS_RETRY_MIN_MS: '20',
      EVENTS_RETRY_MAX_MS: '100',
      EVENTS_POLL_MS: '50',
      GATEWAY_INSTANCE: 'gw-restart',
      // Far longer than the test: only the kill ends the held drop.
      PAM_CORE_TIMEOUT_MS: '120000',
    };
    const token = await issuer.token({
      payload: { aud: AUDIENCE, sub: 'alice', roles: ['session-operator'] },
    });
    const ids = Array.from({ length: TOTAL }, () => simulator.addSession().sessionId);

    const first = await spawnGateway(env);
    const answers = await Promise.all(
      ids.map((id, i) => terminate(first.url, i % 2 ? 'rest' : 'graphql', id, { token })),
    );
    expect(answers.map((a) => a.status)).toEqual(ids.map(() => 200));
    // One more, held by Segura when the gateway dies: its intent alone is no event yet.
    const held = simulator.addSession().sessionId;
    simulator.resetRequests();
    simulator.injectFault({ kind: 'hang' }, { path: 'drop' }, 1);
    const pending = terminate(first.url, 'rest', held, { token });
    pending.catch(() => undefined); // the connection dies with the process
    await until(() => simulator.requests.some((r) => r.method === 'DELETE'));
    expect(pendingInStore(file)).toBe(TOTAL);
    expect(await first.kill()).toEqual({ code: null, signal: 'SIGKILL' });
    simulator.clearFaults();

    await receiver.start(port);
    const second = await spawnGateway(env);
    // Startup recovery closes the held intent as unknown: that record's event comes last.
    await until(() => receiver.firsts().length >= TOTAL + 1, 30_000);

    const auditor = await issuer.token({
      payload: { aud: AUDIENCE, sub: 'carol', roles: ['auditor'] },
    });
    const records = await readAuditRecords(second.url, { token: auditor });
    expect(records).toHaveLength(TOTAL + 1);
    expect(receiver.rejected).toEqual([]);
    const got = receiver.firsts();
    expect(
      got
        .slice(0, TOTAL)
        .map((r) => r.webhookId)
        .sort(),
    ).toEqual(answers.map((a) => a.payload?.auditEventId).sort());
    expect(got[TOTAL].event).toMatchObject({
      subject: held,
      data: { outcome: 'unknown', details: { closedBy: 'startup-recovery' } },
    });
    expect(got.map((r) => r.event.data)).toEqual(
      [...records].sort((a, b) => (a.outcomeSeq ?? 0) - (b.outcomeSeq ?? 0)),
    );
    const seqs = got.map(completionSeq);
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
    await until(() => pendingInStore(file) === 0);

    // A clean stop ends the deliveries before the store closes, and gives the lease up.
    second.signal('SIGTERM');
    expect(await second.exited).toEqual({ code: 0, signal: null });
    expect(second.lines.filter((l) => l.includes('"level":50'))).toEqual([]);
    const db = new Database(file, { readonly: true });
    expect(db.prepare('select lease_owner, lease_until from event_receivers').all()).toEqual([
      { lease_owner: null, lease_until: 0 },
    ]);
    db.close();
  }, 90_000);
});
