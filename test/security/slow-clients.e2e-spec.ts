import { connect, type Socket } from 'node:net';
import { readAuditRecords } from '../support/audit-reader';
import { GatewayHarness, startGateway } from '../support/gateway';

/**
 * Clients that are slow or speak broken HTTP are cut off by the HTTP server itself, with an
 * answer in the gateway's shape where one can still be written: raw sockets against a real
 * gateway on loopback, with short request and keep-alive timeouts.
 */
const REQUEST_TIMEOUT_MS = 1000;
const KEEP_ALIVE_TIMEOUT_MS = 1000;
/** Generous: the timeout, the once-a-second check and a slow CI machine. */
const CLOSED_WITHIN_MS = 5000;
const TRICKLE_EVERY_MS = 200;

let gw: GatewayHarness;
let port: number;
/** Sockets the tests opened and the gateway has not closed yet. */
const open = new Set<Socket>();

beforeAll(async () => {
  gw = await startGateway({
    env: {
      HTTP_REQUEST_TIMEOUT_MS: String(REQUEST_TIMEOUT_MS),
      HTTP_KEEP_ALIVE_TIMEOUT_MS: String(KEEP_ALIVE_TIMEOUT_MS),
      METRICS_PUBLIC: 'true',
      // A termination may take longer than a request takes to arrive (the pipelining test).
      PAM_CORE_TIMEOUT_MS: '10000',
    },
  });
  port = Number(new URL(gw.url).port);
});
afterAll(async () => {
  for (const s of open) s.destroy();
  await gw?.close();
});
beforeEach(() => gw.simulator.resetRequests());

interface Exchange {
  socket: Socket;
  /** Everything the gateway sent so far (latin1). */
  received: () => string;
  /** Resolves once the gateway closed the socket, or with false after `ms`. */
  closedWithin: (ms: number) => Promise<boolean>;
}

async function rawConnection(): Promise<Exchange> {
  const socket = connect(port, '127.0.0.1');
  open.add(socket);
  let received = '';
  let closed = false;
  const onClose: Array<() => void> = [];
  socket.on('data', (chunk: Buffer) => (received += chunk.toString('latin1')));
  // Writes after the gateway hung up fail; that is the point, not an error of the test.
  socket.on('error', () => undefined);
  socket.on('close', () => {
    closed = true;
    open.delete(socket);
    for (const f of onClose.splice(0)) f();
  });
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('error', reject);
  });
  return {
    socket,
    received: () => received,
    closedWithin: (ms) =>
      closed
        ? Promise.resolve(true)
        : new Promise((resolve) => {
            const timer = setTimeout(() => resolve(false), ms);
            onClose.push(() => {
              clearTimeout(timer);
              resolve(true);
            });
          }),
  };
}

/** Writes `text` one byte every TRICKLE_EVERY_MS until it is out or the socket is closed. */
function trickle(socket: Socket, text: string): void {
  let i = 0;
  const timer = setInterval(() => {
    if (socket.destroyed || !socket.writable || i >= text.length) return clearInterval(timer);
    socket.write(text[i++]);
  }, TRICKLE_EVERY_MS);
  socket.once('close', () => clearInterval(timer));
}

interface RawResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- tests read arbitrary JSON
  json: any;
}

/** The HTTP/1.1 responses in `text`, in order (bodies by Content-Length). */
function responses(text: string): RawResponse[] {
  const out: RawResponse[] = [];
  let rest = text;
  while (rest.length > 0) {
    const end = rest.indexOf('\r\n\r\n');
    if (end < 0) throw new Error(`incomplete response: ${JSON.stringify(rest)}`);
    const [statusLine, ...lines] = rest.slice(0, end).split('\r\n');
    const status = Number(/^HTTP\/1\.1 (\d{3}) /.exec(statusLine)?.[1]);
    const headers: Record<string, string> = {};
    for (const line of lines) {
      const colon = line.indexOf(':');
      headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
    }
    const length = Number(headers['content-length'] ?? 0);
    const body = rest.slice(end + 4, end + 4 + length);
    let json: unknown;
    try {
      json = JSON.parse(body);
    } catch {
      json = undefined;
    }
    out.push({ status, headers, body, json });
    rest = rest.slice(end + 4 + length);
  }
  return out;
}

/** The one answer on a connection the gateway closed, in the gateway's problem shape. */
function expectProblem(text: string, status: number, code: string): RawResponse {
  const all = responses(text);
  expect(all).toHaveLength(1);
  const [res] = all;
  expect(res.status).toBe(status);
  expect(res.headers['content-type']).toBe('application/problem+json');
  expect(res.headers.connection).toBe('close');
  const requestId = res.headers['x-request-id'];
  expect(requestId).toMatch(/^[A-Za-z0-9._:@/+=-]{1,128}$/);
  expect(res.json).toEqual({
    type: `urn:pam-gateway:problem:${code.toLowerCase().replace(/_/g, '-')}`,
    title: expect.any(String),
    status,
    detail: expect.any(String),
    code,
    requestId,
  });
  return res;
}

/** The gateway's log lines naming this request id. */
function linesOf(requestId: string): Array<Record<string, unknown>> {
  return gw.logs
    .map((l) => JSON.parse(l) as Record<string, unknown>)
    .filter((l) => l.requestId === requestId);
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

describe('a request that does not arrive in time', () => {
  it('trickling its body gets 408 REQUEST_TIMEOUT and is closed; nothing is forwarded', async () => {
    const { sessionId } = gw.simulator.addSession();
    const c = await rawConnection();
    const body = JSON.stringify({ reason: 'a reason sent one byte at a time, far too slowly' });
    c.socket.write(
      `POST /api/v1/sessions/${sessionId}/terminate HTTP/1.1\r\nHost: gateway\r\n` +
        `Authorization: Bearer ${gw.tokens.operator}\r\nContent-Type: application/json\r\n` +
        `Content-Length: ${body.length}\r\nX-Request-Id: trickled-body-1\r\n\r\n`,
    );
    trickle(c.socket, body);
    expect(await c.closedWithin(CLOSED_WITHIN_MS)).toBe(true);
    const res = expectProblem(c.received(), 408, 'REQUEST_TIMEOUT');
    // The headers were read: the answer names the caller's own request id.
    expect(res.headers['x-request-id']).toBe('trickled-body-1');
    expect(res.body).not.toContain(gw.tokens.operator);
    expect(gw.simulator.requests).toHaveLength(0);
    // A refusal, not a bug: its log lines are the refusal and the aborted request, no error.
    await until(() => linesOf('trickled-body-1').some((l) => l.msg === 'request aborted'));
    const metrics = await gw.request('GET', '/metrics'); // a round trip: the abort is handled
    expect(metrics.text).not.toMatch(/^pam_gateway_requests_total\{.*result="INTERNAL"\}/m);
    expect(linesOf('trickled-body-1')).toEqual([
      expect.objectContaining({ level: 40, code: 'REQUEST_TIMEOUT' }),
      expect.objectContaining({ level: 30, msg: 'request aborted' }),
    ]);
  });

  it('trickling its headers gets 408 REQUEST_TIMEOUT with a generated request id', async () => {
    const c = await rawConnection();
    c.socket.write('GET /health/live HTTP/1.1\r\nHost: gateway\r\n');
    trickle(c.socket, 'X-Request-Id: never-finished\r\nX-Padding: ' + 'a'.repeat(100));
    expect(await c.closedWithin(CLOSED_WITHIN_MS)).toBe(true);
    const res = expectProblem(c.received(), 408, 'REQUEST_TIMEOUT');
    expect(res.headers['x-request-id']).toMatch(UUID);
  });
});

describe('a request pipelined behind one still being handled', () => {
  it('is cut off without an answer the client would take for the first one', async () => {
    const { sessionId } = gw.simulator.addSession();
    gw.simulator.injectFault({ kind: 'latency', ms: 3000 }, { path: 'drop' }, 1);
    const c = await rawConnection();
    c.socket.write(
      `POST /api/v1/sessions/${sessionId}/terminate HTTP/1.1\r\nHost: gateway\r\n` +
        `Authorization: Bearer ${gw.tokens.operator}\r\nX-Request-Id: pipelined-first\r\n` +
        'Content-Length: 0\r\n\r\nGET /health/live HTTP/1.1\r\n',
    );
    trickle(c.socket, 'X-Slow: 1\r\n'.repeat(20));
    expect(await c.closedWithin(CLOSED_WITHIN_MS)).toBe(true);
    expect(c.received()).toBe('');
    // The refusal names the request that was refused, not the one still running.
    const [refusal] = gw.logs
      .map((l) => JSON.parse(l) as Record<string, unknown>)
      .filter((l) => l.code === 'REQUEST_TIMEOUT' && l.msg === 'request refused by the HTTP server')
      .slice(-1);
    expect(refusal.requestId).toMatch(UUID);
    // The first request runs to its end and is recorded as it happened.
    await eventually(async () => {
      const records = await readAuditRecords(gw.url, { token: gw.tokens.auditor }, { sessionId });
      return records[0]?.outcome === 'succeeded';
    });
  });
});

describe('requests the HTTP parser refuses', () => {
  it('answers headers over the 16 KiB limit with 431 HEADERS_TOO_LARGE and closes', async () => {
    const c = await rawConnection();
    c.socket.write(
      `GET /api/v1/sessions HTTP/1.1\r\nHost: gateway\r\nAuthorization: Bearer ${gw.tokens.operator}\r\n` +
        `X-Padding: ${'a'.repeat(17 * 1024)}\r\n\r\n`,
    );
    expect(await c.closedWithin(CLOSED_WITHIN_MS)).toBe(true);
    const res = expectProblem(c.received(), 431, 'HEADERS_TOO_LARGE');
    expect(res.headers['x-request-id']).toMatch(UUID);
    expect(res.body).not.toContain(gw.tokens.operator);
  });

  it('takes headers just under the limit', async () => {
    // The limit counts the whole head (request line and every header line).
    const padding = 'a'.repeat(15 * 1024);
    const res = await gw.request('GET', '/health/live', { headers: { 'x-padding': padding } });
    expect(res.status).toBe(200);
  });

  it.each([
    ['a malformed request line', 'GET /health/live HTTP/1.1 extra\r\nHost: gateway\r\n\r\n'],
    ['an unknown method', 'BREW /health/live HTTP/1.1\r\nHost: gateway\r\n\r\n'],
    [
      'an invalid header name',
      'GET /health/live HTTP/1.1\r\nHost: gateway\r\nBad Header: x\r\n\r\n',
    ],
    ['not HTTP at all', '\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03\r\n\r\n'],
    [
      'a broken chunked body',
      'POST /graphql HTTP/1.1\r\nHost: gateway\r\nContent-Type: application/json\r\n' +
        'Transfer-Encoding: chunked\r\n\r\nzz\r\n{}\r\n0\r\n\r\n',
    ],
  ])('answers %s with 400 BAD_USER_INPUT and closes', async (_name, request) => {
    const c = await rawConnection();
    c.socket.write(Buffer.from(request, 'latin1'));
    expect(await c.closedWithin(CLOSED_WITHIN_MS)).toBe(true);
    expectProblem(c.received(), 400, 'BAD_USER_INPUT');
    expect(gw.simulator.requests).toHaveLength(0);
  });

  it('logs each refusal with its request id, never the request itself; a reset not at all', async () => {
    const apiKey = 'svc-key-that-must-not-be-logged-4b1d';
    const before = gw.logs.length;
    const reset = await rawConnection();
    reset.socket.write(`GET / HTTP/1.1\r\nHost: gateway\r\nX-Api-Key: ${apiKey}\r\n`);
    await new Promise((r) => setTimeout(r, 50));
    reset.socket.resetAndDestroy();
    const c = await rawConnection();
    c.socket.write(
      `GET / HTTP/1.1\r\nHost: gateway\r\nX-Api-Key: ${apiKey}\r\n` +
        `Authorization: Bearer ${gw.tokens.operator}\r\nX-Padding: ${'a'.repeat(17 * 1024)}\r\n\r\n`,
    );
    expect(await c.closedWithin(CLOSED_WITHIN_MS)).toBe(true);
    const requestId = responses(c.received())[0].headers['x-request-id'];
    expect(linesOf(requestId)).toEqual([
      expect.objectContaining({ reqId: requestId, code: 'HEADERS_TOO_LARGE', status: 431 }),
    ]);
    // Nothing at all about the reset connection: a client hanging up is no refusal.
    const refusals = gw.logs.slice(before).filter((l) => l.includes('refused by the HTTP server'));
    expect(refusals).toHaveLength(1);
    const log = gw.logs.join('\n');
    expect(log).not.toContain(apiKey);
    expect(log).not.toContain(gw.tokens.operator);
    expect(log).not.toContain('aaaaaaaaaaaaaaaa');
  });

  it('counts refusals in pam_gateway_requests_total', async () => {
    const [idle, oversized, malformed] = await Promise.all([1, 2, 3].map(() => rawConnection()));
    oversized.socket.write(`GET / HTTP/1.1\r\nX-Padding: ${'a'.repeat(17 * 1024)}\r\n\r\n`);
    malformed.socket.write('BREW / HTTP/1.1\r\n\r\n');
    for (const c of [idle, oversized, malformed]) {
      expect(await c.closedWithin(CLOSED_WITHIN_MS)).toBe(true);
    }
    const metrics = await gw.request('GET', '/metrics');
    const sample = (result: string) =>
      Number(
        new RegExp(
          `^pam_gateway_requests_total\\{channel="http",operation="connection",result="${result}"\\} (\\d+)$`,
          'm',
        ).exec(metrics.text)?.[1] ?? 0,
      );
    expect(sample('BAD_USER_INPUT')).toBeGreaterThanOrEqual(1);
    expect(sample('HEADERS_TOO_LARGE')).toBeGreaterThanOrEqual(1);
    expect(sample('REQUEST_TIMEOUT')).toBeGreaterThanOrEqual(1);
  });
});

describe('many slow sockets', () => {
  it('do not keep normal requests waiting, and are all closed', async () => {
    const slow = await Promise.all(
      Array.from({ length: 50 }, async (_, i) => {
        const c = await rawConnection();
        // Half say nothing at all, half trickle their headers.
        if (i % 2 === 1) {
          c.socket.write('GET /health/live HTTP/1.1\r\n');
          trickle(c.socket, `Host: gateway\r\nX-Slow: ${i}\r\n`.repeat(10));
        }
        return c;
      }),
    );
    const { sessionId } = gw.simulator.addSession();
    const [live, terminated] = await Promise.all([
      gw.request('GET', '/health/live'),
      gw.request('POST', `/api/v1/sessions/${sessionId}/terminate`, {
        token: gw.tokens.operator,
        body: { reason: 'served while 50 sockets trickle' },
      }),
    ]);
    expect(live.status).toBe(200);
    expect(terminated.status).toBe(200);
    expect(terminated.json).toMatchObject({ sessionId, terminated: true });

    const closed = await Promise.all(slow.map((c) => c.closedWithin(CLOSED_WITHIN_MS)));
    expect(closed.filter((x) => !x)).toHaveLength(0);
    for (const c of slow) expectProblem(c.received(), 408, 'REQUEST_TIMEOUT');
  });
});

describe('keep-alive', () => {
  it('serves several requests on one connection, then closes it once idle', async () => {
    const c = await rawConnection();
    const get = 'GET /health/live HTTP/1.1\r\nHost: gateway\r\n\r\n';
    c.socket.write(get);
    await until(() => responses(c.received()).length === 1);
    c.socket.write(get);
    await until(() => responses(c.received()).length === 2);
    const [first] = responses(c.received());
    expect(first.headers['keep-alive']).toBe(`timeout=${KEEP_ALIVE_TIMEOUT_MS / 1000}`);
    expect(await c.closedWithin(CLOSED_WITHIN_MS)).toBe(true);
    // Closed quietly: an idle connection gets no answer to a request it never sent.
    expect(responses(c.received()).map((r) => r.status)).toEqual([200, 200]);
  });
});

/** Polls `check` until it holds; a response still arriving counts as not yet. */
async function until(check: () => boolean): Promise<void> {
  const holds = () => {
    try {
      return check();
    } catch {
      return false;
    }
  };
  // Bounded by jest's timeout.
  while (!holds()) await new Promise((r) => setTimeout(r, 10));
}

/** Polls an asynchronous check every 100 ms until it holds (bounded by jest's timeout). */
async function eventually(check: () => Promise<boolean>): Promise<void> {
  while (!(await check())) await new Promise((r) => setTimeout(r, 100));
}
