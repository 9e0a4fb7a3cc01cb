/**
 * `ts-node -T bench/profile.ts`: a CPU profile of one gateway (this checkout's `dist/`, built
 * beforehand) under closed-loop load, attributed the way docs/performance.md reports it. The
 * gateway runs with `--cpu-prof`; after the load it is stopped and its main thread's profile is
 * read. Each sample goes to the innermost frame on its stack that is a package under
 * node_modules or one of the gateway's own files under dist/ (else "node internals", or V8's
 * own "(garbage collector)" / "(program)"); idle samples are left out. Prints the shares of the
 * busy time, and the functions with the most self time. Options: --route (terminate | live |
 * graphql), --duration, --connections, --rate (open loop at that many requests per second instead
 * of closed loop), --top, --keep (leave the .cpuprofile in bench/results).
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
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
    route: { type: 'string', default: 'terminate' },
    duration: { type: 'string', default: '10' },
    warmup: { type: 'string', default: '3' },
    connections: { type: 'string', default: '50' },
    top: { type: 'string', default: '25' },
    rate: { type: 'string' },
    keep: { type: 'boolean', default: false },
  },
});

interface Frame {
  functionName: string;
  url: string;
  lineNumber: number;
}
interface ProfileNode {
  id: number;
  callFrame: Frame;
  children?: number[];
}
interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

/** The package a script belongs to (`@scope/name` or `name`), or the gateway's own file. */
function owner(url: string): string | undefined {
  const nm = url.lastIndexOf('node_modules/');
  if (nm >= 0) {
    const parts = url.slice(nm + 'node_modules/'.length).split('/');
    return parts[0].startsWith('@') ? `${parts[0]}/${parts[1]}` : parts[0];
  }
  const dist = url.indexOf('/dist/');
  if (dist >= 0) return `gateway: ${url.slice(dist + '/dist/'.length)}`;
  return undefined;
}

/** `skipMs`: samples in the profile's first milliseconds (start-up and warm-up) are left out. */
export function attribute(
  profile: CpuProfile,
  skipMs = 0,
): {
  busyMs: number;
  owners: [string, number][];
  functions: [string, number][];
} {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const ownerOf = new Map<number, string>();
  const resolveOwner = (id: number): string => {
    const known = ownerOf.get(id);
    if (known !== undefined) return known;
    const frame = byId.get(id)!.callFrame;
    let found = owner(frame.url);
    if (found === undefined) {
      const up = parent.get(id);
      const special = frame.functionName.startsWith('(') ? frame.functionName : undefined;
      found = special ?? (up === undefined ? 'node internals' : resolveOwner(up));
      if (found === '(root)') found = 'node internals';
    }
    ownerOf.set(id, found);
    return found;
  };
  const owners = new Map<string, number>();
  const functions = new Map<string, number>();
  let busy = 0;
  let elapsed = 0;
  profile.samples.forEach((id, i) => {
    const us = profile.timeDeltas[i] ?? 0;
    elapsed += us;
    if (elapsed < skipMs * 1000) return;
    const frame = byId.get(id)!.callFrame;
    if (frame.functionName === '(idle)') return;
    busy += us;
    const o = resolveOwner(id);
    owners.set(o, (owners.get(o) ?? 0) + us);
    const where = frame.url
      ? `${frame.url.replace(/^.*\/(node_modules|dist)\//, '')}:${frame.lineNumber + 1}`
      : '';
    const fn = `${frame.functionName || '(anonymous)'} ${where}`.trim();
    functions.set(fn, (functions.get(fn) ?? 0) + us);
  });
  const sorted = (m: Map<string, number>) => [...m].sort((a, b) => b[1] - a[1]);
  return { busyMs: busy / 1000, owners: sorted(owners), functions: sorted(functions) };
}

async function main(): Promise<void> {
  const { dir, policyFile, issuer, jwt, sim } = await operatorBench();
  const profDir = mkdtempSync(join(tmpdir(), 'pam-gateway-prof-'));
  const db = resolve(dir, `profile-${process.pid}.db`);
  const spawned = performance.now();
  const gw = await startGateway(
    sim.url,
    issuer.url,
    policyFile,
    { AUDIT_DATABASE_URL: `sqlite:${db}` },
    '.',
    {
      nodeArgs: ['--cpu-prof', `--cpu-prof-dir=${profDir}`, '--cpu-prof-interval=250'],
    },
  );
  const connections = Number(args.connections);
  const specs = {
    terminate: terminationSpec(gw.url, jwt, 'rest', connections),
    live: { url: `${gw.url}/health/live`, method: 'GET' as const, connections },
    graphql: terminationSpec(gw.url, jwt, 'graphql', connections),
  };
  const spec = specs[args.route as keyof typeof specs];
  if (!spec) throw new Error(`--route must be one of ${Object.keys(specs).join(', ')}`);
  const {
    result: r,
    cpuSeconds: cpu,
    startedAt,
  } = await warmThenMeasure(spec, gw.proc.pid, {
    warmup: Number(args.warmup),
    duration: Number(args.duration),
    rate: args.rate === undefined ? undefined : Number(args.rate),
  });
  // The profile starts with the process: start-up and warm-up are left out of the attribution.
  const measuredFrom = startedAt - spawned;
  // One SIGTERM (stop() sends it): the profile is written at exit, and a second SIGTERM during
  // the graceful shutdown ends the process by the signal's default action, with no profile.
  await gw.proc.stop();
  for (const f of [db, `${db}-wal`, `${db}-shm`]) rmSync(f, { force: true });
  // Each thread writes its own profile; the main thread's is the one with the most samples.
  const files = readdirSync(profDir).filter((f) => f.endsWith('.cpuprofile'));
  const profiles = files.map((f) => ({
    f,
    p: JSON.parse(readFileSync(join(profDir, f), 'utf8')) as CpuProfile,
  }));
  const main = profiles.sort((a, b) => b.p.samples.length - a.p.samples.length)[0];
  if (!main) throw new Error('the gateway wrote no CPU profile');
  const { busyMs, owners, functions } = attribute(main.p, measuredFrom);
  const top = Number(args.top);
  const line = (name: string, us: number) =>
    `  ${(((us / 1000) * 100) / busyMs).toFixed(1).padStart(5)}%  ${name}\n`;
  process.stdout.write(
    `${args.route}: ${r.rps} req/s, ${r.ok} ok, ${r.errors} errors, ` +
      `${round((cpu * 1e6) / Math.max(1, r.ok), 0)} µs CPU per request (all threads); ` +
      `main thread busy ${round(busyMs, 0)} ms during the measured load\nby owner:\n`,
  );
  for (const [o, us] of owners.slice(0, top)) process.stdout.write(line(o, us));
  process.stdout.write('by function (self time):\n');
  for (const [f, us] of functions.slice(0, top)) process.stdout.write(line(f, us));
  if (args.keep)
    writeFileSync(
      join(dir, `profile-${args.route}-${Date.now()}.cpuprofile`),
      JSON.stringify(main.p),
    );
  rmSync(profDir, { recursive: true, force: true });
  await stopAll();
  await issuer.stop();
}

if (require.main === module) {
  runMain(main);
}
