/**
 * Footprint: the gateway at full load inside a cgroup v1 memory limit (256 MiB by default),
 * against the same build with the same node flags and no limit, measured one at a time in
 * alternation (`rounds` phases each). Per flag
 * set and connection count: throughput, p99, errors, peak RSS, and for the limited one whether it
 * was killed (exit signal, the group's OOM kills) and how often it hit the limit (failcnt).
 */
import { cgroupUnavailable, MemoryCgroup, type CgroupState } from './cgroup';
import { load, type LoadSpec } from './load';
import { ProcSampler, round, settle } from './processes';
import type { Gateway } from './stack';

export interface FootprintSide {
  rps: number;
  p99: number;
  errors: number;
  peakRssMb: number;
  errorKinds?: Record<string, number>;
}

export interface FootprintRun {
  flags: string;
  connections: number;
  /** Measured phases per side, alternating unconstrained and limited. */
  rounds: number;
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
  rounds: number;
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

async function side(
  gw: Gateway,
  o: FootprintOptions,
  connections: number,
  warm: boolean,
): Promise<FootprintSide> {
  await settle(gw.proc.pid);
  if (warm) await load({ ...o.spec(gw), connections, duration: o.warmup });
  await settle(gw.proc.pid);
  const sampler = new ProcSampler(gw.proc.pid);
  sampler.begin();
  const r = await load({ ...o.spec(gw), connections, duration: o.duration });
  const { peakRssMb } = sampler.end();
  return { rps: r.rps, p99: r.p99, errors: r.errors, peakRssMb, errorKinds: r.errorKinds };
}

/** Sides measured in alternation (A B A B …): throughput averaged, p99 and peak RSS the worst. */
function combine(sides: FootprintSide[]): FootprintSide {
  const n = Math.max(1, sides.length);
  return {
    rps: Math.round(sides.reduce((t, x) => t + x.rps, 0) / n),
    p99: Math.max(0, ...sides.map((x) => x.p99)),
    errors: sides.reduce((t, x) => t + x.errors, 0),
    peakRssMb: Math.max(0, ...sides.map((x) => x.peakRssMb)),
    errorKinds: sides.reduce<Record<string, number> | undefined>((all, x) => {
      for (const [k, v] of Object.entries(x.errorKinds ?? {})) (all ??= {})[k] = (all[k] ?? 0) + v;
      return all;
    }, undefined),
  };
}

const DEAD: FootprintSide = { rps: 0, p99: 0, errors: 0, peakRssMb: 0 };

export async function footprint(o: FootprintOptions): Promise<FootprintResult> {
  const skipped = cgroupUnavailable();
  const result: FootprintResult = { limitMb: o.limitMb, runs: [], skipped };
  if (skipped) {
    process.stdout.write(`  footprint: skipped (${skipped})\n`);
    return result;
  }
  for (const flags of o.flagSets) {
    const nodeArgs = flags.split(/\s+/).filter((f) => f !== '');
    // Both gateways run for the whole flag set, measured one at a time and in alternation, so
    // that the machine's drift (other work on the same cores) falls on both alike.
    const group = new MemoryCgroup(`pam-gateway-bench-${process.pid}`, o.limitMb * 2 ** 20);
    let free: Gateway | undefined;
    let gw: Gateway | undefined;
    try {
      free = await o.startGateway(nodeArgs);
      gw = await o.startGateway(nodeArgs, (cmd, args) => group.launch(cmd, args));
      for (const c of o.connections) {
        const freeSides: FootprintSide[] = [];
        const limitedSides: FootprintSide[] = [];
        for (let r = 0; r < o.rounds; r++) {
          freeSides.push(await side(free, o, c, r === 0));
          const g = gw;
          limitedSides.push(
            exited(g)
              ? DEAD
              : await side(g, o, c, r === 0).catch((err: unknown) => ({
                  ...DEAD,
                  errors: 1,
                  errorKinds: { [String(err)]: 1 },
                })),
          );
        }
        await new Promise((r) => setTimeout(r, 200)); // let an exit be noticed
        const exit = exited(gw);
        const state = group.state();
        const unconstrained = combine(freeSides);
        const limited = combine(limitedSides);
        const run: FootprintRun = {
          flags: flags || '(none)',
          connections: c,
          rounds: o.rounds,
          unconstrained,
          limited: { ...limited, ...state, killed: exit !== undefined || state.oomKills > 0, exit },
          share: round(limited.rps / Math.max(1, unconstrained.rps), 2),
        };
        result.runs.push(run);
        process.stdout.write(
          `  ${`footprint ${run.flags}, ${c} conn.`.padEnd(60)} free ${unconstrained.rps} req/s ${unconstrained.peakRssMb} MB, ` +
            `in ${o.limitMb} MiB ${limited.rps} req/s (${Math.round(run.share * 100)}%)` +
            `${run.limited.killed ? ` KILLED (${exit ?? 'oom'})` : ''}, failcnt ${state.failcnt}` +
            `${limited.errors > 0 ? `, errors ${JSON.stringify(limited.errorKinds ?? limited.errors)}` : ''}\n`,
        );
      }
    } finally {
      // Stopped first, so normally the group is empty and nothing is moved anywhere; release
      // still moves back whatever is left (a failed run) before removing the group.
      await Promise.all([free?.proc.stop(), gw?.proc.stop()]);
      group.release();
    }
  }
  return result;
}
