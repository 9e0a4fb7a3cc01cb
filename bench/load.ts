/** A thin typed wrapper over autocannon (it ships no types). */
// eslint-disable-next-line @typescript-eslint/no-require-imports
const autocannon = require('autocannon') as (
  opts: Record<string, unknown>,
) => Promise<RawResult> & { on(event: 'reqError', cb: (err: Error) => void): void };

interface Stats {
  average: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
}
interface RawResult {
  requests: Stats & { total: number };
  latency: Stats;
  errors: number;
  timeouts: number;
  non2xx: number;
  duration: number;
  '2xx': number;
}

export interface LoadSpec {
  url: string;
  method: 'GET' | 'POST' | 'DELETE';
  headers?: Record<string, string>;
  body?: string;
  connections: number;
  /** Seconds; ignored when `amount` is set. */
  duration?: number;
  amount?: number;
  /** Requests per second across all connections (open-loop-ish); max throughput when absent. */
  overallRate?: number;
}

export interface LoadResult {
  rps: number;
  p50: number;
  p90: number;
  p99: number;
  requests: number;
  ok: number;
  errors: number;
  /** Client-side error messages (connection resets, timeouts) by count. */
  errorKinds?: Record<string, number>;
}

export async function load(spec: LoadSpec): Promise<LoadResult> {
  const opts: Record<string, unknown> = {
    url: spec.url,
    method: spec.method,
    headers: spec.headers,
    body: spec.body,
    connections: spec.connections,
    timeout: 10,
  };
  if (spec.amount) opts.amount = spec.amount;
  else opts.duration = spec.duration;
  if (spec.overallRate) opts.overallRate = spec.overallRate;
  const run = autocannon(opts);
  const kinds: Record<string, number> = {};
  run.on('reqError', (err: Error) => {
    const kind = (err as Error & { code?: string }).code ?? err.message;
    kinds[kind] = (kinds[kind] ?? 0) + 1;
  });
  const r = await run;
  return {
    rps: Math.round(r['2xx'] / r.duration),
    p50: r.latency.p50,
    p90: r.latency.p90,
    p99: r.latency.p99,
    requests: r.requests.total,
    ok: r['2xx'],
    // autocannon counts a timeout in both `errors` and `timeouts`.
    errors: r.errors + r.non2xx,
    ...(Object.keys(kinds).length > 0 ? { errorKinds: kinds } : {}),
  };
}
