/**
 * `ts-node -T bench/ab.ts --a <checkout> --b <checkout>`: gateway CPU per REST termination of
 * two builds (each checkout's `dist/`, built beforehand), in alternating runs A B A B …, one
 * gateway at a time against one simulator and issuer. Per run: autocannon closed loop after a
 * warm-up, the gateway's CPU (all threads, from /proc) divided by the terminations it answered.
 * With --rate N the measured phase is open loop instead, N requests per second evenly spaced
 * (bench/paced.ts), and the run's p50/p99 are reported too (tail latency, target 4).
 * `--route graphql` measures the GraphQL mutation instead of REST. `--node-flags`
 * (space-separated) go to both builds' node. Writes bench/results/ab-<time>.json.
 */
import { rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { round } from './processes';
import {
  operatorBench,
  runMain,
  startGateway,
  stopAll,
  terminationSpec,
  warmThenMeasure,
} from './stack';

const { values: args } = parseArgs({
  options: {
    a: { type: 'string', default: '.' },
    b: { type: 'string', default: '.' },
    rounds: { type: 'string', default: '3' },
    duration: { type: 'string', default: '10' },
    warmup: { type: 'string', default: '3' },
    connections: { type: 'string', default: '50' },
    rate: { type: 'string' },
    route: { type: 'string', default: 'rest' },
    'node-flags': { type: 'string', default: '' },
  },
});

interface Run {
  build: 'A' | 'B';
  rps: number;
  ok: number;
  errors: number;
  cpuUsPerRequest: number;
  p50: number;
  p99: number;
}

async function main(): Promise<void> {
  const { dir, policyFile, issuer, jwt, sim } = await operatorBench();
  const builds = { A: resolve(args.a), B: resolve(args.b) };
  const runs: Run[] = [];
  const connections = Number(args.connections);
  for (let i = 0; i < Number(args.rounds); i++) {
    for (const build of ['A', 'B'] as const) {
      const db = resolve(dir, `ab-${process.pid}-${i}-${build}.db`);
      const gw = await startGateway(
        sim.url,
        issuer.url,
        policyFile,
        { AUDIT_DATABASE_URL: `sqlite:${db}` },
        builds[build],
        { nodeArgs: args['node-flags'].split(' ').filter(Boolean) },
      );
      // --route graphql: the same termination as the bench's GraphQL scenario.
      const route = args.route === 'graphql' ? 'graphql' : 'rest';
      const spec = terminationSpec(gw.url, jwt, route, connections);
      const { result: r, cpuSeconds: cpu } = await warmThenMeasure(spec, gw.proc.pid, {
        warmup: Number(args.warmup),
        duration: Number(args.duration),
        rate: args.rate === undefined ? undefined : Number(args.rate),
      });
      await gw.proc.stop();
      for (const f of [db, `${db}-wal`, `${db}-shm`]) rmSync(f, { force: true });
      const run: Run = {
        build,
        rps: r.rps,
        ok: r.ok,
        errors: r.errors,
        cpuUsPerRequest: round((cpu * 1e6) / Math.max(1, r.ok), 0),
        p50: r.p50,
        p99: r.p99,
      };
      runs.push(run);
      process.stdout.write(
        `  ${build} ${String(run.rps).padStart(6)} req/s  ${run.cpuUsPerRequest} µs CPU/termination  p50 ${run.p50} p99 ${run.p99} ms  errors ${run.errors}\n`,
      );
    }
  }
  const of = (b: 'A' | 'B') => runs.filter((r) => r.build === b).map((r) => r.cpuUsPerRequest);
  const median = (xs: number[]) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)];
  const summary = { A: median(of('A')), B: median(of('B')) };
  process.stdout.write(
    `median µs CPU/termination: A ${summary.A}, B ${summary.B} (${round((summary.B / summary.A - 1) * 100)}%)\n`,
  );
  const file = join(dir, `ab-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
  writeFileSync(file, JSON.stringify({ builds, args, runs, median: summary }, null, 2));
  await stopAll();
  await issuer.stop();
}

runMain(main);
