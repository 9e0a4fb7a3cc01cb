/**
 * `npm run bench:list`: 100 concurrent session-list readers against a simulator whose list takes
 * 5 s (Segura warns its list can take minutes). Reports the latency of the first fill, the median
 * latency after it, and how many list calls reached the simulator. Writes
 * bench/results/list-readers-<time>.json. Flags: --readers, --list-latency-ms, --duration,
 * --audit-url (default: a SQLite file; e.g. postgres://postgres@127.0.0.1:5432/test?schema=x).
 * With --seed N (e.g. 100000) it runs the large-list scenario instead (large-list.ts); --pages
 * sets its reads per filter, --node-flags the gateway's Node/V8 flags (space-separated, e.g. the
 * Dockerfile's heap caps).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { startIssuer } from '../scripts/issuer';
import { largeList } from './large-list';
import { load } from './load';
import { freePort, type Proc, round, start, tsNode, waitFor } from './processes';

const { values: args } = parseArgs({
  options: {
    readers: { type: 'string', default: '100' },
    'list-latency-ms': { type: 'string', default: '5000' },
    duration: { type: 'string', default: '30' },
    // Every read is audited: SQLite commits (fsync) on the event loop, PostgreSQL does not.
    'audit-url': { type: 'string' },
    seed: { type: 'string' },
    pages: { type: 'string', default: '300' },
    'node-flags': { type: 'string', default: '' },
  },
});
const READERS = Number(args.readers);
const LIST_LATENCY_MS = Number(args['list-latency-ms']);
const DURATION = Number(args.duration);
const CLIENT = { id: 'bench-client', secret: 'bench-secret-value' };
const procs: Proc[] = [];

async function listCalls(simUrl: string): Promise<number> {
  const all = (await (await fetch(`${simUrl}/__sim/requests`)).json()) as Array<{
    method: string;
    path: string;
  }>;
  return all.filter((r) => r.method === 'GET' && /\/session\/remotesessions\/?$/.test(r.path))
    .length;
}

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  return s.length === 0 ? 0 : s[Math.floor((s.length - 1) / 2)];
}

/** The gateway's settings for both scenarios. */
function gatewayEnv(
  dir: string,
  policyFile: string,
  issuerUrl: string,
): (simUrl: string, port: number) => Record<string, string> {
  return (simUrl, port) => ({
    NODE_ENV: 'production',
    PORT: String(port),
    HOST: '127.0.0.1',
    PAM_CORE_URL: simUrl,
    PAM_CORE_CLIENT_ID: CLIENT.id,
    PAM_CORE_CLIENT_SECRET: CLIENT.secret,
    AUTH_ISSUER: issuerUrl,
    AUTH_AUDIENCE: 'pam-gateway',
    AUTH_ROLES_CLAIM: 'realm_access.roles',
    RBAC_POLICY_FILE: policyFile,
    AUDIT_DATABASE_URL:
      args['audit-url'] ?? `sqlite:${join(dir, `list-readers-audit-${process.pid}.db`)}`,
    RATE_LIMIT_IP_PER_MINUTE: '0',
    // 100 readers, one principal, many rounds: the per-principal read limit would throttle them.
    RATE_LIMIT_READS_PER_MINUTE: '0',
    LOG_LEVEL: 'warn',
  });
}

async function main(): Promise<void> {
  const dir = join('bench', 'results');
  mkdirSync(dir, { recursive: true });
  const policyFile = join(dir, 'list-readers-policy.yaml');
  writeFileSync(
    policyFile,
    'roles:\n  session-viewer: [session:read]\n  session-operator: [session:terminate, session:read]\n',
  );

  const issuer = await startIssuer(await freePort());
  const envOf = gatewayEnv(dir, policyFile, issuer.url);
  if (args.seed !== undefined) {
    await largeList({
      seed: Number(args.seed),
      dir,
      issuer,
      policyFile,
      gatewayEnv: envOf,
      procs,
      pages: Number(args.pages),
      nodeArgs: args['node-flags'].split(' ').filter(Boolean),
    });
    await Promise.all(procs.splice(0).map((p) => p.stop()));
    await issuer.stop();
    return;
  }
  const jwt = await issuer.token({
    sub: 'bench',
    preferred_username: 'bench',
    roles: ['session-viewer'],
  });
  const simPort = await freePort();
  const [scmd, sargs] = tsNode(
    'simulator/main.ts',
    ...['--port', String(simPort), '--seed', '200'],
    ...['--list-latency-ms', String(LIST_LATENCY_MS)],
    ...['--client-id', CLIENT.id, '--client-secret', CLIENT.secret],
  );
  procs.push(start(scmd, sargs));
  const simUrl = `http://127.0.0.1:${simPort}`;
  await waitFor(`${simUrl}/__sim/stats`);

  const port = await freePort();
  procs.push(start(process.execPath, ['dist/main.js'], envOf(simUrl, port)));
  const gw = `http://127.0.0.1:${port}`;
  await waitFor(`${gw}/health/live`);
  const url = `${gw}/api/v1/sessions?active=true&limit=50`;
  const headers = { authorization: `Bearer ${jwt}` };

  process.stdout.write(`first fill: ${READERS} readers, list latency ${LIST_LATENCY_MS} ms…\n`);
  const cold = await Promise.all(
    Array.from({ length: READERS }, async () => {
      const t = performance.now();
      const res = await fetch(url, { headers });
      await res.arrayBuffer();
      if (res.status !== 200) throw new Error(`reader got HTTP ${res.status}`);
      return performance.now() - t;
    }),
  );
  const callsAfterFill = await listCalls(simUrl);

  process.stdout.write(`after the fill: ${READERS} readers for ${DURATION} s…\n`);
  const warm = await load({
    url,
    method: 'GET',
    headers,
    connections: READERS,
    duration: DURATION,
  });
  const callsTotal = await listCalls(simUrl);

  const report = {
    time: new Date().toISOString(),
    readers: READERS,
    listLatencyMs: LIST_LATENCY_MS,
    audit: args['audit-url'] ? 'postgres' : 'sqlite',
    cacheTtlMs: 15000,
    firstFill: {
      medianMs: round(median(cold), 0),
      maxMs: round(Math.max(...cold), 0),
      upstreamListCalls: callsAfterFill,
    },
    afterFill: {
      durationSeconds: DURATION,
      requests: warm.requests,
      rps: warm.rps,
      p50Ms: warm.p50,
      p99Ms: warm.p99,
      errors: warm.errors,
      upstreamListCalls: callsTotal - callsAfterFill,
    },
  };
  const file = join(dir, `list-readers-${report.time.replace(/[:.]/g, '-')}.json`);
  writeFileSync(file, JSON.stringify(report, null, 2));
  process.stdout.write(
    [
      `  first fill   median ${report.firstFill.medianMs} ms  max ${report.firstFill.maxMs} ms  upstream list calls ${callsAfterFill}`,
      `  after fill   median ${warm.p50} ms  p99 ${warm.p99} ms  ${warm.rps} req/s  ${warm.requests} requests  errors ${warm.errors}  upstream list calls ${report.afterFill.upstreamListCalls}`,
      `written: ${file}`,
      '',
    ].join('\n'),
  );
  await Promise.all(procs.splice(0).map((p) => p.stop()));
  await issuer.stop();
}

main().catch(async (err: unknown) => {
  process.stderr.write(`bench failed: ${err instanceof Error ? err.stack : String(err)}\n`);
  await Promise.all(procs.splice(0).map((p) => p.stop()));
  process.exit(1);
});
