import { ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';

export interface Proc {
  child: ChildProcess;
  pid: number;
  stop(): Promise<void>;
}

/** A free loopback port. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

export function start(
  cmd: string,
  args: string[],
  env: Record<string, string> = {},
  quiet = true,
): Proc {
  const child = spawn(cmd, args, {
    env: { ...process.env, NODE_NO_WARNINGS: '1', ...env },
    stdio: ['ignore', quiet ? 'ignore' : 'inherit', 'inherit'],
  });
  return {
    child,
    pid: child.pid!,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        const t = setTimeout(() => child.kill('SIGKILL'), 10_000);
        child.once('exit', () => {
          clearTimeout(t);
          resolve();
        });
        child.kill('SIGTERM');
      }),
  };
}

export const tsNode = (file: string, ...args: string[]): [string, string[]] => [
  process.execPath,
  ['-r', 'ts-node/register/transpile-only', file, ...args],
];

/** Polls `url` until it answers 2xx; resolves the elapsed milliseconds. */
export async function waitFor(
  url: string,
  timeoutMs = 30_000,
  init?: RequestInit,
): Promise<number> {
  const started = performance.now();
  for (;;) {
    try {
      const res = await fetch(url, init);
      await res.arrayBuffer();
      if (res.ok) return performance.now() - started;
    } catch {
      // not listening yet
    }
    if (performance.now() - started > timeoutMs)
      throw new Error(`${url} not ready after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Samples a process's RSS (MB) and CPU seconds from /proc (Linux). */
export class ProcSampler {
  peakRssMb = 0;
  private timer?: NodeJS.Timeout;
  private cpuStart = 0;
  private wallStart = 0;
  private readonly ticks = 100; // USER_HZ on Linux

  constructor(private readonly pid: number) {}

  rssMb(): number {
    try {
      const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${this.pid}/status`, 'utf8'));
      return m ? Number(m[1]) / 1024 : 0;
    } catch {
      return 0;
    }
  }

  cpuSeconds(): number {
    try {
      const fields = readFileSync(`/proc/${this.pid}/stat`, 'utf8').split(') ')[1].split(' ');
      return (Number(fields[11]) + Number(fields[12])) / this.ticks;
    } catch {
      return 0;
    }
  }

  begin(): void {
    this.peakRssMb = this.rssMb();
    this.cpuStart = this.cpuSeconds();
    this.wallStart = performance.now();
    this.timer = setInterval(() => {
      this.peakRssMb = Math.max(this.peakRssMb, this.rssMb());
    }, 200);
  }

  /** CPU use over the window, as a percentage of one core, and in seconds (all threads). */
  end(): { peakRssMb: number; cpuPercent: number; cpuSeconds: number } {
    clearInterval(this.timer);
    this.peakRssMb = Math.max(this.peakRssMb, this.rssMb());
    const wall = (performance.now() - this.wallStart) / 1000;
    const cpu = this.cpuSeconds() - this.cpuStart;
    return {
      peakRssMb: round(this.peakRssMb),
      cpuPercent: round((cpu / wall) * 100),
      cpuSeconds: cpu,
    };
  }
}

/**
 * Waits until `pid` is about idle (under 10% of a core over 250 ms), at most `maxMs`: a load
 * generator that stops leaves requests in flight that the process still works through, and the
 * next phase would otherwise queue behind them.
 */
export async function settle(pid: number, maxMs = 15_000): Promise<void> {
  const sampler = new ProcSampler(pid);
  const until = performance.now() + maxMs;
  while (performance.now() < until) {
    const before = sampler.cpuSeconds();
    await new Promise((r) => setTimeout(r, 250));
    if (sampler.cpuSeconds() - before <= 0.025) return;
  }
}

export function round(n: number, digits = 1): number {
  const f = 10 ** digits;
  return Math.round(n * f) / f;
}
