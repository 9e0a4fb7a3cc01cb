import type { SimSession } from '../../../simulator/pam-core-simulator';
import type { GatewayHarness, HttpAnswer } from '../../support/gateway';
import { statusOfCode } from '../../support/termination';

export { statusOfCode };

/**
 * Calls of the session discovery and bulk features through either channel, answered in one
 * shape so each test can run the same case over REST and GraphQL and compare.
 */
export type Channel = 'rest' | 'graphql';
export const CHANNELS: Channel[] = ['rest', 'graphql'];

export interface Answer {
  status: number;
  code?: string;
  field?: string;
  message?: string;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- tests read arbitrary JSON
  data?: any;
  raw: string;
}

const SESSION_FIELDS = `sessionId recordId user originIp credential device deviceHost devicePort
  protocol proxy start end durationSeconds active itsm`;
const LIST = `query L($filter: RemoteSessionFilter, $first: Int, $after: String) {
  remoteSessions(filter: $filter, first: $first, after: $after) {
    nodes { ${SESSION_FIELDS} } nextCursor totalCount stale ageSeconds fetchedAt } }`;
const GET = `query G($id: ID!) { remoteSession(id: $id) { ${SESSION_FIELDS} } }`;
const TERMINATE = `mutation T($id: ID!, $reason: String, $key: String) {
  terminateSession(id: $id, reason: $reason, idempotencyKey: $key) {
    sessionId terminated message auditEventId requestId alreadyEnded verified replayed } }`;
const BULK = `mutation B($filter: BulkTerminationFilter, $reason: String, $dryRun: Boolean, $key: String) {
  terminateSessions(filter: $filter, reason: $reason, dryRun: $dryRun, idempotencyKey: $key) {
    dryRun matched terminatedCount failedCount auditEventId fetchedAt requestId replayed
    results { sessionId terminated alreadyEnded verified code message auditEventId
      session { ${SESSION_FIELDS} } } } }`;

function fromRest(res: HttpAnswer): Answer {
  if (res.status === 200) return { status: 200, data: res.json, raw: res.text };
  return {
    status: res.status,
    code: res.json?.code,
    field: res.json?.field,
    message: res.json?.detail,
    raw: res.text,
  };
}

function fromGraphql(res: HttpAnswer, field: string): Answer {
  const err = res.json?.errors?.[0];
  if (err) {
    return {
      status: statusOfCode(err.extensions?.code),
      code: err.extensions?.code,
      field: err.extensions?.field,
      message: err.message,
      raw: res.text,
    };
  }
  return { status: res.status, data: res.json?.data?.[field], raw: res.text };
}

export interface ListArgs {
  filter?: Record<string, unknown>;
  first?: number;
  after?: string;
}

/** Lists sessions; `data.sessions` holds the page in either channel. */
export async function listSessions(
  gw: GatewayHarness,
  channel: Channel,
  args: ListArgs,
  token: string,
): Promise<Answer> {
  if (channel === 'rest') {
    const q = new URLSearchParams();
    for (const [k, v] of Object.entries(args.filter ?? {})) q.set(k, String(v));
    if (args.first !== undefined) q.set('limit', String(args.first));
    if (args.after !== undefined) q.set('cursor', args.after);
    const a = fromRest(await gw.request('GET', `/api/v1/sessions?${q.toString()}`, { token }));
    if (a.data) a.data = { ...a.data, sessions: a.data.items };
    return a;
  }
  const a = fromGraphql(await gw.graphql(LIST, { ...args }, token), 'remoteSessions');
  if (a.data) a.data = { ...a.data, sessions: a.data.nodes };
  return a;
}

export async function getSession(
  gw: GatewayHarness,
  channel: Channel,
  id: string,
  token: string,
): Promise<Answer> {
  if (channel === 'rest') {
    return fromRest(
      await gw.request('GET', `/api/v1/sessions/${encodeURIComponent(id)}`, { token }),
    );
  }
  return fromGraphql(await gw.graphql(GET, { id }, token), 'remoteSession');
}

export async function terminateOne(
  gw: GatewayHarness,
  channel: Channel,
  id: string,
  opts: { reason?: string; key?: string; token: string },
): Promise<Answer> {
  if (channel === 'rest') {
    const res = await gw.request('POST', `/api/v1/sessions/${encodeURIComponent(id)}/terminate`, {
      token: opts.token,
      body: opts.reason === undefined ? undefined : { reason: opts.reason },
      headers: opts.key === undefined ? undefined : { 'idempotency-key': opts.key },
    });
    return fromRest(res);
  }
  const vars = { id, reason: opts.reason, key: opts.key };
  return fromGraphql(await gw.graphql(TERMINATE, vars, opts.token), 'terminateSession');
}

export interface BulkArgs {
  filter?: Record<string, unknown>;
  reason?: string;
  dryRun?: boolean;
  key?: string | null;
}

export async function terminateMany(
  gw: GatewayHarness,
  channel: Channel,
  args: BulkArgs,
  token: string,
): Promise<Answer> {
  if (channel === 'rest') {
    const { key, ...body } = args;
    const res = await gw.request('POST', '/api/v1/sessions/terminate', {
      token,
      body,
      headers: key === undefined || key === null ? undefined : { 'idempotency-key': key },
    });
    return fromRest(res);
  }
  return fromGraphql(await gw.graphql(BULK, { ...args }, token), 'terminateSessions');
}

/** A token of the harness's issuer for a user with these roles. */
export function tokenFor(gw: GatewayHarness, sub: string, roles: string[]): Promise<string> {
  return gw.issuer.token({ payload: { aud: 'pam-gateway', sub, preferred_username: sub, roles } });
}

/** Upstream calls of the list endpoint the simulator received. */
export function listCalls(gw: GatewayHarness): number {
  return gw.simulator.requests.filter(
    (r) => r.method === 'GET' && /\/session\/remotesessions\/?$/.test(r.path),
  ).length;
}

export function drops(gw: GatewayHarness): string[] {
  return gw.simulator.requests
    .filter((r) => r.method === 'DELETE')
    .map((r) => decodeURIComponent(r.path.split('/').pop() ?? ''));
}

/** Audit records through the auditor's own API, newest first. */
export async function auditRecords(
  gw: GatewayHarness,
  query: Record<string, string>,
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- tests read arbitrary JSON
): Promise<any[]> {
  const res = await gw.request(
    'GET',
    `/api/v1/audit-events?${new URLSearchParams(query).toString()}`,
    {
      token: gw.tokens.auditor,
    },
  );
  if (res.status !== 200) throw new Error(`audit read failed: ${res.text}`);
  return res.json.items;
}

const hex = (n: number) => n.toString(16).padStart(2, '0').repeat(20);

/** Known sessions: newest first they are E, C, B, A, D, F. D and F have ended. */
export const FIXTURE: Record<'A' | 'B' | 'C' | 'D' | 'E' | 'F', Partial<SimSession>> = {
  A: {
    sessionId: hex(0xa1),
    user: 'admin-x',
    device: 'dc01.corp.local:3389',
    protocol: 'rdp',
    originIp: '10.1.0.5',
    credential: 'domadm01',
    start: '2024-05-06 16:05:07',
    end: '',
  },
  B: {
    sessionId: hex(0xb2),
    user: 'admin-x',
    device: 'srv-app-01.corp.local:22',
    protocol: 'ssh',
    originIp: '10.1.0.5',
    credential: 'root',
    start: '2024-05-06 17:00:00',
    end: '',
  },
  C: {
    sessionId: hex(0xc3),
    user: 'admin-y',
    device: 'dc02.corp.local:3389',
    protocol: 'rdp',
    originIp: '10.2.0.9',
    credential: 'domadm02',
    start: '2024-05-07 09:30:00',
    end: '',
  },
  D: {
    sessionId: hex(0xd4),
    user: 'admin-y',
    device: 'web01.corp.local:443',
    protocol: 'https',
    originIp: '10.2.0.9',
    credential: 'webadm',
    start: '2024-05-05 08:00:00',
    end: '2024-05-05 09:00:00',
  },
  E: {
    sessionId: hex(0xe5),
    user: 'admin-z',
    device: 'dc01.corp.local:22',
    protocol: 'ssh',
    originIp: '10.3.0.1',
    credential: 'svc-1',
    start: '2024-05-07 10:00:00',
    end: '',
    itsm: 'CHG-42',
  },
  F: {
    sessionId: hex(0xf6),
    user: 'Admin-X',
    device: '10.66.33.15:3389',
    protocol: 'rdp',
    originIp: '172.16.20.125',
    credential: 'usrdomadm01',
    start: '2024-05-04 12:00:00',
    end: '2024-05-04 12:02:52',
  },
};
export type Name = keyof typeof FIXTURE;
// The simulator fills in what a partial entry leaves out.
export const fixtureSeed = (): SimSession[] =>
  Object.values(FIXTURE).map((s) => ({ ...s })) as SimSession[];

/** Fixture names of the sessions in an answer, in answer order. */
export function namesOf(sessions: Array<{ sessionId: string }>): string[] {
  const byId = new Map(Object.entries(FIXTURE).map(([n, s]) => [s.sessionId, n]));
  return sessions.map((s) => byId.get(s.sessionId) ?? s.sessionId);
}
