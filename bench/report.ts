import type { LoadResult } from './load';

export interface ScenarioResult extends LoadResult {
  name: string;
  peakRssMb?: number;
  cpuPercent?: number;
}

export interface Target {
  target: string;
  measured: string;
  met: boolean;
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

/** The targets, as ratios measured in this run. */
export function evaluateTargets(r: Report): Target[] {
  const fwd = find(r, 'plain forwarder')!;
  const rest = find(r, 'gateway REST (SQLite)')!;
  const gql = find(r, 'gateway GraphQL')!;
  const floorPaced = find(r, 'floor @')!;
  const gwPaced = find(r, 'gateway REST @')!;
  const peak = Math.max(
    ...r.scenarios
      .map((s) => s.peakRssMb ?? 0)
      .filter((_, i) => r.scenarios[i].name.startsWith('gateway')),
  );
  const { first, last } = r.memory;
  const growth = last.medianMb - first.medianMb;
  const pct = (a: number, b: number) => `${Math.round((a / Math.max(1, b)) * 100)}%`;
  return [
    {
      target: 'REST ≥ 40% of plain forwarder throughput',
      measured: pct(rest.rps, fwd.rps),
      met: rest.rps >= 0.4 * fwd.rps,
    },
    {
      target: 'GraphQL ≥ 80% of REST throughput',
      measured: pct(gql.rps, rest.rps),
      met: gql.rps >= 0.8 * rest.rps,
    },
    {
      target: 'added p50 ≤ 2 ms at half max rate',
      measured: `${(gwPaced.p50 - floorPaced.p50).toFixed(1)} ms`,
      met: gwPaced.p50 - floorPaced.p50 <= 2,
    },
    {
      target: 'added p99 ≤ 10 ms at half max rate',
      measured: `${(gwPaced.p99 - floorPaced.p99).toFixed(1)} ms`,
      met: gwPaced.p99 - floorPaced.p99 <= 10,
    },
    {
      target: 'one token request per lifetime',
      measured: `${r.token.tokenRequests} requests / ${r.token.lifetimes} lifetimes (${r.token.calls} calls)`,
      met: r.token.tokenRequests <= r.token.lifetimes + 1,
    },
    { target: 'peak RSS < 200 MB', measured: `${peak} MB`, met: peak < 200 },
    {
      target: 'no RSS growth 10k → 100k requests',
      measured: `median ${first.medianMb} MB over requests ${first.from}-${first.to}, ${last.medianMb} MB over ${last.from}-${last.to} (${growth >= 0 ? '+' : ''}${growth.toFixed(1)})`,
      met: growth < 20,
    },
    {
      target: 'cold start to ready < 2 s',
      measured: `${r.coldStartMs} ms`,
      met: r.coldStartMs < 2000,
    },
  ];
}

export function printReport(r: Report): void {
  const rows = r.scenarios.map((s) =>
    [s.name, s.rps, s.p50, s.p90, s.p99, s.errors, s.peakRssMb ?? '', s.cpuPercent ?? ''].map(
      String,
    ),
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
  ];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i].length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i])).join(' | ')} |`;
  const out = ['', line(head), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line), ''];
  out.push(`cold start to ready: ${r.coldStartMs} ms`, '');
  for (const t of r.targets) out.push(`${t.met ? 'MET ' : 'MISS'}  ${t.target}: ${t.measured}`);
  process.stdout.write(out.join('\n') + '\n');
}
