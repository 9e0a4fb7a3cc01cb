import type { BulkRun } from './bulk';
import type { FootprintResult, FootprintRun } from './footprint';
import type { LoadResult } from './load';

export interface ScenarioResult extends LoadResult {
  name: string;
  peakRssMb?: number;
  cpuPercent?: number;
  /** The process's CPU (all threads, /proc) over the scenario, per 2xx answer. */
  cpuUsPerRequest?: number;
}

export interface Target {
  target: string;
  measured: string;
  /** null: reported, no bound to meet (the forwarder share, the bulk timings). */
  met: boolean | null;
}

export interface Report {
  time: string;
  smoke: boolean;
  machine: Record<string, unknown>;
  settings: Record<string, unknown>;
  scenarios: ScenarioResult[];
  coldStartMs: number;
  /** RSS sampled over the first and the last window of requests of one long run (MB). */
  memory: {
    first: RssWindow;
    last: RssWindow;
  };
  token: {
    ttlSeconds: number;
    durationSeconds: number;
    calls: number;
    tokenRequests: number;
    lifetimes: number;
  };
  forwarder: string;
  /** 1, 5 and 15 minute load averages when the report was written. */
  load: number[];
  footprint: FootprintResult;
  bulk: BulkRun[];
  targets: Target[];
}

export interface RssWindow {
  from: number;
  to: number;
  medianMb: number;
  minMb: number;
  maxMb: number;
  samples: number;
}

const find = (r: Report, prefix: string) => r.scenarios.find((s) => s.name.startsWith(prefix));

const pct = (a: number, b: number) => `${Math.round((a / Math.max(1, b)) * 100)}%`;
const ms = (n: number) => `${n.toFixed(1)} ms`;

/** Issue 17's targets (2-6; 1 is `npm run bench:list`'s), then the earlier ones still held. */
export function evaluateTargets(r: Report): Target[] {
  const fwd = find(r, 'plain forwarder')!;
  const rest = find(r, 'gateway REST (SQLite)')!;
  const liveness = find(r, 'gateway /health/live')!;
  const gql = find(r, 'gateway GraphQL')!;
  const paced = r.scenarios.filter((s) => s.name.includes(' @ '));
  const [floorHalf, gwHalf, floorQuarter, gwQuarter] = paced;
  const restPeak = rest.peakRssMb ?? 0;
  const { first, last } = r.memory;
  const growth = last.medianMb - first.medianMb;
  const cpuRatio = (rest.cpuUsPerRequest ?? 0) / Math.max(1, liveness.cpuUsPerRequest ?? 0);
  const addedQ99 = gwQuarter.p99 - floorQuarter.p99;
  return [
    {
      target: '1. large lists (100,000 sessions)',
      measured: 'measured by `npm run bench:list`, not here',
      met: null,
    },
    ...footprintTargets(r.footprint),
    {
      target: '3. CPU per REST termination ≤ 3.0 × per /health/live (same run)',
      measured: `${cpuRatio.toFixed(2)} (${rest.cpuUsPerRequest} vs ${liveness.cpuUsPerRequest} µs)`,
      met: cpuRatio <= 3,
    },
    {
      target: '4. added p99 ≤ 10 ms at a quarter of the maximum rate',
      measured: `${ms(addedQ99)} (p50 ${ms(gwQuarter.p50 - floorQuarter.p50)}; half rate: p99 ${ms(gwHalf.p99 - floorHalf.p99)})`,
      met: addedQ99 <= 10,
    },
    {
      target: `5. REST as a share of the plain forwarder (${r.forwarder})`,
      measured: `${pct(rest.rps, fwd.rps)} (${rest.rps} vs ${fwd.rps} req/s)`,
      met: null,
    },
    ...r.bulk.map((b) => ({
      target: `6. bulk ${b.sessions} × ${b.dropMs} ms drops, BULK_CONCURRENCY=${b.concurrency}`,
      measured: `${b.wallMs} ms, ideal ${b.idealMs} ms (${(b.wallMs / Math.max(1, b.idealMs)).toFixed(2)}×); Segura peak ${b.peakConcurrentDrops} concurrent drops, ${b.peakConcurrentCalls} calls`,
      met: null,
    })),
    {
      target: '(earlier) GraphQL ≥ 80% of REST throughput',
      measured: pct(gql.rps, rest.rps),
      met: gql.rps >= 0.8 * rest.rps,
    },
    {
      target: '(earlier) added p50 ≤ 2 ms at half max rate',
      measured: ms(gwHalf.p50 - floorHalf.p50),
      met: gwHalf.p50 - floorHalf.p50 <= 2,
    },
    {
      target: '(earlier) one token request per lifetime',
      measured: `${r.token.tokenRequests} requests / ${r.token.lifetimes} lifetimes (${r.token.calls} calls)`,
      met: r.token.tokenRequests <= r.token.lifetimes + 1,
    },
    {
      target: '(earlier) no RSS growth 10k → 100k requests',
      measured: `median ${first.medianMb} MB over requests ${first.from}-${first.to}, ${last.medianMb} MB over ${last.from}-${last.to} (${growth >= 0 ? '+' : ''}${growth.toFixed(1)})`,
      met: growth < 20,
    },
    {
      target: '(earlier) cold start to ready < 2 s',
      measured: `${r.coldStartMs} ms`,
      met: r.coldStartMs < 2000,
    },
    {
      target: '(context) peak RSS of the main REST run, default V8 flags',
      measured: `${restPeak} MB`,
      met: null,
    },
  ];
}

/** Target 2, per flag set: not killed, ≥ 90% of unconstrained, unconstrained RSS ≤ 250 MB. */
function footprintTargets(f: FootprintResult): Target[] {
  if (f.skipped || f.runs.length === 0) {
    return [
      {
        target: `2. ${f.limitMb} MiB limit at full load`,
        measured: `not measured: ${f.skipped ?? 'no runs'}`,
        met: null,
      },
    ];
  }
  const byFlags = new Map<string, FootprintRun[]>();
  for (const run of f.runs) byFlags.set(run.flags, [...(byFlags.get(run.flags) ?? []), run]);
  const out: Target[] = [];
  for (const [flags, runs] of byFlags) {
    const survived = runs.every((x) => !x.limited.killed);
    const kept = runs.every((x) => x.share >= 0.9);
    const first = runs[0];
    out.push(
      {
        target: `2. [${flags}] not killed in ${f.limitMb} MiB, ${runs.map((x) => x.connections).join(' and ')} conn.`,
        measured: runs
          .map(
            (x) =>
              `${x.connections}: ${x.limited.killed ? `killed (${x.limited.exit ?? 'oom'})` : 'alive'}, failcnt ${x.limited.failcnt}`,
          )
          .join('; '),
        met: survived,
      },
      {
        target: `2. [${flags}] ≥ 90% of unconstrained throughput`,
        measured: runs
          .map(
            (x) =>
              `${x.connections}: ${pct(x.limited.rps, x.unconstrained.rps)} (${x.limited.rps} vs ${x.unconstrained.rps})`,
          )
          .join('; '),
        met: kept,
      },
      {
        target: `2. [${flags}] unconstrained peak RSS at ${first.connections} conn. ≤ 250 MB`,
        measured: `${first.unconstrained.peakRssMb} MB (${runs.map((x) => `${x.connections} conn. ${x.unconstrained.peakRssMb}`).join(', ')})`,
        met: first.unconstrained.peakRssMb <= 250,
      },
    );
  }
  return out;
}

export function printReport(r: Report): void {
  const rows = r.scenarios.map((s) =>
    [
      s.name,
      s.rps,
      s.p50,
      s.p90,
      s.p99,
      s.errors,
      s.peakRssMb ?? '',
      s.cpuPercent ?? '',
      s.cpuUsPerRequest ?? '',
    ].map(String),
  );
  const head = [
    'scenario',
    'req/s',
    'p50 ms',
    'p90 ms',
    'p99 ms',
    'errors',
    'peak RSS MB',
    'CPU %',
    'CPU µs/req',
  ];
  const out = ['', ...table(head, rows), ''];
  out.push(`plain forwarder: ${r.forwarder}; load average ${r.load.join(' / ')}`);
  out.push(`cold start to ready: ${r.coldStartMs} ms`, '');
  const status = (t: Target) => (t.met === null ? 'reported' : t.met ? 'met' : 'not met');
  out.push(
    ...table(
      ['target', 'measured', 'status'],
      r.targets.map((t) => [t.target, t.measured, status(t)]),
    ),
  );
  process.stdout.write(out.join('\n') + '\n');
}

function table(head: string[], rows: string[][]): string[] {
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i].length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i])).join(' | ')} |`;
  return [line(head), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)];
}
