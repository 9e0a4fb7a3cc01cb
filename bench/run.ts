/**
 * `npm run bench`: the gateway measured against the floor (straight to the simulator) and a plain
 * forwarder, side by side in one run, on loopback. Prints a table and writes
 * bench/results/<time>.json. `--smoke`: a few seconds per scenario, fails on any error.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { startIssuer } from '../scripts/issuer';
import { load, LoadResult } from './load';
import { paced } from './paced';
import { freePort, ProcSampler, round, start, tsNode, waitFor } from './processes';
import { evaluateTargets, printReport, Report, ScenarioResult } from './report';
import {
  type Gateway,
  procs,
  seguraToken,
  simStats,
  startGateway,
  startSimulator,
  stopAll,
} from './stack';

const { values: args } = parseArgs({
  options: {
    smoke: { type: 'boolean', default: false },
    duration: { type: 'string' },
    connections: { type: 'string', default: '50' },
    pg: { type: 'string', default: 'postgres://postgres@127.0.0.1:5432/test' },
  },
});
const SMOKE = args.smoke;
const DURATION = Number(args.duration ?? (SMOKE ? 2 : 10));
const WARMUP = SMOKE ? 1 : 3;
const CONNECTIONS = Number(args.connections);
const SESSION = 'e7acacb6aedbab70073456da5744166939b77527';
async function measured(
  name: string,
  pid: number | undefined,
  run: () => Promise<LoadResult>,
): Promise<ScenarioResult> {
  const sampler = pid ? new ProcSampler(pid) : undefined;
  sampler?.begin();
  const r = await run();
  const proc = sampler?.end();
  const result: ScenarioResult = {
    name,
    ...r,
    peakRssMb: proc?.peakRssMb,
    cpuPercent: proc?.cpuPercent,
  };
  process.stdout.write(
    `  ${name.padEnd(34)} ${String(r.rps).padStart(6)} req/s  p50 ${r.p50} ms  p99 ${r.p99} ms  errors ${r.errors}\n`,
  );
  return result;
}

async function main(): Promise<void> {
  const dir = join('bench', 'results');
  mkdirSync(dir, { recursive: true });
  const policyFile = join(dir, 'bench-policy.yaml');
  writeFileSync(policyFile, 'roles:\n  session-operator: [session:terminate, session:read]\n');
  const tmp = join(dir, `audit-${process.pid}.db`);

  const issuer = await startIssuer(await freePort());
  const jwt = await issuer.token({
    sub: 'bench',
    preferred_username: 'bench',
    roles: ['session-operator'],
  });
  const auth = { authorization: `Bearer ${jwt}`, 'content-type': 'application/json' };
  const sim = await startSimulator();
  const token = await seguraToken(sim.url);

  const fwdPort = await freePort();
  const [fcmd, fargs] = tsNode('bench/forwarder.ts', String(fwdPort), sim.url, token);
  const fwd = start(fcmd, fargs);
  procs.push(fwd);
  await waitFor(`http://127.0.0.1:${fwdPort}/__sim/stats`);

  const gwSqlite = await startGateway(sim.url, issuer.url, policyFile, {
    AUDIT_DATABASE_URL: `sqlite:${tmp}`,
  });
  const pgSchema = `bench_${process.pid}`;
  const gwPg = await startGateway(sim.url, issuer.url, policyFile, {
    AUDIT_DATABASE_URL: `${args.pg}?schema=${pgSchema}`,
  });

  const drop = (base: string, headers: Record<string, string>) => ({
    url: `${base}/api/pam/session/drop/${SESSION}`,
    method: 'DELETE' as const,
    headers,
  });
  const rest = (gw: Gateway) => ({
    url: `${gw.url}/api/v1/sessions/${SESSION}/terminate`,
    method: 'POST' as const,
    headers: auth,
    body: JSON.stringify({ reason: 'bench' }),
  });
  const gql = (gw: Gateway) => ({
    url: `${gw.url}/graphql`,
    method: 'POST' as const,
    headers: auth,
    body: JSON.stringify({
      query: `mutation { terminateSession(id: "${SESSION}", reason: "bench") { terminated auditEventId } }`,
    }),
  });
  const floorSpec = drop(sim.url, { authorization: `Bearer ${token}` });
  const fwdSpec = drop(`http://127.0.0.1:${fwdPort}`, {});

  process.stdout.write(`warming up (${WARMUP}s each)…\n`);
  for (const spec of [floorSpec, fwdSpec, rest(gwSqlite), gql(gwSqlite), rest(gwPg)]) {
    await load({ ...spec, connections: CONNECTIONS, duration: WARMUP });
  }

  process.stdout.write(`scenarios (${DURATION}s each, ${CONNECTIONS} connections):\n`);
  const c = { connections: CONNECTIONS, duration: DURATION };
  const scenarios: ScenarioResult[] = [];
  scenarios.push(await measured('floor', undefined, () => load({ ...floorSpec, ...c })));
  scenarios.push(await measured('plain forwarder', fwd.pid, () => load({ ...fwdSpec, ...c })));
  scenarios.push(
    await measured('gateway REST (SQLite)', gwSqlite.proc.pid, () =>
      load({ ...rest(gwSqlite), ...c }),
    ),
  );
  scenarios.push(
    await measured('gateway GraphQL (SQLite)', gwSqlite.proc.pid, () =>
      load({ ...gql(gwSqlite), ...c }),
    ),
  );
  scenarios.push(
    await measured('gateway REST (PostgreSQL)', gwPg.proc.pid, () => load({ ...rest(gwPg), ...c })),
  );

  // Added latency at half of the gateway's maximum rate, floor and gateway at the same rate,
  // requests evenly spaced (open loop: bench/paced.ts says why not autocannon here).
  const half = Math.max(10, Math.round(scenarios[2].rps / 2));
  const at = { connections: CONNECTIONS, duration: DURATION, rate: half };
  scenarios.push(
    await measured(`floor @ ${half} req/s`, undefined, () => paced({ ...floorSpec, ...at })),
  );
  scenarios.push(
    await measured(`gateway REST @ ${half} req/s`, gwSqlite.proc.pid, () =>
      paced({ ...rest(gwSqlite), ...at }),
    ),
  );
  // The same at a quarter of the maximum: where the latency curve stands below the knee (the
  // report's "half rate" rows are measured first and are the ones the targets read).
  const quarter = Math.max(10, Math.round(scenarios[2].rps / 4));
  const atQuarter = { ...at, rate: quarter };
  scenarios.push(
    await measured(`floor @ ${quarter} req/s`, undefined, () =>
      paced({ ...floorSpec, ...atQuarter }),
    ),
  );
  scenarios.push(
    await measured(`gateway REST @ ${quarter} req/s`, gwSqlite.proc.pid, () =>
      paced({ ...rest(gwSqlite), ...atQuarter }),
    ),
  );

  // Memory: RSS over the first 10k and over the last 10k of 100k requests (smoke: 1k of 5k) on
  // the SQLite gateway, sampled every 100 ms; the medians are compared. One sample per point
  // (as before) lands anywhere on V8's saw: the old generation rises and falls by ~200 MB
  // between full collections, and two runs of the same build read -75 and +75 MB.
  const small = SMOKE ? 1_000 : 10_000;
  const large = SMOKE ? 5_000 : 100_000;
  const window = (amount: number) =>
    rssWindow(gwSqlite.proc.pid, () =>
      load({ ...rest(gwSqlite), connections: CONNECTIONS, amount }),
    );
  const firstWindow = await window(small);
  await load({ ...rest(gwSqlite), connections: CONNECTIONS, amount: large - 2 * small });
  const lastWindow = await window(small);
  process.stdout.write(
    `  RSS median over requests 1-${small}: ${firstWindow.medianMb} MB, over ${large - small + 1}-${large}: ${lastWindow.medianMb} MB\n`,
  );

  // Token under load: a cold gateway, 500 concurrent callers, token lifetime of a few seconds.
  const ttl = SMOKE ? 2 : 3;
  const tokenDuration = SMOKE ? 6 : 60;
  const sim2 = await startSimulator(ttl);
  const gwTok = await startGateway(sim2.url, issuer.url, policyFile, {
    AUDIT_DATABASE_URL: `sqlite:${tmp}-tok`,
  });
  const before = await simStats(sim2.url);
  const tokenRun = await measured('token under load (500 conn.)', gwTok.proc.pid, () =>
    load({ ...rest(gwTok), connections: 500, duration: tokenDuration }),
  );
  const after = await simStats(sim2.url);
  const tokenRequests = after.tokenRequests - before.tokenRequests;
  // The client refreshes min(60 s, 10%) before expiry: one token per 0.9 * ttl of wall time.
  const lifetimes = Math.ceil(tokenDuration / (ttl * 0.9));
  process.stdout.write(
    `  token requests: ${tokenRequests} for ${tokenRun.requests} calls over ${tokenDuration}s (${lifetimes} lifetimes)\n`,
  );

  const report: Report = {
    time: new Date().toISOString(),
    smoke: SMOKE,
    machine: machineFacts(),
    settings: { durationSeconds: DURATION, connections: CONNECTIONS, logLevel: 'info' },
    scenarios: [...scenarios, tokenRun],
    coldStartMs: Math.max(gwSqlite.coldStartMs, gwPg.coldStartMs, gwTok.coldStartMs),
    memory: {
      first: { from: 1, to: small, ...firstWindow },
      last: { from: large - small + 1, to: large, ...lastWindow },
    },
    token: {
      ttlSeconds: ttl,
      durationSeconds: tokenDuration,
      calls: tokenRun.requests,
      tokenRequests,
      lifetimes,
    },
    targets: [],
  };
  report.targets = evaluateTargets(report);
  const file = join(dir, `${report.time.replace(/[:.]/g, '-')}.json`);
  writeFileSync(file, JSON.stringify(report, null, 2));
  writeFileSync(join(dir, 'latest.json'), JSON.stringify(report, null, 2));
  printReport(report);
  process.stdout.write(`\nwritten: ${file}\n`);

  await stopAll();
  await issuer.stop();
  const errors = report.scenarios.reduce((n, s) => n + s.errors, 0);
  if (SMOKE && errors > 0) {
    process.stderr.write(`bench smoke: ${errors} errors\n`);
    process.exitCode = 1;
  }
}

/** RSS of `pid` sampled every 100 ms while `run` runs: median, minimum and maximum (MB). */
async function rssWindow(
  pid: number,
  run: () => Promise<unknown>,
): Promise<{ medianMb: number; minMb: number; maxMb: number; samples: number }> {
  const sampler = new ProcSampler(pid);
  const samples = [sampler.rssMb()];
  const timer = setInterval(() => samples.push(sampler.rssMb()), 100);
  try {
    await run();
  } finally {
    clearInterval(timer);
  }
  samples.push(sampler.rssMb());
  samples.sort((a, b) => a - b);
  return {
    medianMb: round(samples[Math.floor(samples.length / 2)]),
    minMb: round(samples[0]),
    maxMb: round(samples[samples.length - 1]),
    samples: samples.length,
  };
}

function machineFacts(): Record<string, unknown> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const os = require('node:os') as typeof import('node:os');
  return {
    cpus: os.cpus().length,
    cpuModel: os.cpus()[0]?.model,
    memGb: round(os.totalmem() / 2 ** 30),
    node: process.version,
  };
}

main().catch(async (err: unknown) => {
  process.stderr.write(`bench failed: ${err instanceof Error ? err.stack : String(err)}\n`);
  await stopAll();
  process.exit(1);
});
