import { join } from 'node:path';
import Database from 'better-sqlite3';
import { readAuditRecords } from '../support/audit-reader';
import { type GatewayHarness, startGateway } from '../support/gateway';
import { unusedPort, until } from '../support/gateway-process';
import { terminate } from '../support/termination';
import { completionSeq, eventually, WebhookReceiver, webhookSecret } from './webhook-receiver';

/**
 * Audit events to a webhook (README, "Events to webhooks") against a real receiver on loopback
 * that verifies every signature itself. The receiver is down while the records are written: the
 * events wait in the outbox, are retried with backoff, and all arrive once it is up, in order.
 */
const SECRET = webhookSecret();

let gw: GatewayHarness;
let receiver: WebhookReceiver;
let port: number;

beforeAll(async () => {
  port = await unusedPort();
  receiver = new WebhookReceiver(SECRET);
  gw = await startGateway({
    env: {
      EVENTS_WEBHOOK_URLS: `http://127.0.0.1:${port}/hooks/audit`,
      EVENTS_WEBHOOK_SECRET: SECRET,
      EVENTS_TIMEOUT_MS: '1000',
      EVENTS_RETRY_MIN_MS: '20',
      EVENTS_RETRY_MAX_MS: '200',
      EVENTS_POLL_MS: '50',
      GATEWAY_INSTANCE: 'gw-test-1',
      METRICS_PUBLIC: 'true',
    },
  });
});
afterAll(async () => {
  await gw?.close();
  await receiver?.stop();
});

async function metric(name: string): Promise<number> {
  const text = (await gw.request('GET', '/metrics')).text;
  const line = text.split('\n').find((l) => l.startsWith(`${name}{receiver="0"}`));
  return Number(line?.split(' ').pop() ?? NaN);
}

describe('events to a webhook receiver that is down, then up', () => {
  it('delivers one signed CloudEvent per non-read record, all of them, in order', async () => {
    const sessions = [1, 2, 3, 4, 5].map(() => gw.simulator.addSession().sessionId);
    const bulkUser = 'admin-x';
    gw.simulator.addSession({ user: bulkUser });
    gw.simulator.addSession({ user: bulkUser });
    const { operator, viewer, auditor } = gw.tokens;

    for (const id of sessions) {
      expect((await terminate(gw.url, 'rest', id, { token: operator, reason: 'r' })).status).toBe(
        200,
      );
    }
    // A denial, an invalid attempt, a bulk request (parent and children) and reads (no events).
    expect((await terminate(gw.url, 'graphql', sessions[0], { token: viewer })).status).toBe(403);
    expect(
      (await terminate(gw.url, 'rest', sessions[0], { token: operator, body: { reason: 7 } }))
        .status,
    ).toBe(400);
    const bulk = await gw.request('POST', '/api/v1/sessions/terminate', {
      token: operator,
      body: { filter: { user: bulkUser }, reason: 'INC-1' },
    });
    expect(bulk.status).toBe(200);
    expect((await gw.request('GET', '/api/v1/sessions', { token: operator })).status).toBe(200);

    // Down: attempts fail and are retried; nothing is lost.
    await until(() => gw.logs.some((l) => l.includes('attempt 2 failed')));
    expect(await metric('pam_gateway_events_failed_attempts_total')).toBeGreaterThan(1);
    expect(await metric('pam_gateway_events_pending')).toBeGreaterThan(0);

    const records = (await readAuditRecords(gw.url, { token: auditor }, {})).filter(
      (r) => r.action !== 'audit.read' && r.action !== 'session.read',
    );
    expect(records.map((r) => r.decision)).toEqual(
      expect.arrayContaining(['allowed', 'denied', 'invalid']),
    );
    expect(records.some((r) => r.action === 'session.terminate.bulk')).toBe(true);

    await receiver.start(port);
    await until(() => receiver.firsts().length >= records.length);
    await eventually(async () => (await metric('pam_gateway_events_pending')) === 0);

    expect(receiver.rejected).toEqual([]);
    const got = receiver.firsts();
    expect(got.map((r) => r.webhookId).sort()).toEqual(records.map((r) => r.id).sort());
    // In the order the records were completed, which is the chain's order.
    const seqs = got.map(completionSeq);
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
    // A duplicate (allowed: at least once) is the same event.
    for (const r of receiver.received) {
      expect(r.body).toBe(got.find((g) => g.webhookId === r.webhookId)?.body);
    }
    for (const r of got) {
      const record = records.find((x) => x.id === r.webhookId)!;
      expect(r.event).toEqual({
        specversion: '1.0',
        id: record.id,
        source: 'urn:pam-gateway:gw-test-1',
        type: `pam-gateway.${record.action}`,
        time: record.time,
        ...(record.sessionId === null ? {} : { subject: record.sessionId }),
        datacontenttype: 'application/json',
        data: record,
      });
    }
    expect(await metric('pam_gateway_events_delivered_total')).toBe(records.length);
    expect(await metric('pam_gateway_events_dead_total')).toBe(0);
    expect(await metric('pam_gateway_events_oldest_pending_seconds')).toBe(0);
  }, 60_000);
});

describe('an event that cannot be delivered', () => {
  it('is dead once older than EVENTS_MAX_AGE_HOURS, counted, and holds nothing back', async () => {
    const { operator } = gw.tokens;
    const before = receiver.received.length;
    const deadBefore = await metric('pam_gateway_events_dead_total');
    receiver.status = 500;
    receiver.answerBody = 'stack trace with db-password=hunter2';
    const first = await terminate(gw.url, 'rest', gw.simulator.addSession().sessionId, {
      token: operator,
    });
    const id = first.payload!.auditEventId;
    await until(() => gw.logs.some((l) => l.includes(`event ${id} attempt 1 failed`)));
    // As if the receiver had refused it for days: the outbox row is dated 100 hours back.
    const db = new Database(join(gw.dir, 'audit.db'));
    db.prepare('update event_outbox set time = ? where id = ?').run(
      new Date(Date.now() - 100 * 3600_000).toISOString(),
      id,
    );
    db.close();
    await until(() => gw.logs.some((l) => l.includes(`event ${id} is dead`)));
    expect(await metric('pam_gateway_events_dead_total')).toBe(deadBefore + 1);

    receiver.status = 204;
    receiver.answerBody = '';
    const second = await terminate(gw.url, 'rest', gw.simulator.addSession().sessionId, {
      token: operator,
    });
    await until(() => receiver.received.length > before);
    expect(receiver.received.slice(before).map((r) => r.webhookId)).toEqual([
      second.payload!.auditEventId,
    ]);
    // Logs name the receiver by its index; never its URL or what it answered.
    const lines = gw.logs.filter((l) => l.includes('"context":"Events"'));
    expect(lines.length).toBeGreaterThan(0);
    expect(lines.filter((l) => l.includes(String(port)) || l.includes(SECRET))).toEqual([]);
    expect(gw.logs.filter((l) => l.includes('hunter2'))).toEqual([]);
  }, 60_000);
});
