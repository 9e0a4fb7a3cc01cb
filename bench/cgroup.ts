/**
 * A cgroup v1 memory group for one process (the gateway under test), Linux only, as root.
 * The process enters it from its start (`launch`: a shell that writes its own pid into the
 * group, then execs the command), so everything it allocates is charged to the group: this
 * kernel cannot move existing charges with a process (memory.move_charge_at_immigrate is
 * refused). Only that process is moved, never the bench itself. `release` moves whatever is
 * still inside back to the group the bench is in and removes the group; safe to call twice.
 */
import { existsSync, mkdirSync, readFileSync, rmdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const ROOT = '/sys/fs/cgroup/memory';

/** Why the memory controller cannot be used here, or undefined when it can. */
export function cgroupUnavailable(): string | undefined {
  if (process.platform !== 'linux') return 'not Linux';
  if (process.getuid?.() !== 0) return 'not root (moving a process into a cgroup needs root)';
  if (!existsSync(join(ROOT, 'memory.limit_in_bytes')))
    return `no cgroup v1 memory controller at ${ROOT}`;
  return undefined;
}

export interface CgroupState {
  /** Times the usage hit the limit (the kernel reclaimed or, failing that, killed). */
  failcnt: number;
  /** Processes the OOM killer ended in this group (kernels that report it). */
  oomKills: number;
  maxUsageMb: number;
}

export class MemoryCgroup {
  private readonly dir: string;
  private removed = false;

  constructor(name: string, limitBytes: number) {
    this.dir = join(ROOT, name);
    mkdirSync(this.dir);
    try {
      this.write('memory.limit_in_bytes', String(limitBytes));
      // With swap, memory+swap is limited too, so the limit cannot be met by swapping out.
      if (existsSync(join(this.dir, 'memory.memsw.limit_in_bytes')))
        this.write('memory.memsw.limit_in_bytes', String(limitBytes));
    } catch (err) {
      this.release();
      throw err;
    }
  }

  /** `cmd args` started inside the group: [command, arguments] to spawn instead. */
  launch(cmd: string, args: string[]): [string, string[]] {
    const script = 'echo $$ > "$1" || exit 97; shift; exec "$@"';
    return ['/bin/sh', ['-c', script, 'sh', join(this.dir, 'cgroup.procs'), cmd, ...args]];
  }

  state(): CgroupState {
    const oom = this.read('memory.oom_control');
    return {
      failcnt: Number(this.read('memory.failcnt').trim()),
      oomKills: Number(/oom_kill (\d+)/.exec(oom)?.[1] ?? 0),
      maxUsageMb: Math.round(Number(this.read('memory.max_usage_in_bytes').trim()) / 2 ** 20),
    };
  }

  /** Every process still inside goes back to where it came from; then the group is removed. */
  release(): void {
    if (this.removed) return;
    const left = this.read('cgroup.procs')
      .split('\n')
      .filter((l) => l.trim() !== '')
      .map(Number);
    const line = readFileSync('/proc/self/cgroup', 'utf8')
      .split('\n')
      .find((l) => /^\d+:([^:]*,)?memory(,[^:]*)?:/.test(l));
    const back = join(ROOT, line ? line.slice(line.lastIndexOf(':') + 1) : '/');
    for (const pid of left) {
      try {
        writeFileSync(join(back, 'cgroup.procs'), String(pid));
      } catch {
        writeFileSync(join(ROOT, 'cgroup.procs'), String(pid)); // its group is gone
      }
    }
    // A process that just exited can keep the group busy for a moment.
    for (let attempt = 0; ; attempt++) {
      try {
        rmdirSync(this.dir);
        break;
      } catch (err) {
        if (attempt >= 50 || (err as NodeJS.ErrnoException).code !== 'EBUSY') throw err;
        Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 100);
      }
    }
    this.removed = true;
  }

  private write(file: string, value: string): void {
    writeFileSync(join(this.dir, file), value);
  }

  private read(file: string): string {
    try {
      return readFileSync(join(this.dir, file), 'utf8');
    } catch {
      return '';
    }
  }
}
