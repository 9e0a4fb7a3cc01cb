import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
} from 'node:fs';
import { join, relative } from 'node:path';

/**
 * The production build for tests that need a real gateway process (two replicas, kill -9,
 * SIGTERM, NODE_ENV=production). `.ci/run` builds before `npm test`, so dist/ is used when it
 * is newer than every source file. Otherwise (a developer editing src/) the sources are
 * compiled once with tsc into node_modules/.cache/pam-gateway-e2e/<hash of the sources>/:
 * inside the repository so the build resolves node_modules, keyed by content so a stale build
 * is never reused, written to a temporary name and renamed so parallel jest workers never see
 * half a build. nest-cli.json adds no plugins or assets, so tsc gives what `nest build` gives.
 */
const ROOT = join(__dirname, '..', '..');
const SRC = join(ROOT, 'src');
const DIST = join(ROOT, 'dist');
const CACHE = join(ROOT, 'node_modules', '.cache', 'pam-gateway-e2e');

export interface ProductionBuild {
  /** Directory holding main.js and audit/verify.cli.js. */
  dir: string;
  main: string;
  verifyCli: string;
}

let memo: ProductionBuild | undefined;

export function productionBuild(): ProductionBuild {
  memo ??= locate();
  return memo;
}

function locate(): ProductionBuild {
  const sources = sourceFiles(SRC);
  const newest = Math.max(...sources.map((f) => statSync(f).mtimeMs));
  const distMain = join(DIST, 'main.js');
  if (existsSync(distMain) && statSync(distMain).mtimeMs >= newest) return at(DIST);

  const hash = createHash('sha256');
  for (const f of [...sources, join(ROOT, 'tsconfig.json'), join(ROOT, 'tsconfig.build.json')]) {
    hash.update(relative(ROOT, f)).update('\0').update(readFileSync(f)).update('\0');
  }
  const dir = join(CACHE, hash.digest('hex').slice(0, 16));
  if (existsSync(join(dir, 'main.js'))) return at(dir);

  mkdirSync(CACHE, { recursive: true });
  const tmp = `${dir}.tmp-${process.pid}`;
  rmSync(tmp, { recursive: true, force: true });
  const tsc = require.resolve('typescript/bin/tsc');
  const run = spawnSync(process.execPath, [tsc, '-p', 'tsconfig.build.json', '--outDir', tmp], {
    cwd: ROOT,
    encoding: 'utf8',
    timeout: 180_000,
  });
  // Type errors still emit JavaScript; they are `npm run typecheck`'s to report, not ours.
  if (!existsSync(join(tmp, 'main.js'))) {
    throw new Error(`building the gateway failed:\n${run.stdout}\n${run.stderr}`);
  }
  try {
    renameSync(tmp, dir);
  } catch {
    // Another worker finished the same build first: use theirs.
    rmSync(tmp, { recursive: true, force: true });
  }
  pruneOlderBuilds(dir);
  return at(dir);
}

/** Builds of earlier source states are dead weight; one a worker may still run is kept a while. */
function pruneOlderBuilds(keep: string): void {
  const cutoff = Date.now() - 10 * 60_000;
  for (const name of readdirSync(CACHE)) {
    const path = join(CACHE, name);
    if (path !== keep && statSync(path).mtimeMs < cutoff) {
      rmSync(path, { recursive: true, force: true });
    }
  }
}

function at(dir: string): ProductionBuild {
  return { dir, main: join(dir, 'main.js'), verifyCli: join(dir, 'audit', 'verify.cli.js') };
}

function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...sourceFiles(path));
    // .js: the writer thread's program (src/audit/sqlite-append-worker.js), emitted as is.
    else if (/\.(ts|js)$/.test(entry.name) && !entry.name.endsWith('.spec.ts')) out.push(path);
  }
  return out.sort();
}
