import { randomBytes } from 'node:crypto';
import { auditLogLines } from '../support/audit-reader';
import { AUDIENCE, type GatewayHarness, startGateway } from '../support/gateway';
import { type IssuerHandle, startIssuer } from '../support/oidc-issuer';
import { type Channel, CHANNELS, statusOfCode, terminate } from '../support/termination';

/**
 * Reads have their own per-principal limit (RATE_LIMIT_READS_PER_MINUTE): listings, single
 * reads and audit reads, in both channels. Like terminations, an attempt counts before
 * anything else happens, so invalid and denied reads count too, and one over the limit is
 * refused without an audit record (a flooding caller cannot fill the audit log).
 */
const LIMIT = 3;

let issuer: IssuerHandle;
let gw: GatewayHarness;
beforeAll(async () => {
  issuer = await startIssuer();
  gw = await startGateway({
    issuer,
    env: {
      RATE_LIMIT_READS_PER_MINUTE: String(LIMIT),
      RATE_LIMIT_TERMINATIONS_PER_MINUTE: String(LIMIT),
      RATE_LIMIT_IP_PER_MINUTE: '0',
    },
  });
});
afterAll(async () => {
  await gw?.close();
  await issuer?.stop();
});

/** A principal of its own per test, so each starts with a full allowance. */
function principal(roles: string[]): Promise<string> {
  const sub = `reader-${randomBytes(4).toString('hex')}`;
  return issuer.token({ payload: { aud: AUDIENCE, sub, preferred_username: sub, roles } });
}

type Read = 'list' | 'get' | 'audit';

interface ReadAnswer {
  status: number;
  code?: string;
  retryAfter: string | null;
  requestId: string;
}

const GQL: Record<Read, string> = {
  list: 'query($first: Int) { remoteSessions(first: $first) { totalCount } }',
  get: 'query($id: ID!) { remoteSession(id: $id) { sessionId } }',
  audit: 'query($first: Int) { auditEvents(first: $first) { nextCursor } }',
};

/** One read; `invalid` sends input the gateway refuses (page size 0, a malformed id). */
async function read(
  kind: Read,
  channel: Channel,
  token: string,
  invalid = false,
): Promise<ReadAnswer> {
  const requestId = `rl-${randomBytes(6).toString('hex')}`;
  const headers = { 'x-request-id': requestId };
  const id = invalid ? '-not-an-id' : gw.simulator.getSessions()[0].sessionId;
  const first = invalid ? 0 : 5;
  if (channel === 'rest') {
    const path = {
      list: `/api/v1/sessions?limit=${first}`,
      get: `/api/v1/sessions/${id}`,
      audit: `/api/v1/audit-events?limit=${first}`,
    }[kind];
    const res = await gw.request('GET', path, { token, headers });
    return {
      status: res.status,
      code: res.json?.code,
      retryAfter: res.headers.get('retry-after'),
      requestId,
    };
  }
  const res = await gw.graphql(GQL[kind], kind === 'get' ? { id } : { first }, token, headers);
  const err = res.json?.errors?.[0];
  return {
    status: err ? statusOfCode(err.extensions?.code) : res.status,
    code: err?.extensions?.code,
    retryAfter: err?.extensions?.retryAfterSeconds?.toString() ?? null,
    requestId,
  };
}

function expectLimited(answer: ReadAnswer): void {
  expect(answer).toMatchObject({ status: 429, code: 'RATE_LIMITED' });
  expect(Number(answer.retryAfter)).toBeGreaterThanOrEqual(1);
  expect(Number(answer.retryAfter)).toBeLessThanOrEqual(60);
}

function auditedRequestIds(): Set<string> {
  return new Set(auditLogLines(gw.logs).map((l) => l.event.requestId));
}

const ROLES: Record<Read, string[]> = {
  list: ['session-viewer'],
  get: ['session-viewer'],
  audit: ['auditor'],
};

describe.each(CHANNELS)('%s', (channel) => {
  it.each(['list', 'get', 'audit'] as const)(
    '%s: past the limit → 429 RATE_LIMITED with Retry-After, not audited',
    async (kind) => {
      const token = await principal(ROLES[kind]);
      for (let i = 0; i < LIMIT; i++) expect((await read(kind, channel, token)).status).toBe(200);
      const over = await read(kind, channel, token);
      expectLimited(over);
      // Refused like a rate-limited termination: before any work, so no audit record.
      expect(auditedRequestIds().has(over.requestId)).toBe(false);
    },
  );

  it.each(['list', 'get', 'audit'] as const)(
    '%s: invalid attempts count against the limit (and are audited as invalid)',
    async (kind) => {
      const token = await principal(ROLES[kind]);
      for (let i = 0; i < LIMIT; i++) {
        const bad = await read(kind, channel, token, true);
        expect(bad).toMatchObject({ status: 400, code: 'BAD_USER_INPUT' });
        expect(auditedRequestIds().has(bad.requestId)).toBe(true);
      }
      expectLimited(await read(kind, channel, token));
    },
  );

  it.each(['list', 'get', 'audit'] as const)(
    '%s: attempts denied by RBAC count against the limit',
    async (kind) => {
      const token = await principal([]); // no role grants any read
      for (let i = 0; i < LIMIT; i++) {
        const denied = await read(kind, channel, token);
        expect(denied).toMatchObject({ status: 403, code: 'FORBIDDEN' });
        expect(auditedRequestIds().has(denied.requestId)).toBe(true);
      }
      const over = await read(kind, channel, token);
      expectLimited(over);
      expect(auditedRequestIds().has(over.requestId)).toBe(false);
    },
  );
});

it('one allowance for all reads of a principal, whatever the kind and channel', async () => {
  const token = await principal(['session-viewer', 'auditor']);
  expect((await read('list', 'rest', token)).status).toBe(200);
  expect((await read('get', 'graphql', token)).status).toBe(200);
  expect((await read('audit', 'rest', token)).status).toBe(200);
  expectLimited(await read('audit', 'graphql', token));
  expectLimited(await read('list', 'graphql', token));
});

it('is separate from the termination limit, both ways', async () => {
  const readsFirst = await principal(['session-operator']);
  for (let i = 0; i < LIMIT; i++) expect((await read('list', 'rest', readsFirst)).status).toBe(200);
  expectLimited(await read('get', 'rest', readsFirst));
  for (let i = 0; i < LIMIT; i++) {
    const id = gw.simulator.addSession().sessionId;
    expect((await terminate(gw.url, CHANNELS[i % 2], id, { token: readsFirst })).status).toBe(200);
  }
  const fourth = await terminate(gw.url, 'rest', gw.simulator.addSession().sessionId, {
    token: readsFirst,
  });
  expect(fourth).toMatchObject({ status: 429, code: 'RATE_LIMITED' });

  const terminationsFirst = await principal(['session-operator']);
  for (let i = 0; i <= LIMIT; i++) {
    await terminate(gw.url, 'graphql', gw.simulator.addSession().sessionId, {
      token: terminationsFirst,
    });
  }
  for (let i = 0; i < LIMIT; i++) {
    expect((await read('list', 'graphql', terminationsFirst)).status).toBe(200);
  }
});

it('counts a termination denied by RBAC against the termination limit (same order as reads)', async () => {
  const viewer = await principal(['session-viewer']);
  for (let i = 0; i < LIMIT; i++) {
    const id = gw.simulator.addSession().sessionId;
    const denied = await terminate(gw.url, CHANNELS[i % 2], id, { token: viewer });
    expect(denied).toMatchObject({ status: 403, code: 'FORBIDDEN' });
  }
  const over = await terminate(gw.url, 'rest', gw.simulator.addSession().sessionId, {
    token: viewer,
  });
  expect(over).toMatchObject({ status: 429, code: 'RATE_LIMITED' });
  expect(auditedRequestIds().has(over.requestId ?? '')).toBe(false);
  // Its reads are a separate allowance, untouched.
  expect((await read('list', 'rest', viewer)).status).toBe(200);
});

it('counts each read field of one GraphQL document as one attempt', async () => {
  const token = await principal(['session-viewer']);
  const res = await gw.graphql(
    `{ a: remoteSessions(first: 1) { totalCount } b: remoteSessions(first: 1) { totalCount }
       c: remoteSessions(first: 1) { totalCount } d: remoteSessions(first: 1) { totalCount } }`,
    undefined,
    token,
  );
  const codes = ((res.json?.errors ?? []) as Array<{ extensions?: { code?: string } }>).map(
    (e) => e.extensions?.code,
  );
  expect(codes).toEqual(['RATE_LIMITED']);
});

describe('RATE_LIMIT_READS_PER_MINUTE=0', () => {
  let open: GatewayHarness;
  beforeAll(async () => {
    open = await startGateway({ issuer, env: { RATE_LIMIT_READS_PER_MINUTE: '0' } });
  });
  afterAll(async () => {
    await open?.close();
  });

  it('turns the limit off: more reads than the default 600 per minute all answer', async () => {
    const sub = `reader-${randomBytes(4).toString('hex')}`;
    const token = await issuer.token({
      payload: { aud: AUDIENCE, sub, roles: ['session-viewer'] },
    });
    const statuses = new Set<number>();
    for (let batch = 0; batch < 13; batch++) {
      const answers = await Promise.all(
        Array.from({ length: 50 }, () =>
          open.request('GET', '/api/v1/sessions?limit=1', { token }),
        ),
      );
      for (const a of answers) statuses.add(a.status);
    }
    expect([...statuses]).toEqual([200]);
  });
});
