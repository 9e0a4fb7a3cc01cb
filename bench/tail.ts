/**
 * `ts-node -T bench/tail.ts` (issue 17, target 4): what the added p99 at a quarter of the maximum
 * rate consists of. One gateway at a time (this checkout's `dist/`, built beforehand), started
 * with `--trace-gc`, after a closed-loop warm-up is loaded open loop at `--rate` requests per
 * second (bench/paced.ts) for `--duration` seconds; variants alternate round by round:
 *
 * - `disk`: the audit SQLite file in bench/results (every commit fsynced, as in `npm run bench`);
 * - `tmpfs`: the same file in /dev/shm, where fsync costs nothing: same code path, no disk wait.
 *
 * Per run: p50/p99 of the terminations, and the V8 pauses inside the measured window parsed from
 * the trace (count, total, longest, and how many took 5 ms or more, by kind). `--node-flags`
 * (space-separated) are added to both. Writes bench/results/tail-<time>.json.
 */
import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { load } from './load';
import { paced } from './paced';
import { round } from './processes';
import { operatorBench, runMain, startGateway, stopAll, terminationSpec } from './stack';

const { values: args } = parseArgs({
  options: {
    rate: { type: 'string', default: '400' },
    duration: { type: 'string', default: '15' },
    warmup: { type: 'string', default: '3' },
    rounds: { type: 'string', default: '2' },
    connections: { type: 'string', default: '50' },
    'node-flags': { type: 'string', default: '' },
  },
});

interface Pause {
  atMs: number;
  kind: string;
  ms: number;
}

/** V8's `--trace-gc` lines: `[pid:0x…]   1234 ms: Scavenge 45.2 (60.1) -> 30.1 (60.1) MB, 2.34 / 0.00 ms …`. */
export function gcPauses(trace: string): Pause[] {
  const out: Pause[] = [];
  const line =
    /^\[\d+:0x[0-9a-f]+\]\s+(\d+) ms: ([A-Za-z-]+(?: \(reduce\))?)[^,]*, ([\d.]+) \/ [\d.]+ ms/;
  for (const l of trace.split('\n')) {
    const m = line.exec(l);
    if (m) out.push({ atMs: Number(m[1]), kind: m[2], ms: Number(m[3]) });
  }
  return out;
}

/** CPU milliseconds of each thread of `pid` (utime + stime, 10 ms ticks), by thread id. */
function threadCpuMs(pid: number): Map<string, { name: string; ms: number }> {
  const out = new Map<string, { name: string; ms: number }>();
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    try {
      const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
      const name = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      out.set(tid, {
        name: tid === String(pid) ? 'main' : name,
        ms: (Number(f[11]) + Number(f[12])) * 10,
      });
    } catch {
      // the thread ended
    }
  }
  return out;
}

/** µs of CPU per request by thread name over a window (threads of one name summed). */
function cpuByThread(
  before: Map<string, { name: string; ms: number }>,
  after: Map<string, { name: string; ms: number }>,
  requests: number,
): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [tid, a] of after) {
    const used = a.ms - (before.get(tid)?.ms ?? 0);
    out[a.name] = (out[a.name] ?? 0) + used;
  }
  for (const k of Object.keys(out)) out[k] = round((out[k] * 1000) / Math.max(1, requests), 0);
  return out;
}

async function main(): Promise<void> {
  const { dir, policyFile, issuer, jwt, sim } = await operatorBench();
  const variants = { disk: resolve(dir), tmpfs: '/dev/shm' };
  const runs: Record<string, unknown>[] = [];
  for (let i = 0; i < Number(args.rounds); i++) {
    for (const [variant, dbDir] of Object.entries(variants)) {
      const db = join(dbDir, `tail-${process.pid}-${i}-${variant}.db`);
      const trace = resolve(dir, `tail-${process.pid}-${i}-${variant}.trace`);
      const spawned = performance.now();
      const gw = await startGateway(
        sim.url,
        issuer.url,
        policyFile,
        { AUDIT_DATABASE_URL: `sqlite:${db}` },
        '.',
        {
          nodeArgs: ['--trace-gc', ...args['node-flags'].split(' ').filter(Boolean)],
          // stdout (the JSON log lines and V8's trace) to a file, read afterwards.
          launch: (cmd, a) => ['sh', ['-c', `exec "$0" "$@" > '${trace}'`, cmd, ...a]],
        },
      );
      const spec = terminationSpec(gw.url, jwt, 'rest', Number(args.connections));
      await load({ ...spec, duration: Number(args.warmup) });
      const from = performance.now() - spawned;
      // The gateway is sh's exec'd child: the same pid.
      const cpuBefore = threadCpuMs(gw.proc.pid);
      const r = await paced({ ...spec, rate: Number(args.rate), duration: Number(args.duration) });
      const cpu = cpuByThread(cpuBefore, threadCpuMs(gw.proc.pid), r.ok);
      const to = performance.now() - spawned;
      await gw.proc.stop();
      const pauses = gcPauses(readFileSync(trace, 'utf8')).filter(
        (p) => p.atMs >= from && p.atMs <= to,
      );
      for (const f of [db, `${db}-wal`, `${db}-shm`, trace]) rmSync(f, { force: true });
      const kinds: Record<
        string,
        { count: number; totalMs: number; maxMs: number; over5ms: number }
      > = {};
      for (const p of pauses) {
        const k = (kinds[p.kind] ??= { count: 0, totalMs: 0, maxMs: 0, over5ms: 0 });
        k.count++;
        k.totalMs = round(k.totalMs + p.ms);
        k.maxMs = Math.max(k.maxMs, p.ms);
        if (p.ms >= 5) k.over5ms++;
      }
      const run = {
        round: i,
        variant,
        p50: r.p50,
        p90: r.p90,
        p99: r.p99,
        ok: r.ok,
        errors: r.errors,
        gc: kinds,
      };
      runs.push(run);
      const gcText = Object.entries(kinds)
        .map(
          ([k, v]) =>
            `${k} ${v.count}× total ${v.totalMs} ms, max ${v.maxMs} ms, ≥5 ms ${v.over5ms}`,
        )
        .join('; ');
      process.stdout.write(
        `  ${variant.padEnd(5)} p50 ${r.p50} p90 ${r.p90} p99 ${r.p99} ms (${r.ok} ok, ${r.errors} errors); CPU µs/request by thread ${JSON.stringify(cpu)}; GC: ${gcText}\n`,
      );
    }
  }
  const file = join(dir, `tail-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
  writeFileSync(file, JSON.stringify({ args, runs }, null, 2));
  process.stdout.write(`written: ${file}\n`);
  await stopAll();
  await issuer.stop();
}

if (require.main === module) {
  runMain(main);
}
