import { type ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import {
  type CallOptions,
  type HttpAnswer,
  httpCall,
  SIM_CLIENT_ID,
  SIM_CLIENT_SECRET,
} from './gateway';
import { productionBuild } from './production-build';

/**
 * The gateway as production runs it: `node main.js` of the production build in its own
 * process, configured only by environment variables. For tests that need a real process
 * (replicas, kill -9, SIGTERM, NODE_ENV=production); everything else uses the in-process
 * harness (gateway.ts), which starts faster.
 */
export interface GatewayProcess {
  url: string;
  pid: number;
  /**
   * stdout lines (JSON logs) and stderr lines, in arrival order. The gateway may buffer stdout
   * (logger.options.ts): read them after a clean exit, not to learn when something happened.
   */
  lines: string[];
  request(method: string, path: string, opts?: CallOptions): Promise<HttpAnswer>;
  graphql(query: string, variables?: Record<string, unknown>, token?: string): Promise<HttpAnswer>;
  signal(sig: NodeJS.Signals): void;
  exited: Promise<Exit>;
  /** SIGKILL unless it already exited; resolves once it has. */
  kill(): Promise<Exit>;
}

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

const running = new Set<ChildProcess>();

/** Settings every spawned gateway needs; tests add or override the rest. */
export function baseEnv(o: {
  simulatorUrl: string;
  issuerUrl: string;
  policyFile: string;
  auditUrl: string;
}): Record<string, string> {
  return {
    NODE_ENV: 'test',
    HOST: '127.0.0.1',
    PORT: '0',
    PAM_CORE_URL: o.simulatorUrl,
    PAM_CORE_CLIENT_ID: SIM_CLIENT_ID,
    PAM_CORE_CLIENT_SECRET: SIM_CLIENT_SECRET,
    AUTH_ISSUER: o.issuerUrl,
    AUTH_AUDIENCE: 'pam-gateway',
    RBAC_POLICY_FILE: o.policyFile,
    AUDIT_DATABASE_URL: o.auditUrl,
    RATE_LIMIT_TERMINATIONS_PER_MINUTE: '0',
    RATE_LIMIT_IP_PER_MINUTE: '0',
    RATE_LIMIT_READS_PER_MINUTE: '0',
    LOG_LEVEL: 'info',
  };
}

/** Only PATH is inherited: a developer's own REDIS_URL or AUDIT_* must not leak into a test. */
function childEnv(env: Record<string, string>): NodeJS.ProcessEnv {
  return { PATH: process.env.PATH ?? '/usr/bin:/bin', ...env };
}

function launch(script: string, env: Record<string, string>): ChildProcess {
  const child = spawn(process.execPath, [script], {
    env: childEnv(env),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  running.add(child);
  child.once('exit', () => running.delete(child));
  return child;
}

/** Starts a gateway process and resolves once it listens (rejects if it exits first). */
export async function spawnGateway(
  env: Record<string, string>,
  startTimeoutMs = 30_000,
): Promise<GatewayProcess> {
  // A port chosen here (not PORT=0): liveness is polled, whatever the log level hides or buffers.
  const port = env.PORT && env.PORT !== '0' ? env.PORT : String(await unusedPort());
  const url = `http://127.0.0.1:${port}`;
  const child = launch(productionBuild().main, { ...env, HOST: '127.0.0.1', PORT: port });
  const lines: string[] = [];
  splitLines(child, (line) => lines.push(line));
  const exited = new Promise<Exit>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );

  await waitUntilLive(url, child, lines, startTimeoutMs);

  return {
    url,
    pid: child.pid!,
    lines,
    request: (method, path, opts) => httpCall(url, method, path, opts),
    graphql: (query, variables, token) =>
      httpCall(url, 'POST', '/graphql', { token, body: { query, variables } }),
    signal: (sig) => void child.kill(sig),
    exited,
    kill: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      return exited;
    },
  };
}

/** Polls /health/live (bounded); fails as soon as the process exits. */
async function waitUntilLive(
  url: string,
  child: ChildProcess,
  lines: string[],
  timeoutMs: number,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) {
      const how = child.exitCode ?? child.signalCode;
      throw new Error(`gateway exited (${how}) before listening:\n${lines.join('\n')}`);
    }
    try {
      if ((await fetch(`${url}/health/live`)).status === 200) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`gateway not live within ${timeoutMs} ms:\n${lines.join('\n')}`);
}

/** Runs a script of the production build to its end (start failures, the verify CLI). */
export async function runToExit(
  script: 'main' | 'verifyCli',
  env: Record<string, string>,
  timeoutMs = 30_000,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = launch(productionBuild()[script], env);
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (c: Buffer) => (stdout += c.toString('utf8')));
  child.stderr!.on('data', (c: Buffer) => (stderr += c.toString('utf8')));
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  clearTimeout(timer);
  return { code, stdout, stderr };
}

/** Kills whatever a test left running (afterAll safety net). */
export async function killAllGateways(): Promise<void> {
  await Promise.all(
    [...running].map(
      (c) =>
        new Promise<void>((resolve) => {
          if (c.exitCode !== null || c.signalCode !== null) return resolve();
          c.once('exit', () => resolve());
          c.kill('SIGKILL');
        }),
    ),
  );
}

/** A loopback port with nothing listening on it (bound, read, released). */
export async function unusedPort(): Promise<number> {
  for (let attempt = 0; attempt < 20; attempt++) {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as { port: number }).port;
    await new Promise<void>((resolve) => server.close(() => resolve()));
    // Never hand out the same port twice (replicas started together must not collide).
    if (!handedOut.has(port)) {
      handedOut.add(port);
      return port;
    }
  }
  throw new Error('no unused port found');
}

const handedOut = new Set<number>();

function splitLines(child: ChildProcess, onLine: (line: string) => void): void {
  for (const stream of [child.stdout!, child.stderr!]) {
    let rest = '';
    stream.on('data', (chunk: Buffer) => {
      const parts = (rest + chunk.toString('utf8')).split('\n');
      rest = parts.pop() ?? '';
      for (const p of parts) if (p.trim() !== '') onLine(p);
    });
    stream.on('end', () => {
      if (rest.trim() !== '') onLine(rest);
    });
  }
}

/** Polls `condition` every 20 ms; fails after `timeoutMs` instead of waiting forever. */
export async function until(condition: () => boolean, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 20));
  }
}
