import { randomBytes } from 'node:crypto';
import { connect } from 'node:net';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { AuditService } from '../../src/audit/audit.service';
import type { AuditRecord } from '../../src/audit/audit.types';
import { auditLogLines, readAuditRecords } from '../support/audit-reader';
import { AUDIENCE, type GatewayHarness, startGateway } from '../support/gateway';
import { type IssuerHandle, startIssuer } from '../support/oidc-issuer';
import { type Channel, CHANNELS, statusOfCode } from '../support/termination';

/**
 * Everything a caller controls that ends up in the audit record (and so in the audit log
 * lines) goes through one sanitiser: ESC, CR, LF, NUL and the other C0 controls, DEL, C1
 * controls, bidi embeddings, overrides, isolates and marks, and the line and paragraph
 * separators become U+FFFD; each field is cut at its bound in code points, the cut marked
 * with `…` (the first bound-1 characters, then `…`). On every path: allowed, denied by RBAC,
 * invalid, rate-limited, reads with filters, bulk dry runs and audit reads, in both channels.
 */
const TERMINATION_LIMIT = 4;

/** Every class of character that must not reach a record, between printable letters. */
const HOSTILE =
  'zq-a\u001b[31mb\rc\nd\u0000e\u0085f\u009bg\u202eh\u202ai\u2066j\u2069k\u2028l\u2029m\u200fn\u061co\u007fp';
/** The same text as it must be recorded. */
const CLEAN =
  'zq-a\uFFFD[31mb\uFFFDc\uFFFDd\uFFFDe\uFFFDf\uFFFDg\uFFFDh\uFFFDi\uFFFDj\uFFFDk\uFFFDl\uFFFDm\uFFFDn\uFFFDo\uFFFDp';
/** What may never appear in a recorded value or a log line's text. */
// eslint-disable-next-line no-control-regex -- these are the characters under test
const FORBIDDEN = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069]/u;

/** `n` copies of an astral character: two UTF-16 units each, one character. */
const astral = (n: number) => '\u{1F600}'.repeat(n);
/** What a value of more than `bound` characters must become: bound-1 characters, then `…`. */
const cut = (text: string, bound: number) => `${[...text].slice(0, bound - 1).join('')}…`;
const codePoints = (text: string) => [...text].length;

let issuer: IssuerHandle;
let gw: GatewayHarness;
let db: Database.Database;
beforeAll(async () => {
  issuer = await startIssuer();
  gw = await startGateway({
    issuer,
    env: {
      RATE_LIMIT_TERMINATIONS_PER_MINUTE: String(TERMINATION_LIMIT),
      RATE_LIMIT_IP_PER_MINUTE: '0',
    },
  });
  db = new Database(join(gw.dir, 'audit.db'), { readonly: true, fileMustExist: true });
});
afterAll(async () => {
  db?.close();
  await gw?.close();
  await issuer?.stop();
});

/** A principal of its own per test, so each starts with a full allowance. */
function principal(roles: string[]): Promise<string> {
  const sub = `san-${randomBytes(4).toString('hex')}`;
  return issuer.token({ payload: { aud: AUDIENCE, sub, preferred_username: sub, roles } });
}

const rid = () => `san-${randomBytes(6).toString('hex')}`;

/** The record with this request id, as an auditor reads it (REST audit API). */
async function recordOf(requestId: string, action: string): Promise<AuditRecord> {
  const all = await readAuditRecords(gw.url, { token: gw.tokens.auditor }, { action });
  const found = all.filter((r) => r.requestId === requestId);
  expect(found).toHaveLength(1);
  return found[0];
}

interface Row {
  request_id: string;
  session_id: string | null;
  reason: string | null;
  actor_user_agent: string | null;
  details: string | null;
}

/** The stored intent row(s) of a request, straight from the database. */
function rowsOf(requestId: string): Row[] {
  return db
    .prepare(
      "SELECT request_id, session_id, reason, actor_user_agent, details FROM audit_chain WHERE kind = 'intent' AND request_id = ?",
    )
    .all(requestId) as Row[];
}

function onlyRow(requestId: string): Row {
  const rows = rowsOf(requestId);
  expect(rows).toHaveLength(1);
  return rows[0];
}

/** Every string inside a JSON value. */
function stringsOf(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.flatMap(stringsOf);
  if (value !== null && typeof value === 'object') {
    return Object.entries(value).flatMap(([k, v]) => [k, ...stringsOf(v)]);
  }
  return [];
}

/** No log line carries a hostile value unsanitised; the audit lines are printable throughout. */
async function expectCleanLogs(): Promise<void> {
  await new Promise((r) => setTimeout(r, 50));
  for (const line of gw.logs) {
    const parsed: unknown = JSON.parse(line);
    const isAudit = (parsed as { audit?: unknown }).audit === true;
    for (const s of stringsOf(parsed)) {
      if (isAudit || s.includes('zq-')) expect(s).not.toMatch(FORBIDDEN);
    }
  }
}

async function expectChainIntact(): Promise<void> {
  await expect(gw.app.get(AuditService).verify()).resolves.toMatchObject({ ok: true });
}

/** A GraphQL call reduced to status (taxonomy's for an error) and data. */
async function gql(
  query: string,
  variables: Record<string, unknown>,
  token: string,
  requestId: string,
) {
  const res = await gw.graphql(query, variables, token, { 'x-request-id': requestId });
  const err = res.json?.errors?.[0];
  return {
    status: err ? statusOfCode(err.extensions?.code) : res.status,
    code: err?.extensions?.code as string | undefined,
    data: res.json?.data,
  };
}

const TERMINATE = `mutation T($id: ID!, $reason: String, $key: String) {
  terminateSession(id: $id, reason: $reason, idempotencyKey: $key) { sessionId auditEventId }
}`;

async function terminateCall(
  channel: Channel,
  token: string,
  id: string,
  reason: unknown,
  requestId: string,
  key?: string,
) {
  if (channel === 'rest') {
    const headers: Record<string, string> = { 'x-request-id': requestId };
    if (key !== undefined) headers['idempotency-key'] = key;
    const res = await gw.request('POST', `/api/v1/sessions/${encodeURIComponent(id)}/terminate`, {
      token,
      body: { reason },
      headers,
    });
    return { status: res.status, code: res.json?.code as string | undefined };
  }
  return gql(TERMINATE, { id, reason, key }, token, requestId);
}

/**
 * One HTTP request written byte for byte, for header values fetch would refuse to send: Node
 * reads header bytes as latin1, so 0x85 arrives as U+0085 and the UTF-8 of U+202E as "â\x80®".
 */
function rawRequest(
  method: string,
  path: string,
  headers: Record<string, Buffer | string>,
  body = '',
): Promise<number> {
  const url = new URL(gw.url);
  const lines: Buffer[] = [Buffer.from(`${method} ${path} HTTP/1.1\r\nHost: ${url.host}\r\n`)];
  const all = {
    ...headers,
    connection: 'close',
    'content-length': String(Buffer.byteLength(body)),
  };
  for (const [k, v] of Object.entries(all)) {
    lines.push(Buffer.from(`${k}: `), Buffer.isBuffer(v) ? v : Buffer.from(v), Buffer.from('\r\n'));
  }
  lines.push(Buffer.from('\r\n'), Buffer.from(body));
  return new Promise((resolve, reject) => {
    const socket = connect(Number(url.port), url.hostname, () =>
      socket.write(Buffer.concat(lines)),
    );
    let answer = '';
    socket.on('data', (d: Buffer) => (answer += d.toString('latin1')));
    socket.on('error', reject);
    socket.on('close', () => resolve(Number(/^HTTP\/1\.1 (\d{3})/.exec(answer)?.[1] ?? -1)));
  });
}

describe.each(CHANNELS)('%s', (channel) => {
  it('allowed termination: reason, request id and idempotency key are recorded printable', async () => {
    const token = await principal(['session-operator']);
    const session = gw.simulator.addSession();
    const requestId = rid();
    const key = `zq-key-${randomBytes(4).toString('hex')}`;
    const answer = await terminateCall(channel, token, session.sessionId, HOSTILE, requestId, key);
    expect(answer.status).toBe(200);

    const record = await recordOf(requestId, 'session.terminate');
    expect(record).toMatchObject({ decision: 'allowed', reason: CLEAN, requestId });
    expect(record.details).toMatchObject({ idempotencyKey: key });
    expect(onlyRow(requestId).reason).toBe(CLEAN);
    await expectCleanLogs();
    await expectChainIntact();
  });

  it('denied by RBAC: session id and a 10 000-character reason are cleaned and bounded', async () => {
    const token = await principal([]);
    const requestId = rid();
    const id = `${HOSTILE}${'i'.repeat(300)}`;
    const reason = `${HOSTILE}${'r'.repeat(10_000)}`;
    const answer = await terminateCall(channel, token, id, reason, requestId);
    expect(answer).toMatchObject({ status: 403, code: 'FORBIDDEN' });

    const record = await recordOf(requestId, 'session.terminate');
    expect(record.decision).toBe('denied');
    expect(record.reason).toBe(cut(`${CLEAN}${'r'.repeat(10_000)}`, 500));
    expect(record.sessionId).toBe(cut(`${CLEAN}${'i'.repeat(300)}`, 128));
    const row = onlyRow(requestId);
    expect(codePoints(row.reason ?? '')).toBe(500);
    expect(codePoints(row.session_id ?? '')).toBe(128);
    await expectCleanLogs();
    await expectChainIntact();
  });

  it('invalid input: session id, reason and idempotency key are cleaned, cut by characters', async () => {
    const token = await principal(['session-operator']);
    const requestId = rid();
    // Astral characters: a cut by UTF-16 units would keep half as many and could split a pair.
    const reason = `${HOSTILE}${astral(600)}`;
    const key = `${HOSTILE}${'k'.repeat(300)}`;
    const id = `${HOSTILE}${astral(200)}`;
    const answer =
      channel === 'graphql'
        ? await terminateCall(channel, token, id, reason, requestId, key)
        : await terminateCall(channel, token, id, reason, requestId);
    expect(answer).toMatchObject({ status: 400, code: 'BAD_USER_INPUT' });

    const record = await recordOf(requestId, 'session.terminate');
    expect(record.decision).toBe('invalid');
    expect(record.sessionId).toBe(cut(`${CLEAN}${astral(200)}`, 128));
    expect(record.reason).toBe(cut(`${CLEAN}${astral(600)}`, 500));
    if (channel === 'graphql') {
      expect(record.details).toMatchObject({
        idempotencyKey: cut(`${CLEAN}${'k'.repeat(300)}`, 128),
      });
    }
    expect(onlyRow(requestId).reason).toBe(record.reason);
    await expectCleanLogs();
    await expectChainIntact();
  });

  it('rate-limited: past the limit nothing is recorded and no log line carries the raw values', async () => {
    const token = await principal([]);
    const ids: string[] = [];
    for (let i = 0; i < TERMINATION_LIMIT + 3; i++) {
      const requestId = rid();
      ids.push(requestId);
      const answer = await terminateCall(channel, token, HOSTILE, HOSTILE, requestId);
      expect(answer.status).toBe(i < TERMINATION_LIMIT ? 403 : 429);
    }
    for (const [i, requestId] of ids.entries()) {
      const rows = rowsOf(requestId);
      expect(rows).toHaveLength(i < TERMINATION_LIMIT ? 1 : 0);
      for (const row of rows) expect(row).toMatchObject({ reason: CLEAN, session_id: CLEAN });
    }
    await expectCleanLogs();
  });

  it('session reads: filter values and the id of a single read are recorded printable', async () => {
    const token = await principal(['session-viewer']);
    const listId = rid();
    if (channel === 'rest') {
      const q = new URLSearchParams({ user: HOSTILE, device: `${HOSTILE}*` });
      const res = await gw.request('GET', `/api/v1/sessions?${q.toString()}`, {
        token,
        headers: { 'x-request-id': listId },
      });
      expect(res.status).toBe(200);
    } else {
      const res = await gql(
        'query($f: RemoteSessionFilter) { remoteSessions(filter: $f) { totalCount } }',
        { f: { user: HOSTILE, device: `${HOSTILE}*` } },
        token,
        listId,
      );
      expect(res.status).toBe(200);
    }
    const list = await recordOf(listId, 'session.read');
    expect(list.details).toMatchObject({ filter: { user: CLEAN, device: `${CLEAN}*` } });
    expect(JSON.parse(onlyRow(listId).details ?? '{}')).toMatchObject({
      filter: { user: CLEAN },
    });

    const getId = rid();
    const id = `${HOSTILE}${'g'.repeat(300)}`;
    if (channel === 'rest') {
      const res = await gw.request('GET', `/api/v1/sessions/${encodeURIComponent(id)}`, {
        token,
        headers: { 'x-request-id': getId },
      });
      expect(res.status).toBe(400);
    } else {
      const res = await gql(
        'query($id: ID!) { remoteSession(id: $id) { sessionId } }',
        { id },
        token,
        getId,
      );
      expect(res.status).toBe(400);
    }
    expect((await recordOf(getId, 'session.read')).sessionId).toBe(
      cut(`${CLEAN}${'g'.repeat(300)}`, 128),
    );
    await expectCleanLogs();
    await expectChainIntact();
  });

  it('bulk dry run: the parent record holds the filter and reason printable', async () => {
    const token = await principal(['session-operator']);
    const requestId = rid();
    const filter = { user: HOSTILE };
    if (channel === 'rest') {
      const res = await gw.request('POST', '/api/v1/sessions/terminate', {
        token,
        body: { filter, reason: HOSTILE, dryRun: true },
        headers: { 'x-request-id': requestId },
      });
      expect(res.status).toBe(200);
    } else {
      const res = await gql(
        `mutation($f: BulkTerminationFilter, $r: String) {
          terminateSessions(filter: $f, reason: $r, dryRun: true) { matched }
        }`,
        { f: filter, r: HOSTILE },
        token,
        requestId,
      );
      expect(res.status).toBe(200);
    }
    const record = await recordOf(requestId, 'session.terminate.bulk');
    expect(record).toMatchObject({ reason: CLEAN, details: { filter: { user: CLEAN } } });
    expect(onlyRow(requestId).reason).toBe(CLEAN);
    await expectCleanLogs();
    await expectChainIntact();
  });

  it('audit reads: the filter values are recorded printable', async () => {
    const token = await principal(['auditor']);
    const requestId = rid();
    if (channel === 'rest') {
      const q = new URLSearchParams({ sessionId: HOSTILE, actor: HOSTILE });
      const res = await gw.request('GET', `/api/v1/audit-events?${q.toString()}`, {
        token,
        headers: { 'x-request-id': requestId },
      });
      expect(res.status).toBe(200);
    } else {
      const res = await gql(
        'query($f: AuditEventFilter) { auditEvents(filter: $f) { nextCursor } }',
        { f: { sessionId: HOSTILE, actor: HOSTILE } },
        token,
        requestId,
      );
      expect(res.status).toBe(200);
    }
    const record = await recordOf(requestId, 'audit.read');
    expect(record.details).toMatchObject({ filter: { sessionId: CLEAN, actor: CLEAN } });
    await expectCleanLogs();
    await expectChainIntact();
  });

  it('user agent: C1 bytes and an over-long value are cleaned and cut at 256', async () => {
    const token = await principal(['session-viewer']);
    const requestId = rid();
    // 0x85 (NEL) and 0x9b (CSI) are C1 controls; the UTF-8 of U+202E reads as "â", 0x80, "®".
    const ua = Buffer.concat([
      Buffer.from('zq-agent '),
      Buffer.from([0x85, 0x9b]),
      Buffer.from('\u202e', 'utf8'),
      Buffer.from('u'.repeat(1000)),
    ]);
    const headers = {
      authorization: `Bearer ${token}`,
      'user-agent': ua,
      'x-request-id': requestId,
    };
    const status =
      channel === 'rest'
        ? await rawRequest('GET', '/api/v1/sessions?limit=1', headers)
        : await rawRequest(
            'POST',
            '/graphql',
            { ...headers, 'content-type': 'application/json' },
            JSON.stringify({ query: '{ remoteSessions(first: 1) { totalCount } }' }),
          );
    expect(status).toBe(200);
    const expected = cut(`zq-agent \uFFFD\uFFFD\u00e2\uFFFD\u00ae${'u'.repeat(1000)}`, 256);
    expect((await recordOf(requestId, 'session.read')).actor.userAgent).toBe(expected);
    expect(onlyRow(requestId).actor_user_agent).toBe(expected);
    await expectCleanLogs();
    await expectChainIntact();
  });

  it('request id: a hostile X-Request-Id is not echoed or recorded; a minted one is', async () => {
    const token = await principal(['session-viewer']);
    const res = await rawRequest('GET', '/api/v1/sessions?limit=1', {
      authorization: `Bearer ${token}`,
      'x-request-id': Buffer.concat([Buffer.from('zq-rid'), Buffer.from([0x85]), Buffer.from('x')]),
    });
    expect(res).toBe(200);
    const lines = auditLogLines(gw.logs).filter((l) => l.event.requestId.startsWith('zq-rid'));
    expect(lines).toHaveLength(0);
    await expectCleanLogs();
  });
});
