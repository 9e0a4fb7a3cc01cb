import type { AuditRecord } from '../../src/audit/audit.types';
import type { Fault, FaultMatch } from '../../simulator/pam-core-simulator';
import { readAuditRecords } from '../support/audit-reader';
import { type GatewayHarness, startGateway } from '../support/gateway';
import { type Channel, CHANNELS } from '../support/termination';

/**
 * Segura's texts are allow-listed: only a documented message (segura-pam-core.md's error table,
 * its success texts, 1002/1003, the texts of Kong and of the token server) reaches a caller or
 * an audit record. Any other text Segura sends (the review saw SQL, a server file path and a
 * password-like string) becomes the code's generic message there, and goes only to one debug
 * log line, bounded to 200 characters with secrets redacted.
 */

// A token-like run (an API key Segura's framework put in its error): at least 48 characters.
const KEY_RUN = 'sk_live_9f8e7d6c5b4a39281706f5e4d3c2b1a0ZYXWVUTSRQPONMLKJIHG';
const PASSWORD = 'Hunter2-Segura!2024';
const SQL =
  "SQLSTATE[42000]: Syntax error or access violation: 1064 You have an error in your SQL syntax; check the manual near ''' at line 1 (SQL: SELECT * FROM users WHERE login = 'admin' AND session_id = 'x') in PDOStatement->execute() while talking to the database server on the primary node";
const FILE_PATH =
  'include(/var/www/senhasegura/app/pam/drop.php): failed to open stream on line 42';
const SECRET = `Access denied for user 'segura'@'10.0.0.5' (using password: YES) password=${PASSWORD} key ${KEY_RUN}`;
// A documented phrase with something else around it is not the documented text.
const WRAPPED = `Unexpected error. ${FILE_PATH}`;

const LEAKS = ['SQLSTATE', 'SELECT', '/var/www', '.php', PASSWORD, KEY_RUN, 'senhasegura'];

const GENERIC_ERROR = 'Segura answered with an unexpected error';
const GENERIC_DROPPED = 'Session dropped successfully';

/** Segura's envelope with `message` (and its Portuguese twin) set to `text`. */
function envelope(status: number, text: string, error: boolean): string {
  return JSON.stringify({
    code: status,
    response: {
      status,
      message: text,
      error,
      error_code: error ? status : 0,
      detail: '',
      mensagem: text,
      erro: error,
      cod_erro: error ? status : 0,
    },
  });
}

const seguraError = (text: string): Fault => ({
  kind: 'status',
  status: 500,
  body: envelope(500, text, true),
  contentType: 'application/json',
});
const seguraSuccess = (text: string): Fault => ({
  kind: 'status',
  status: 200,
  body: envelope(200, text, false),
  contentType: 'application/json',
});

const TERMINATE = `mutation T($id: ID!) {
  terminateSession(id: $id) { sessionId terminated message auditEventId requestId }
}`;

let gw: GatewayHarness;
beforeAll(async () => {
  gw = await startGateway({
    // Every listing asks Segura, so each injected answer is the one the reader gets.
    env: { LOG_LEVEL: 'debug', SESSIONS_CACHE_TTL_MS: '0', SESSIONS_CACHE_STALE_MAX_MS: '0' },
  });
});
afterAll(async () => {
  await gw?.close();
});

function inject(fault: Fault, match: FaultMatch): void {
  gw.simulator.injectFault(fault, match, 1);
}

interface Seen {
  status: number;
  code?: string;
  /** REST: problem `detail` or payload `message`; GraphQL: errors[0].message or payload message. */
  message: string | null;
  raw: string;
}

async function drop(channel: Channel, sessionId: string, requestId: string): Promise<Seen> {
  const headers = { 'x-request-id': requestId };
  const token = gw.tokens.operator;
  if (channel === 'rest') {
    const res = await gw.request('POST', `/api/v1/sessions/${sessionId}/terminate`, {
      token,
      headers,
    });
    return {
      status: res.status,
      code: res.json?.code,
      message: res.status === 200 ? res.json.message : res.json?.detail,
      raw: res.text,
    };
  }
  const res = await gw.graphql(TERMINATE, { id: sessionId }, token, headers);
  const err = res.json?.errors?.[0];
  return {
    status: res.status,
    code: err?.extensions?.code,
    message: err ? err.message : res.json?.data?.terminateSession?.message,
    raw: res.text,
  };
}

async function read(channel: Channel, kind: 'list' | 'get', requestId: string): Promise<Seen> {
  const headers = { 'x-request-id': requestId };
  const token = gw.tokens.viewer;
  const id = gw.simulator.getSessions()[0].sessionId;
  if (channel === 'rest') {
    const path = kind === 'list' ? '/api/v1/sessions?limit=5' : `/api/v1/sessions/${id}`;
    const res = await gw.request('GET', path, { token, headers });
    return { status: res.status, code: res.json?.code, message: res.json?.detail, raw: res.text };
  }
  const query =
    kind === 'list'
      ? 'query { remoteSessions(first: 5) { totalCount } }'
      : 'query($id: ID!) { remoteSession(id: $id) { sessionId } }';
  const res = await gw.graphql(query, kind === 'get' ? { id } : {}, token, headers);
  const err = res.json?.errors?.[0];
  return { status: res.status, code: err?.extensions?.code, message: err?.message, raw: res.text };
}

/** The one audit record of `action` written for the request `requestId`. */
async function recordOf(action: string, requestId: string): Promise<AuditRecord> {
  const records = await readAuditRecords(gw.url, { token: gw.tokens.auditor }, { action });
  const mine = records.filter((r) => r.requestId === requestId);
  expect(mine).toHaveLength(1);
  return mine[0];
}

interface LogLine {
  level: number;
  reqId?: string;
  upstreamText?: string;
  msg?: string;
}

function parsedLogs(): LogLine[] {
  return gw.logs.flatMap((l) => {
    try {
      return [JSON.parse(l) as LogLine];
    } catch {
      return [];
    }
  });
}

/**
 * Nothing of the text reaches any log line but one debug line (pino level 20) of this request,
 * whose text is bounded and redacted; returns that text.
 */
function expectOnlyDebugLine(requestId: string, excerpt: string): string {
  const logs = parsedLogs();
  for (const leak of [PASSWORD, KEY_RUN]) {
    expect(gw.logs.join('\n')).not.toContain(leak);
  }
  const carrying = logs.filter((l) => JSON.stringify(l).includes(excerpt));
  // Earlier tests sent the same text: every line carrying it is a debug line, one per request.
  expect(carrying.filter((l) => l.level !== 20)).toEqual([]);
  const mine = carrying.filter((l) => l.reqId === requestId);
  expect(mine).toHaveLength(1);
  const text = mine[0].upstreamText ?? '';
  expect(text).toContain(excerpt);
  expect(text.length).toBeLessThanOrEqual(200);
  return text;
}

function expectNoLeak(seen: Seen, record: AuditRecord): void {
  for (const leak of LEAKS) {
    expect(seen.raw).not.toContain(leak);
    expect(JSON.stringify(record)).not.toContain(leak);
  }
}

let n = 0;
const newRequestId = (what: string) => `upstream-texts-${what}-${++n}`;

describe.each(CHANNELS)('%s', (channel) => {
  describe('a drop Segura refuses with a text outside the documented set', () => {
    it.each([
      ['SQL', SQL, 'SQLSTATE[42000]'],
      ['a server file path', FILE_PATH, '/var/www/senhasegura/app/pam'],
      ['a password-like string', SECRET, "Access denied for user 'segura'"],
      ['a documented phrase with more around it', WRAPPED, 'Unexpected error. include(/var/www'],
    ])('%s: the answer and the record carry the generic message', async (_n, text, excerpt) => {
      const sessionId = gw.simulator.addSession().sessionId;
      const requestId = newRequestId('drop-error');
      inject(seguraError(text), { path: 'drop' });
      const seen = await drop(channel, sessionId, requestId);
      expect(seen).toMatchObject({ code: 'UPSTREAM_ERROR', message: GENERIC_ERROR });
      const record = await recordOf('session.terminate', requestId);
      expect(record).toMatchObject({
        sessionId,
        errorCode: 'UPSTREAM_ERROR',
        upstream: { status: 500, message: GENERIC_ERROR },
      });
      expectNoLeak(seen, record);
      const logged = expectOnlyDebugLine(requestId, excerpt);
      if (text === SECRET) expect(logged).toContain('[redacted]');
      if (text === SQL) expect(logged.endsWith('...')).toBe(true); // cut at 200
    });
  });

  it('a successful drop with an unexpected text stays a success, with the generic message', async () => {
    const sessionId = gw.simulator.addSession().sessionId;
    const requestId = newRequestId('drop-ok');
    inject(seguraSuccess(SQL), { path: 'drop' });
    const seen = await drop(channel, sessionId, requestId);
    expect(seen).toMatchObject({ status: 200, code: undefined, message: GENERIC_DROPPED });
    expect(seen.raw).toContain('"terminated":true');
    const record = await recordOf('session.terminate', requestId);
    expect(record).toMatchObject({
      outcome: 'succeeded',
      upstream: { status: 200, message: GENERIC_DROPPED },
    });
    expectNoLeak(seen, record);
    expectOnlyDebugLine(requestId, 'SQLSTATE[42000]');
  });

  it.each(['list', 'get'] as const)(
    'a %s Segura fails with SQL: the answer and the record carry the generic message',
    async (kind) => {
      const requestId = newRequestId(kind);
      inject(seguraError(`${FILE_PATH} ${SECRET}`), { path: kind });
      const seen = await read(channel, kind, requestId);
      expect(seen).toMatchObject({ code: 'UPSTREAM_ERROR', message: GENERIC_ERROR });
      const record = await recordOf('session.read', requestId);
      expect(record).toMatchObject({
        errorCode: 'UPSTREAM_ERROR',
        upstream: { status: 500, message: GENERIC_ERROR },
      });
      expectNoLeak(seen, record);
      expect(expectOnlyDebugLine(requestId, '/var/www/senhasegura')).toContain('[redacted]');
    },
  );

  describe('documented texts still come through unchanged', () => {
    it('"An error occurred while droping session." (sic) on a drop', async () => {
      const sessionId = gw.simulator.addSession().sessionId;
      const requestId = newRequestId('drop-documented');
      inject(seguraError('An error occurred while droping session.'), { path: 'drop' });
      const seen = await drop(channel, sessionId, requestId);
      expect(seen).toMatchObject({
        code: 'TERMINATION_FAILED',
        message: 'An error occurred while droping session.',
      });
      expect(await recordOf('session.terminate', requestId)).toMatchObject({
        upstream: { status: 500, message: 'An error occurred while droping session.' },
      });
    });

    it('"Sessão encerrada com sucesso" as Session dropped successfully', async () => {
      const sessionId = gw.simulator.addSession().sessionId;
      const requestId = newRequestId('drop-documented-ok');
      inject(seguraSuccess('Sessão encerrada com sucesso'), { path: 'drop' });
      const seen = await drop(channel, sessionId, requestId);
      expect(seen).toMatchObject({ status: 200, message: 'Session dropped successfully' });
      expect(await recordOf('session.terminate', requestId)).toMatchObject({
        upstream: { status: 200, message: 'Session dropped successfully' },
      });
    });

    it('"You are not authorized to access this resource." on a listing', async () => {
      const requestId = newRequestId('list-documented');
      inject(seguraError('You are not authorized to access this resource.'), { path: 'list' });
      const seen = await read(channel, 'list', requestId);
      expect(seen).toMatchObject({
        code: 'UPSTREAM_FORBIDDEN',
        message: 'You are not authorized to access this resource.',
      });
      expect(await recordOf('session.read', requestId)).toMatchObject({
        upstream: { status: 500, message: 'You are not authorized to access this resource.' },
      });
      // A documented text is no surprise: no debug line for it.
      expect(parsedLogs().filter((l) => l.reqId === requestId && l.upstreamText)).toEqual([]);
    });
  });
});
