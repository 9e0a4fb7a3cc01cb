/**
 * `npm run bench:list -- --seed 100000` (issue 17, target 1): a Segura with that many sessions.
 * Measures, in one run, the liveness probe's and a termination's latency (p50/p99/max) while the
 * first list is fetched, parsed, normalised and cached; the gateway's main-thread CPU per
 * filtered page (`active=true&user=admin*`, `device=10.*&protocol=ssh`, and an unfiltered page
 * for reference) once the list is cached; and the gateway's RSS (peak and with the list cached).
 * Main-thread CPU is read from /proc/<pid>/task/<pid>/stat (the main thread's own counters), so
 * the list and audit threads are not counted. Writes bench/results/large-list-<time>.json.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { LocalIssuer } from '../scripts/issuer';
import { freePort, type Proc, round, start, tsNode, waitFor } from './processes';
import { seguraToken } from './stack';

export interface LargeListSpec {
  seed: number;
  dir: string;
  issuer: LocalIssuer;
  policyFile: string;
  gatewayEnv: (simUrl: string, port: number) => Record<string, string>;
  procs: Proc[];
  /** Sequential reads per filter for the CPU measure. */
  pages: number;
  /** Node/V8 flags for the gateway (heap caps). */
  nodeArgs: string[];
}

const FILTERS = {
  'active=true&user=admin*': 'active=true&user=admin*',
  'device=10.*&protocol=ssh': 'device=10.*&protocol=ssh',
  'no filter': '',
};

function percentile(values: number[], p: number): number {
  const s = [...values].sort((a, b) => a - b);
  return s.length === 0 ? 0 : s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)];
}

const stats = (v: number[]) => ({
  samples: v.length,
  p50Ms: round(percentile(v, 50)),
  p99Ms: round(percentile(v, 99)),
  maxMs: round(Math.max(0, ...v)),
});

/** The main thread's CPU milliseconds (utime + stime, clock ticks of 10 ms). */
function mainThreadCpuMs(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/task/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

function statusMb(pid: number, field: 'VmRSS' | 'VmHWM'): number {
  const m = new RegExp(`${field}:\\s+(\\d+) kB`).exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? round(Number(m[1]) / 1024) : 0;
}

async function timed(url: string, init?: RequestInit): Promise<{ ms: number; status: number }> {
  const t = performance.now();
  const res = await fetch(url, init);
  await res.arrayBuffer();
  return { ms: performance.now() - t, status: res.status };
}

export async function largeList(spec: LargeListSpec): Promise<void> {
  const { seed, dir, issuer, procs } = spec;
  const viewer = await issuer.token({ sub: 'bench', roles: ['session-viewer'] });
  const operator = await issuer.token({ sub: 'bench-op', roles: ['session-operator'] });
  const simPort = await freePort();
  const [scmd, sargs] = tsNode(
    'simulator/main.ts',
    ...['--port', String(simPort), '--seed', String(seed)],
    ...['--client-id', 'bench-client', '--client-secret', 'bench-secret-value'],
  );
  procs.push(start(scmd, sargs));
  const simUrl = `http://127.0.0.1:${simPort}`;
  await waitFor(`${simUrl}/__sim/stats`, 120_000);
  const port = await freePort();
  // A cache that stays fresh for the whole run: a background refresh (past half the default
  // 15 s TTL) would otherwise land inside the per-page CPU measure and be counted as page cost.
  // The fill's own main-thread CPU is measured and reported separately.
  const gwProc = start(process.execPath, [...spec.nodeArgs, 'dist/main.js'], {
    ...spec.gatewayEnv(simUrl, port),
    SESSIONS_CACHE_TTL_MS: '600000',
  });
  procs.push(gwProc);
  const gw = `http://127.0.0.1:${port}`;
  await waitFor(`${gw}/health/live`);
  const rssIdle = statusMb(gwProc.pid, 'VmRSS');
  const read = { headers: { authorization: `Bearer ${viewer}` } };

  const flags = spec.nodeArgs.length > 0 ? spec.nodeArgs.join(' ') : 'none';
  process.stdout.write(
    `large list: ${seed} sessions, node flags ${flags}; first fill with probes…\n`,
  );
  const live: number[] = [];
  const terminations: number[] = [];
  const terminationStatus: Record<string, number> = {};
  let filling = true;
  const probe = async () => {
    while (filling) {
      live.push((await timed(`${gw}/health/live`)).ms);
      await new Promise((r) => setTimeout(r, 20));
    }
  };
  const terminate = async () => {
    // An unknown (well-formed) id: the whole termination path, Segura's "not found" included,
    // without changing the list being measured.
    for (let i = 0; filling; i++) {
      const id = (i.toString(16) + 'f'.repeat(40)).slice(0, 40);
      const r = await timed(`${gw}/api/v1/sessions/${id}/terminate`, {
        method: 'POST',
        headers: { authorization: `Bearer ${operator}`, 'content-type': 'application/json' },
        body: JSON.stringify({ reason: 'bench: termination during a large list' }),
      });
      terminations.push(r.ms);
      terminationStatus[r.status] = (terminationStatus[r.status] ?? 0) + 1;
      await new Promise((res) => setTimeout(res, 50));
    }
  };
  // The same drop sent straight to the simulator, beside the gateway's: what Segura's own answer
  // time is while it serialises the list (a termination through the gateway waits for it).
  const simToken = await seguraToken(simUrl);
  const direct: number[] = [];
  const dropDirect = async () => {
    for (let i = 0; filling; i++) {
      const id = (i.toString(16) + 'e'.repeat(40)).slice(0, 40);
      direct.push(
        (
          await timed(`${simUrl}/api/pam/session/drop/${id}`, {
            method: 'DELETE',
            headers: { authorization: `Bearer ${simToken}` },
          })
        ).ms,
      );
      await new Promise((res) => setTimeout(res, 50));
    }
  };
  const probes = [probe(), terminate(), dropDirect()];
  const fillCpuBefore = mainThreadCpuMs(gwProc.pid);
  const fill = await timed(`${gw}/api/v1/sessions?active=true&limit=50`, read);
  filling = false;
  // Includes the probes' and terminations' own requests (a few dozen, about 1 ms each).
  const fillMainCpuMs = mainThreadCpuMs(gwProc.pid) - fillCpuBefore;
  await Promise.all(probes);
  if (fill.status !== 200) throw new Error(`first list got HTTP ${fill.status}`);
  const rssCached = statusMb(gwProc.pid, 'VmRSS');

  const cpuPerPage: Record<string, number> = {};
  for (const [name, query] of Object.entries(FILTERS)) {
    const url = `${gw}/api/v1/sessions?${query}&limit=50`;
    for (let i = 0; i < 20; i++) await timed(url, read); // warm-up
    const before = mainThreadCpuMs(gwProc.pid);
    for (let i = 0; i < spec.pages; i++) {
      const r = await timed(url, read);
      if (r.status !== 200) throw new Error(`${name}: HTTP ${r.status}`);
    }
    cpuPerPage[name] = round((mainThreadCpuMs(gwProc.pid) - before) / spec.pages, 2);
  }
  const report = {
    time: new Date().toISOString(),
    sessions: seed,
    nodeFlags: spec.nodeArgs.join(' '),
    firstFillMs: round(fill.ms, 0),
    firstFillMainThreadCpuMs: fillMainCpuMs,
    duringFill: {
      live: stats(live),
      termination: stats(terminations),
      terminationStatus,
      dropStraightToSimulator: stats(direct),
    },
    mainThreadCpuMsPerPage: cpuPerPage,
    pagesPerFilter: spec.pages,
    rssMb: { idle: rssIdle, withListCached: rssCached, peak: statusMb(gwProc.pid, 'VmHWM') },
    targets: { p99Ms: 50, cpuMsPerFilteredPage: 5, peakRssMb: 300 },
  };
  const file = join(dir, `large-list-${report.time.replace(/[:.]/g, '-')}.json`);
  writeFileSync(file, JSON.stringify(report, null, 2));
  const d = report.duringFill;
  process.stdout.write(
    [
      `  first fill            ${report.firstFillMs} ms (main-thread CPU ${fillMainCpuMs} ms)`,
      `  /health/live in fill  p50 ${d.live.p50Ms}  p99 ${d.live.p99Ms}  max ${d.live.maxMs} ms (${d.live.samples} probes; target p99 ≤ 50)`,
      `  termination in fill   p50 ${d.termination.p50Ms}  p99 ${d.termination.p99Ms}  max ${d.termination.maxMs} ms (${d.termination.samples}; target p99 ≤ 50)`,
      `  drop straight to sim  p50 ${d.dropStraightToSimulator.p50Ms}  p99 ${d.dropStraightToSimulator.p99Ms}  max ${d.dropStraightToSimulator.maxMs} ms (${d.dropStraightToSimulator.samples}; the simulator's own answer time)`,
      ...Object.entries(cpuPerPage).map(
        ([k, v]) => `  main-thread CPU/page  ${k.padEnd(26)} ${v} ms (target ≤ 5 when filtered)`,
      ),
      `  RSS                   idle ${rssIdle} MB  list cached ${rssCached} MB  peak ${report.rssMb.peak} MB (target peak ≤ 300)`,
      `written: ${file}`,
      '',
    ].join('\n'),
  );
}
