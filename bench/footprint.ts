/**
 * Footprint: the gateway at full load inside a cgroup v1 memory limit (256 MiB by default),
 * against the same build with the same node flags and no limit, one gateway at a time. Per flag
 * set and connection count: throughput, p99, errors, peak RSS, and for the limited one whether it
 * was killed (exit signal, the group's OOM kills) and how often it hit the limit (failcnt).
 */
import { cgroupUnavailable, MemoryCgroup, type CgroupState } from './cgroup';
import { load, type LoadSpec } from './load';
import { ProcSampler, round } from './processes';
import type { Gateway } from './stack';

export interface FootprintSide {
  rps: number;
  p99: number;
  errors: number;
  peakRssMb: number;
}

export interface FootprintRun {
  flags: string;
  connections: number;
  unconstrained: FootprintSide;
  limited: FootprintSide & CgroupState & { killed: boolean; exit?: string };
  /** limited.rps / unconstrained.rps */
  share: number;
}

export interface FootprintResult {
  limitMb: number;
  skipped?: string;
  runs: FootprintRun[];
}

export interface FootprintOptions {
  flagSets: string[];
  connections: number[];
  warmup: number;
  duration: number;
  limitMb: number;
  startGateway(
    nodeArgs: string[],
    launch?: (cmd: string, args: string[]) => [string, string[]],
  ): Promise<Gateway>;
  spec(gw: Gateway): Omit<LoadSpec, 'connections'>;
}

const exited = (gw: Gateway): string | undefined => {
  const { exitCode, signalCode } = gw.proc.child;
  if (signalCode !== null) return `signal ${signalCode}`;
  return exitCode !== null ? `exit ${exitCode}` : undefined;
};

async function side(gw: Gateway, o: FootprintOptions, connections: number): Promise<FootprintSide> {
  await load({ ...o.spec(gw), connections, duration: o.warmup });
  const sampler = new ProcSampler(gw.proc.pid);
  sampler.begin();
  const r = await load({ ...o.spec(gw), connections, duration: o.duration });
  const { peakRssMb } = sampler.end();
  return { rps: r.rps, p99: r.p99, errors: r.errors, peakRssMb };
}

export async function footprint(o: FootprintOptions): Promise<FootprintResult> {
  const skipped = cgroupUnavailable();
  const result: FootprintResult = { limitMb: o.limitMb, runs: [], skipped };
  if (skipped) {
    process.stdout.write(`  footprint: skipped (${skipped})\n`);
    return result;
  }
  for (const flags of o.flagSets) {
    const nodeArgs = flags.split(/\s+/).filter((f) => f !== '');
    const free: FootprintSide[] = [];
    const gwFree = await o.startGateway(nodeArgs);
    try {
      for (const c of o.connections) free.push(await side(gwFree, o, c));
    } finally {
      await gwFree.proc.stop();
    }

    const group = new MemoryCgroup(`pam-gateway-bench-${process.pid}`, o.limitMb * 2 ** 20);
    let gw: Gateway | undefined;
    try {
      gw = await o.startGateway(nodeArgs, (cmd, args) => group.launch(cmd, args));
      for (const [i, c] of o.connections.entries()) {
        const before = exited(gw);
        const g = gw;
        const limited = before
          ? { rps: 0, p99: 0, errors: 0, peakRssMb: 0 }
          : await side(g, o, c).catch(() => ({ rps: 0, p99: 0, errors: 1, peakRssMb: 0 }));
        await new Promise((r) => setTimeout(r, 200)); // let an exit be noticed
        const exit = exited(gw);
        const state = group.state();
        const run: FootprintRun = {
          flags: flags || '(none)',
          connections: c,
          unconstrained: free[i],
          limited: { ...limited, ...state, killed: exit !== undefined || state.oomKills > 0, exit },
          share: round(limited.rps / Math.max(1, free[i].rps), 2),
        };
        result.runs.push(run);
        process.stdout.write(
          `  ${`footprint ${run.flags}, ${c} conn.`.padEnd(60)} free ${free[i].rps} req/s ${free[i].peakRssMb} MB, ` +
            `in ${o.limitMb} MiB ${limited.rps} req/s (${Math.round(run.share * 100)}%)` +
            `${run.limited.killed ? ` KILLED (${exit ?? 'oom'})` : ''}, failcnt ${state.failcnt}\n`,
        );
      }
    } finally {
      group.release();
      await gw?.proc.stop();
    }
  }
  return result;
}
