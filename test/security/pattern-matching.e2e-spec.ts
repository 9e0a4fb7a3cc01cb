import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateSessions, PamCoreSimulator } from '../../simulator/pam-core-simulator';
import type { SimSession } from '../../simulator/pam-core-simulator';
import { hexId, seededRng } from '../../simulator/seed';
import { AUDIENCE, SIM_CLIENT_ID, SIM_CLIENT_SECRET } from '../support/gateway';
import {
  baseEnv,
  type GatewayProcess,
  killAllGateways,
  spawnGateway,
} from '../support/gateway-process';
import { type IssuerHandle, startIssuer } from '../support/oidc-issuer';

/**
 * Glob patterns are matched in linear time: the worst patterns a caller (or a policy author)
 * can write, against thousands of sessions, are answered within a second, and the event loop
 * stays free for everything else (the liveness probe). The gateway runs in its own process so
 * a blocked event loop there cannot stall this test's own timers.
 */
const BOUND_MS = 1000; // the generous bound of the issue, per request
const ABANDON_MS = 5000; // a request still running after this is given up (and fails the bound)

// Every pattern is at most 256 characters (the input bound) and ends in "!", which no value
// holds, so nothing matches and every session is tried to the end. Against a backtracking
// regexp the first three take minutes to hours per value; the last is the matcher's own worst
// case (a literal run after a star, retried from every position of the value).
const WORST = [
  '*'.repeat(255) + '!',
  '*a'.repeat(127) + '!',
  '*?'.repeat(127) + '!',
  '*' + 'a'.repeat(31) + '!',
];
const FIELDS = ['user', 'device', 'protocol', 'originIp', 'credential'] as const;

const LONG = 'a'.repeat(64);
function sessions(): SimSession[] {
  const rng = seededRng(12);
  // Realistic sessions, plus active ones whose every field is a long run of "a" (the text the
  // patterns above are made to struggle with).
  const long = Array.from({ length: 1000 }, (_, i) => ({
    id: String(5001 + i),
    sessionId: hexId(rng),
    user: LONG,
    originIp: LONG,
    credential: LONG,
    device: `${LONG}:22`,
    protocol: LONG,
    proxy: 'SSH Proxy',
    start: '2024-05-06 10:00:00',
    end: '',
    itsm: null,
  }));
  return [...generateSessions(4000, rng), ...long];
}

const POLICY = {
  roles: {
    'session-viewer': ['session:read'],
    'bulk-operator': ['session:terminate', 'session:terminate:bulk'],
    // Scoped rules with the worst patterns: each where key in a rule of its own, so every
    // rule (ORed) is tried on every session.
    'worst-reader': ['user', 'device', 'protocol', 'credential'].map((key) => ({
      permission: 'session:read',
      where: { [key]: WORST },
    })),
    'worst-terminator': ['user', 'device', 'protocol', 'credential'].map((key) => ({
      permission: 'session:terminate',
      where: { [key]: WORST },
    })),
  },
  options: { bulkMax: 10000 },
};

const LIST = `query L($filter: RemoteSessionFilter) {
  remoteSessions(filter: $filter) { totalCount nodes { sessionId } } }`;
const BULK = `mutation B($filter: BulkTerminationFilter) {
  terminateSessions(filter: $filter, reason: "pattern test", dryRun: true) { matched } }`;

let simulator: PamCoreSimulator;
let issuer: IssuerHandle;
let gateway: GatewayProcess;
let dir: string;
const tokens: Record<string, string> = {};

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'pam-gw-patterns-'));
  const policyFile = join(dir, 'policy.json');
  writeFileSync(policyFile, JSON.stringify(POLICY));
  simulator = new PamCoreSimulator({
    clientId: SIM_CLIENT_ID,
    clientSecret: SIM_CLIENT_SECRET,
    seed: sessions(),
  });
  const [simulatorUrl, startedIssuer] = await Promise.all([
    simulator.start(0, '127.0.0.1'),
    startIssuer(),
  ]);
  issuer = startedIssuer;
  gateway = await spawnGateway({
    ...baseEnv({
      simulatorUrl,
      issuerUrl: issuer.url,
      policyFile,
      auditUrl: `sqlite:${join(dir, 'audit.db')}`,
    }),
    LOG_LEVEL: 'warn',
  });
  for (const role of ['session-viewer', 'bulk-operator', 'worst-reader', 'worst-terminator']) {
    tokens[role] = await issuer.token({ payload: { aud: AUDIENCE, sub: role, roles: [role] } });
  }
  // Fill the list cache, so listings measure matching rather than the first fetch.
  expect((await call('GET', '/api/v1/sessions?limit=1', tokens['session-viewer'])).status).toBe(
    200,
  );
}, 120_000); // may include compiling the production build once
afterAll(async () => {
  await killAllGateways();
  await simulator?.stop();
  await issuer?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

interface Timed {
  status: number;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- tests read arbitrary JSON
  json: any;
  ms: number;
}

/** One call, timed; given up (status 0, ms = ABANDON_MS) when it takes longer than ABANDON_MS. */
async function call(method: string, path: string, token?: string, body?: unknown): Promise<Timed> {
  const started = performance.now();
  try {
    const res = await fetch(gateway.url + path, {
      method,
      headers: {
        ...(token ? { authorization: `Bearer ${token}` } : {}),
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(ABANDON_MS),
    });
    const text = await res.text();
    return {
      status: res.status,
      json: JSON.parse(text) as unknown,
      ms: performance.now() - started,
    };
  } catch (err) {
    if ((err as Error).name !== 'TimeoutError') throw err;
    return { status: 0, json: undefined, ms: ABANDON_MS };
  }
}

/**
 * Runs `work` while probing /health/live every 50 ms (the first probe at once); resolves with
 * the work's answer and the slowest probe.
 */
async function whileProbing(
  work: () => Promise<Timed>,
): Promise<{ answer: Timed; probeMs: number }> {
  let done = false;
  let probeMs = 0;
  const probing = (async () => {
    do {
      const probe = await call('GET', '/health/live');
      expect(probe.status === 0 || probe.status === 200).toBe(true);
      probeMs = Math.max(probeMs, probe.ms);
      if (!done) await new Promise((r) => setTimeout(r, 50));
    } while (!done);
  })();
  const answer = await work().finally(() => (done = true));
  await probing;
  return { answer, probeMs };
}

type Mode = 'REST listing' | 'GraphQL listing' | 'REST bulk dry run' | 'GraphQL bulk dry run';
const MODES: Mode[] = [
  'REST listing',
  'GraphQL listing',
  'REST bulk dry run',
  'GraphQL bulk dry run',
];

/** The request of `mode` with `filter`, and the number of sessions it reports. */
async function ask(
  mode: Mode,
  filter: Record<string, unknown>,
  token: string,
): Promise<{ answer: Timed; count: () => unknown }> {
  switch (mode) {
    case 'REST listing': {
      const q = new URLSearchParams({ ...(filter as Record<string, string>), limit: '500' });
      const answer = await call('GET', `/api/v1/sessions?${q.toString()}`, token);
      return { answer, count: () => answer.json.totalCount };
    }
    case 'GraphQL listing': {
      const answer = await call('POST', '/graphql', token, { query: LIST, variables: { filter } });
      return { answer, count: () => answer.json.data.remoteSessions.totalCount };
    }
    case 'REST bulk dry run': {
      const body = { filter, reason: 'pattern test', dryRun: true };
      const answer = await call('POST', '/api/v1/sessions/terminate', token, body);
      return { answer, count: () => answer.json.matched };
    }
    case 'GraphQL bulk dry run': {
      const answer = await call('POST', '/graphql', token, { query: BULK, variables: { filter } });
      return { answer, count: () => answer.json.data.terminateSessions.matched };
    }
  }
}

function tokenOf(mode: Mode, scoped: boolean): string {
  const listing = mode.endsWith('listing');
  if (scoped) return tokens[listing ? 'worst-reader' : 'worst-terminator'];
  return tokens[listing ? 'session-viewer' : 'bulk-operator'];
}

async function expectFast(mode: Mode, filter: Record<string, unknown>, token: string) {
  let outcome!: { answer: Timed; count: () => unknown };
  const { answer, probeMs } = await whileProbing(async () => {
    outcome = await ask(mode, filter, token);
    return outcome.answer;
  });
  // One assertion, so a failure shows all three facts.
  expect({
    status: answer.status,
    answeredWithinBound: answer.ms < BOUND_MS,
    liveWithinBound: probeMs < BOUND_MS,
  }).toEqual({ status: 200, answeredWithinBound: true, liveWithinBound: true });
  expect(outcome.count()).toBe(0);
}

describe.each(MODES)('%s', (mode) => {
  it.each(FIELDS)('answers the worst %s filters within the bound, liveness too', async (field) => {
    for (const pattern of WORST) await expectFast(mode, { [field]: pattern }, tokenOf(mode, false));
  });

  it('answers within the bound under a policy whose where rules hold the worst patterns', async () => {
    const filter = mode.endsWith('listing') ? {} : { all: true };
    await expectFast(mode, filter, tokenOf(mode, true));
  });
});
