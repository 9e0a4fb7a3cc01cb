import type { Fault, FaultMatch } from '../../simulator/pam-core-simulator';
import { GatewayHarness, SIM_CLIENT_SECRET, startGateway } from '../support/gateway';
import { statusOfCode } from '../support/termination';

/**
 * The caller contract in both channels: every case runs through REST and GraphQL and must give
 * the same code, the same upstream traffic and the same audit-ready facts.
 */
type Channel = 'rest' | 'graphql';
const CHANNELS: Channel[] = ['rest', 'graphql'];

interface Outcome {
  status: number;
  code?: string;
  field?: string;
  payload?: Record<string, unknown>;
  requestId?: string;
  headerRequestId: string | null;
  retryAfter: string | null;
  raw: string;
}

const MUTATION = `mutation T($id: ID!, $reason: String) {
  terminateSession(id: $id, reason: $reason) { sessionId terminated message auditEventId requestId }
}`;

let gw: GatewayHarness;

beforeAll(async () => {
  gw = await startGateway();
});
afterAll(async () => {
  await gw?.close();
});
beforeEach(() => {
  gw.simulator.clearFaults();
  gw.simulator.resetRequests();
});

async function terminate(
  channel: Channel,
  id: string,
  opts: {
    token?: string | null;
    reason?: unknown;
    body?: unknown;
    headers?: Record<string, string>;
  } = {},
): Promise<Outcome> {
  const token = opts.token === null ? undefined : (opts.token ?? gw.tokens.operator);
  if (channel === 'rest') {
    const body = opts.body ?? (opts.reason === undefined ? undefined : { reason: opts.reason });
    const res = await gw.request('POST', `/api/v1/sessions/${encodeURIComponent(id)}/terminate`, {
      token,
      body,
      headers: opts.headers,
    });
    return {
      status: res.status,
      code: res.json?.code,
      field: res.json?.field,
      payload: res.status === 200 ? res.json : undefined,
      requestId: res.json?.requestId,
      headerRequestId: res.headers.get('x-request-id'),
      retryAfter: res.headers.get('retry-after'),
      raw: res.text,
    };
  }
  const res = await gw.graphql(MUTATION, { id, reason: opts.reason }, token, opts.headers);
  const err = res.json?.errors?.[0];
  return {
    status: err ? statusOfCode(err.extensions?.code) : res.status,
    code: err?.extensions?.code,
    field: err?.extensions?.field,
    payload: res.json?.data?.terminateSession ?? undefined,
    requestId: err ? err.extensions?.requestId : res.json?.data?.terminateSession?.requestId,
    headerRequestId: res.headers.get('x-request-id'),
    retryAfter:
      err?.extensions?.retryAfterSeconds === undefined
        ? null
        : String(err.extensions.retryAfterSeconds),
    raw: res.text,
  };
}

function activeSessionId(): string {
  return gw.simulator.addSession().sessionId;
}

function drops(): number {
  return gw.simulator.requests.filter((r) => r.method === 'DELETE').length;
}

describe.each(CHANNELS)('terminateSession over %s', (channel) => {
  it('ends an active session and answers the payload with the same request id as the header', async () => {
    const id = activeSessionId();
    const out = await terminate(channel, id, { reason: '  incident INC-7  ' });
    expect(out.status).toBe(200);
    expect(out.payload).toMatchObject({
      sessionId: id,
      terminated: true,
      message: 'Session dropped successfully',
    });
    expect(typeof out.payload?.auditEventId).toBe('string');
    expect(out.payload?.requestId).toBe(out.headerRequestId);
    expect(drops()).toBe(1);
    const drop = gw.simulator.requests.find((r) => r.method === 'DELETE')!;
    expect(drop.path).toBe(`/api/pam/session/drop/${id}`);
    expect(gw.simulator.getSessions().find((s) => s.sessionId === id)?.end).not.toBe('');
  });

  it('keeps a sane caller request id and replaces an insane one', async () => {
    const kept = await terminate(channel, activeSessionId(), {
      headers: { 'x-request-id': 'ir-playbook-42' },
    });
    expect(kept.headerRequestId).toBe('ir-playbook-42');
    expect(kept.payload?.requestId).toBe('ir-playbook-42');
    const replaced = await terminate(channel, activeSessionId(), {
      headers: { 'x-request-id': 'bad id with spaces' },
    });
    expect(replaced.headerRequestId).not.toBe('bad id with spaces');
    expect(replaced.headerRequestId).toMatch(/^[0-9a-f-]{36}$/);
  });

  it.each([
    ['path traversal', '../x'],
    ['encoded dots', '%2e%2e'],
    ['a slash', 'a/b'],
    ['129 characters', 'a'.repeat(129)],
    ['empty', ''],
    ['unicode', 'sessão'],
    ['leading dash', '-abc'],
  ])('refuses an id with %s (400, no upstream call)', async (_name, id) => {
    const out = await terminate(channel, id);
    expect(out.status).toBe(400);
    expect(out.code).toBe('BAD_USER_INPUT');
    expect(gw.simulator.requests).toHaveLength(0);
  });

  it('refuses a reason of 501 characters and accepts 500', async () => {
    const bad = await terminate(channel, activeSessionId(), { reason: 'r'.repeat(501) });
    expect(bad).toMatchObject({ status: 400, code: 'BAD_USER_INPUT', field: 'reason' });
    expect(drops()).toBe(0);
    const ok = await terminate(channel, activeSessionId(), { reason: 'r'.repeat(500) });
    expect(ok.status).toBe(200);
  });

  it('answers 401 without credentials and 403 for a viewer, never calling Segura', async () => {
    const anon = await terminate(channel, activeSessionId(), { token: null });
    expect(anon).toMatchObject({ status: 401, code: 'UNAUTHENTICATED' });
    const viewer = await terminate(channel, activeSessionId(), { token: gw.tokens.viewer });
    expect(viewer).toMatchObject({ status: 403, code: 'FORBIDDEN' });
    const noRoles = await terminate(channel, activeSessionId(), { token: gw.tokens.noRoles });
    expect(noRoles).toMatchObject({ status: 403, code: 'FORBIDDEN' });
    expect(gw.simulator.requests).toHaveLength(0);
  });

  const upstreamCases: Array<[string, string, Fault, FaultMatch | undefined]> = [
    [
      'Resource sub not found',
      'SESSION_NOT_FOUND',
      { kind: 'preset', preset: 'not-found' },
      { path: 'drop' },
    ],
    [
      'An error occurred while droping session',
      'TERMINATION_FAILED',
      { kind: 'preset', preset: 'drop-failed' },
      { path: 'drop' },
    ],
    [
      'not authorized',
      'UPSTREAM_FORBIDDEN',
      { kind: 'preset', preset: 'not-authorized' },
      { path: 'drop' },
    ],
    [
      'Unexpected error',
      'UPSTREAM_ERROR',
      { kind: 'preset', preset: 'unexpected' },
      { path: 'drop' },
    ],
    [
      'Invalid signature',
      'UPSTREAM_AUTH_FAILED',
      { kind: 'preset', preset: 'invalid-signature' },
      { path: 'drop' },
    ],
    [
      'no Route matched',
      'UPSTREAM_AUTH_FAILED',
      { kind: 'preset', preset: 'no-route' },
      { path: 'drop' },
    ],
    [
      'Request timed out',
      'UPSTREAM_TIMEOUT',
      { kind: 'preset', preset: 'timeout-message' },
      { path: 'drop' },
    ],
    ['an HTML page', 'UPSTREAM_ERROR', { kind: 'html', status: 500 }, { path: 'drop' }],
    ['a truncated body', 'UPSTREAM_ERROR', { kind: 'truncated', status: 200 }, { path: 'drop' }],
    ['an empty body', 'UPSTREAM_ERROR', { kind: 'empty', status: 500 }, { path: 'drop' }],
  ];

  it.each(upstreamCases)('maps Segura answering %s to %s', async (_name, code, fault, match) => {
    // A 401 on a call with a cached token is retried once with a fresh token: inject it twice.
    const auth401 = fault.kind === 'preset' && fault.preset === 'invalid-signature';
    gw.simulator.injectFault(fault, match, auth401 ? 2 : 1);
    const out = await terminate(channel, activeSessionId());
    expect(out.code).toBe(code);
    expect(out.status).toBe(statusOfCode(code));
    expect(drops()).toBe(auth401 ? 2 : 1);
    expect(out.raw).not.toMatch(/<html|"response"|"exception"|"mensagem"/i);
  });

  it('maps a rejected gateway credential to UPSTREAM_AUTH_FAILED', async () => {
    gw.simulator.revokeTokens();
    gw.simulator.injectFault({ kind: 'preset', preset: 'client-auth' }, { path: 'token' }, 2);
    const out = await terminate(channel, activeSessionId());
    expect(out).toMatchObject({ status: 502, code: 'UPSTREAM_AUTH_FAILED' });
  });

  it('maps a connection reset to UPSTREAM_UNAVAILABLE and a silent Segura to UPSTREAM_TIMEOUT', async () => {
    gw.simulator.injectFault({ kind: 'reset' }, { path: 'drop' }, 1);
    const reset = await terminate(channel, activeSessionId());
    expect(['UPSTREAM_UNAVAILABLE', 'UPSTREAM_TIMEOUT']).toContain(reset.code);
    gw.simulator.injectFault({ kind: 'hang' }, { path: 'drop' }, 1);
    const hung = await terminate(channel, activeSessionId());
    gw.simulator.release();
    expect(hung).toMatchObject({ status: 504, code: 'UPSTREAM_TIMEOUT' });
  });

  it('never shows a secret, an upstream token or the caller token in an answer', async () => {
    const outs = [
      await terminate(channel, activeSessionId()),
      await terminate(channel, '../x'),
      await terminate(channel, activeSessionId(), { token: gw.tokens.viewer }),
      await terminate(channel, activeSessionId(), { token: 'not-a-jwt' }),
    ];
    gw.simulator.injectFault({ kind: 'preset', preset: 'unexpected' }, { path: 'drop' }, 1);
    outs.push(await terminate(channel, activeSessionId()));
    const all = outs.map((o) => o.raw).join('\n');
    expect(all).not.toContain(SIM_CLIENT_SECRET);
    expect(all).not.toContain(gw.tokens.operator);
    expect(all).not.toContain(gw.tokens.viewer);
    for (const t of gw.simulator.issuedTokens) expect(all).not.toContain(t);
  });
});

describe('REST-only input rules', () => {
  it('rejects unknown JSON fields, non-JSON bodies and oversized bodies without calling Segura', async () => {
    const id = activeSessionId();
    const unknown = await terminate('rest', id, { body: { reason: 'x', force: true } });
    expect(unknown).toMatchObject({ status: 400, code: 'BAD_USER_INPUT', field: 'force' });
    const text = await gw.request('POST', `/api/v1/sessions/${id}/terminate`, {
      token: gw.tokens.operator,
      body: 'reason=x',
      headers: { 'content-type': 'text/plain' },
    });
    expect(text.status).toBe(400);
    expect(text.headers.get('content-type')).toContain('application/problem+json');
    const huge = await terminate('rest', id, { body: { reason: 'x'.repeat(20_000) } });
    expect(huge).toMatchObject({ status: 400, code: 'BAD_USER_INPUT' });
    const malformed = await gw.request('POST', `/api/v1/sessions/${id}/terminate`, {
      token: gw.tokens.operator,
      body: '{"reason": ',
    });
    expect(malformed.status).toBe(400);
    expect(malformed.json).toMatchObject({
      code: 'BAD_USER_INPUT',
      requestId: malformed.headers.get('x-request-id'),
    });
    expect(gw.simulator.requests).toHaveLength(0);
  });

  it('answers errors as RFC 9457 problem details', async () => {
    const res = await gw.request('POST', '/api/v1/sessions/abc/terminate', {
      token: gw.tokens.viewer,
    });
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    expect(res.json).toEqual({
      type: 'urn:pam-gateway:problem:forbidden',
      title: 'Forbidden',
      status: 403,
      detail: 'Forbidden',
      code: 'FORBIDDEN',
      requestId: res.headers.get('x-request-id'),
    });
  });
});
