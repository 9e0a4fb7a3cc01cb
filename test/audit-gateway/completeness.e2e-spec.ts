import { AuditService } from '../../src/audit/audit.service';
import type { AuditRecord } from '../../src/audit/audit.types';
import type { Fault } from '../../simulator/pam-core-simulator';
import { auditLogLines, readAuditRecords } from '../support/audit-reader';
import { type GatewayHarness, httpCall, startGateway } from '../support/gateway';
import { type Answer, CHANNELS, type Channel, terminate } from '../support/termination';

/**
 * Completeness: after a mixed run through both channels (successes, Segura errors, denials,
 * invalid input), the audit log holds exactly one session.terminate record per authenticated
 * termination request, each with the decision, outcome, code and channel the caller's answer
 * implies; the chain verifies; every answer's auditEventId resolves; and every record was also
 * written as JSON log lines for log shippers.
 */
interface Case {
  name: string;
  caller: 'operator' | 'viewer' | 'noRoles' | 'anonymous';
  id?: string; // default: a fresh active session
  reason?: string;
  body?: unknown;
  fault?: Fault;
  code?: string; // expected error code; none: success
  /** Expected record; null: the request must leave none. */
  record: { decision: string; outcome: string | null } | null;
}

const CASES: Case[] = [
  { name: 'success', caller: 'operator', reason: 'INC-1', record: ok() },
  ...upstream('not found', { kind: 'preset', preset: 'not-found' }, 'SESSION_NOT_FOUND', 'failed'),
  { name: 'success, no reason', caller: 'operator', record: ok() },
  ...upstream(
    'drop failed',
    { kind: 'preset', preset: 'drop-failed' },
    'TERMINATION_FAILED',
    'failed',
  ),
  ...upstream(
    'no rights',
    { kind: 'preset', preset: 'not-authorized' },
    'UPSTREAM_FORBIDDEN',
    'failed',
  ),
  ...upstream(
    'timed out',
    { kind: 'preset', preset: 'timeout-message' },
    'UPSTREAM_TIMEOUT',
    'unknown',
  ),
  ...upstream('reset', { kind: 'reset' }, 'UPSTREAM_UNAVAILABLE', 'unknown'),
  ...upstream('HTML 500', { kind: 'html', status: 500 }, 'UPSTREAM_ERROR', 'unknown'),
  { name: 'success after errors', caller: 'operator', record: ok() },
  { name: 'viewer', caller: 'viewer', code: 'FORBIDDEN', record: rejected('denied') },
  { name: 'no roles', caller: 'noRoles', code: 'FORBIDDEN', record: rejected('denied') },
  {
    name: 'path id',
    caller: 'operator',
    id: '../x',
    code: 'BAD_USER_INPUT',
    record: rejected('invalid'),
  },
  {
    name: 'long id',
    caller: 'operator',
    id: 'a'.repeat(129),
    code: 'BAD_USER_INPUT',
    record: rejected('invalid'),
  },
  {
    name: 'long reason',
    caller: 'operator',
    reason: 'r'.repeat(501),
    code: 'BAD_USER_INPUT',
    record: rejected('invalid'),
  },
  // Never authenticated: not a termination request of anyone, so no record.
  { name: 'anonymous', caller: 'anonymous', code: 'UNAUTHENTICATED', record: null },
];

function ok(): Case['record'] {
  return { decision: 'allowed', outcome: 'succeeded' };
}
function rejected(decision: 'denied' | 'invalid'): Case['record'] {
  return { decision, outcome: null };
}
function upstream(name: string, fault: Fault, code: string, outcome: string): Case[] {
  return [{ name, caller: 'operator', fault, code, record: { decision: 'allowed', outcome } }];
}

interface Sent {
  c: Case;
  channel: Channel;
  requestId: string;
  answer: Answer;
}

let gw: GatewayHarness;
const sent: Sent[] = [];
let records: AuditRecord[];

beforeAll(async () => {
  gw = await startGateway({ env: { AUDIT_HMAC_KEY: 'completeness-hmac-key-7c1d' } });
  const token = (c: Case) => (c.caller === 'anonymous' ? undefined : gw.tokens[c.caller]);
  let n = 0;
  for (const channel of CHANNELS) {
    for (const c of CASES) {
      if (c.fault) gw.simulator.injectFault(c.fault, { path: 'drop' }, 1);
      const requestId = `mix-${channel}-${++n}`;
      const id = c.id ?? gw.simulator.addSession().sessionId;
      const answer = await terminate(gw.url, channel, id, {
        token: token(c),
        reason: c.reason,
        requestId,
      });
      sent.push({ c, channel, requestId, answer });
    }
  }
  // REST only: an unknown JSON field is invalid input, audited like any other.
  const unknownField: Case = {
    name: 'unknown field',
    caller: 'operator',
    code: 'BAD_USER_INPUT',
    record: rejected('invalid'),
  };
  const id = gw.simulator.addSession().sessionId;
  const answer = await terminate(gw.url, 'rest', id, {
    token: gw.tokens.operator,
    body: { reason: 'x', force: true },
    requestId: 'mix-rest-unknown-field',
  });
  sent.push({ c: unknownField, channel: 'rest', requestId: 'mix-rest-unknown-field', answer });
  records = await readAuditRecords(gw.url, { token: gw.tokens.auditor });
});
afterAll(async () => {
  await gw?.close();
});

it('every caller got the answer its case expects', () => {
  for (const s of sent) {
    expect({ name: s.c.name, channel: s.channel, code: s.answer.code }).toEqual({
      name: s.c.name,
      channel: s.channel,
      code: s.c.code,
    });
    expect(s.answer.requestId).toBe(s.requestId);
  }
});

it('holds exactly one session.terminate record per authenticated termination request', () => {
  const expected = sent.filter((s) => s.c.record !== null);
  expect(records).toHaveLength(expected.length);
  expect(new Set(records.map((r) => r.requestId)).size).toBe(records.length);
  for (const s of sent) {
    const matching = records.filter((r) => r.requestId === s.requestId);
    expect({ name: s.c.name, channel: s.channel, n: matching.length }).toEqual({
      name: s.c.name,
      channel: s.channel,
      n: s.c.record ? 1 : 0,
    });
  }
});

it('records the decision, outcome, error code and channel the answer implies', () => {
  for (const s of sent.filter((x) => x.c.record)) {
    const r = records.find((x) => x.requestId === s.requestId)!;
    expect({
      name: s.c.name,
      decision: r.decision,
      outcome: r.outcome,
      errorCode: r.errorCode,
      channel: r.channel,
    }).toEqual({
      name: s.c.name,
      ...s.c.record,
      errorCode: s.c.code ?? null,
      channel: s.channel,
    });
    expect(r.action).toBe('session.terminate');
    expect(r.actor.id).toBe(
      { operator: 'alice', viewer: 'bob', noRoles: 'dave' }[s.c.caller as 'operator'],
    );
  }
});

it("resolves every answer's auditEventId to its own record", async () => {
  const successes = sent.filter((s) => s.answer.payload);
  expect(successes.length).toBe(sent.filter((s) => !s.c.code).length);
  for (const s of successes) {
    const r = records.find((x) => x.id === s.answer.payload!.auditEventId);
    expect(r).toMatchObject({ requestId: s.requestId, outcome: 'succeeded' });
    // And through the filter an auditor would use for one session.
    const bySession = await readAuditRecords(
      gw.url,
      { token: gw.tokens.auditor },
      {
        sessionId: s.answer.payload!.sessionId,
      },
    );
    expect(bySession.map((x) => x.id)).toEqual([s.answer.payload!.auditEventId]);
  }
});

it('keeps one intact hash chain (what npm run audit:verify checks)', async () => {
  const result = await gw.app.get(AuditService).verify();
  expect(result).toEqual({ ok: true, count: expect.any(Number) });
  // Intents and outcomes of terminations, plus the audit.read records of the reads above.
  const outcomes = records.filter((r) => r.outcome !== null).length;
  expect(result.count).toBeGreaterThanOrEqual(records.length + outcomes);
});

it('wrote every record to the log as JSON lines marked audit', () => {
  const lines = auditLogLines(gw.logs).filter((l) => l.event.action === 'session.terminate');
  for (const r of records) {
    const intents = lines.filter((l) => l.entry === 'intent' && l.event.id === r.id);
    expect(intents).toHaveLength(1);
    expect(intents[0].event).toMatchObject({
      hash: r.hash,
      decision: r.decision,
      requestId: r.requestId,
    });
    const outcomes = lines.filter((l) => l.entry === 'outcome' && l.event.id === r.id);
    expect(outcomes).toHaveLength(r.outcome === null ? 0 : 1);
    if (r.outcome !== null) {
      expect(outcomes[0].event).toMatchObject({
        outcome: r.outcome,
        errorCode: r.errorCode,
        outcomeHash: r.outcomeHash,
      });
    }
  }
  expect(lines.filter((l) => l.entry === 'intent')).toHaveLength(records.length);
});

it('refuses a GraphQL document with an unknown argument before authentication, leaving no record', async () => {
  // Validation runs before any guard: the document never names an operation the gateway runs.
  const res = await httpCall(gw.url, 'POST', '/graphql', {
    token: gw.tokens.operator,
    body: { query: `mutation { terminateSession(id: "abc", force: true) { sessionId } }` },
    headers: { 'x-request-id': 'mix-graphql-unknown-arg' },
  });
  expect(res.json.errors[0].extensions.code).toBe('BAD_USER_INPUT');
  const all = await readAuditRecords(gw.url, { token: gw.tokens.auditor });
  expect(all.filter((r) => r.requestId === 'mix-graphql-unknown-arg')).toEqual([]);
});
