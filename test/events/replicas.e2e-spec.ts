import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PamCoreSimulator } from '../../simulator/pam-core-simulator';
import { AUDIENCE, DEFAULT_POLICY, SIM_CLIENT_ID, SIM_CLIENT_SECRET } from '../support/gateway';
import {
  baseEnv,
  type GatewayProcess,
  killAllGateways,
  spawnGateway,
  until,
} from '../support/gateway-process';
import { type IssuerHandle, startIssuer } from '../support/oidc-issuer';
import { createPgSchema, describePg, pgQuery, type PgSchema } from '../support/postgres';
import { type Answer, terminate } from '../support/termination';
import { completionSeq, WebhookReceiver, webhookSecret } from './webhook-receiver';

/**
 * Two replicas on one PostgreSQL schema, one receiver: 500 terminations split across both. The
 * receiver's lease row lets one replica at a time send, so every event arrives, in the chain's
 * order; a duplicate (at least once) may only be the same event with the same webhook-id.
 */
const TOTAL = 500;
const SECRET = webhookSecret();

describePg('events from two replicas on PostgreSQL', () => {
  let simulator: PamCoreSimulator;
  let issuer: IssuerHandle;
  let schema: PgSchema;
  let dir: string;
  let receiver: WebhookReceiver;
  let replicas: GatewayProcess[];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'pam-gw-events-pg-'));
    const policyFile = join(dir, 'policy.yaml');
    writeFileSync(policyFile, DEFAULT_POLICY);
    simulator = new PamCoreSimulator({
      clientId: SIM_CLIENT_ID,
      clientSecret: SIM_CLIENT_SECRET,
      seed: 0,
    });
    for (let i = 0; i < TOTAL; i++) simulator.addSession();
    receiver = new WebhookReceiver(SECRET);
    const [simulatorUrl, startedIssuer, createdSchema, hookUrl] = await Promise.all([
      simulator.start(0, '127.0.0.1'),
      startIssuer(),
      createPgSchema('gw_events'),
      receiver.start(),
    ]);
    issuer = startedIssuer;
    schema = createdSchema;
    const env = {
      ...baseEnv({ simulatorUrl, issuerUrl: issuer.url, policyFile, auditUrl: schema.url }),
      LOG_LEVEL: 'warn',
      EVENTS_WEBHOOK_URLS: hookUrl,
      EVENTS_WEBHOOK_SECRET: SECRET,
      EVENTS_TIMEOUT_MS: '1000',
      EVENTS_RETRY_MIN_MS: '20',
      EVENTS_RETRY_MAX_MS: '100',
      EVENTS_POLL_MS: '50',
    };
    replicas = await Promise.all([
      spawnGateway({ ...env, GATEWAY_INSTANCE: 'replica-a' }),
      spawnGateway({ ...env, GATEWAY_INSTANCE: 'replica-b' }),
    ]);
  }, 90_000); // may include compiling the production build once
  afterAll(async () => {
    await killAllGateways();
    await receiver?.stop();
    await simulator?.stop();
    await issuer?.stop();
    await schema?.drop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('500 terminations across 2 replicas: every event arrives, duplicates only as the same event', async () => {
    const token = await issuer.token({
      payload: { aud: AUDIENCE, sub: 'ir-bot', roles: ['session-operator'] },
    });
    const ids = simulator.getSessions().map((s) => s.sessionId);
    expect(ids).toHaveLength(TOTAL);
    // The receiver fails every delivery while the records are written.
    receiver.status = 503;
    const answers: Answer[] = await Promise.all(
      ids.map((id, i) => terminate(replicas[i % 2].url, 'rest', id, { token, reason: `r${i}` })),
    );
    expect(answers.filter((a) => a.status !== 200).map((a) => a.raw)).toEqual([]);

    // The replica holding the receiver's lease dies; the other takes over once it expires.
    await until(() => receiver.attempts > 0);
    const [lease] = await pgQuery<{ lease_owner: string }>(
      'select lease_owner from event_receivers',
      [],
      schema.schema,
    );
    const holder = replicas.find((r) => lease.lease_owner.includes(`:${r.pid}:`));
    expect(holder).toBeDefined();
    await holder!.kill();
    receiver.status = 204;

    await until(() => receiver.firsts().length >= TOTAL, 50_000);
    expect(receiver.rejected).toEqual([]);
    const got = receiver.firsts();
    expect(got.map((r) => r.webhookId).sort()).toEqual(
      answers.map((a) => a.payload!.auditEventId).sort(),
    );
    for (const r of receiver.received) {
      expect(r.body).toBe(got.find((g) => g.webhookId === r.webhookId)?.body);
    }
    const seqs = got.map(completionSeq);
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
    // Both replicas wrote events (each its own source), the survivor sent them all.
    const sources = new Set(got.map((r) => r.event.source));
    expect(sources).toEqual(new Set(['urn:pam-gateway:replica-a', 'urn:pam-gateway:replica-b']));
    const [row] = await pgQuery<{ lease_owner: string }>(
      'select lease_owner from event_receivers',
      [],
      schema.schema,
    );
    expect(row.lease_owner).not.toBe(lease.lease_owner);
  }, 120_000);
});
