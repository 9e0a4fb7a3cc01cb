/** The processes of a bench run on loopback: simulator, gateways, and what they share. */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { type LocalIssuer, startIssuer } from '../scripts/issuer';
import { load, type LoadResult, type LoadSpec } from './load';
import { paced } from './paced';
import { freePort, Proc, ProcSampler, round, start, tsNode, waitFor } from './processes';

export const CLIENT = { id: 'bench-client', secret: 'bench-secret-value' };

/** Every process started here, stopped by stopAll. */
export const procs: Proc[] = [];
export async function stopAll(): Promise<void> {
  await Promise.all(procs.splice(0).map((p) => p.stop()));
}

export async function startSimulator(tokenTtl?: number): Promise<{ url: string; port: number }> {
  const port = await freePort();
  const extra = tokenTtl ? ['--token-ttl', String(tokenTtl)] : [];
  const [cmd, a] = tsNode(
    'simulator/main.ts',
    '--port',
    String(port),
    '--bench',
    '--client-id',
    CLIENT.id,
    '--client-secret',
    CLIENT.secret,
    ...extra,
  );
  procs.push(start(cmd, a));
  const url = `http://127.0.0.1:${port}`;
  await waitFor(`${url}/__sim/stats`);
  return { url, port };
}

export async function simStats(url: string): Promise<{ tokenRequests: number; dropCount: number }> {
  return (await (await fetch(`${url}/__sim/stats`)).json()) as {
    tokenRequests: number;
    dropCount: number;
  };
}

export async function seguraToken(simUrl: string): Promise<string> {
  const res = await fetch(`${simUrl}/iso/oauth2/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'client_credentials',
      client_id: CLIENT.id,
      client_secret: CLIENT.secret,
    }),
  });
  return ((await res.json()) as { access_token: string }).access_token;
}

export interface Gateway {
  url: string;
  proc: Proc;
  coldStartMs: number;
}

/**
 * A gateway from a build's `dist/` (this checkout's unless `root` names another). `nodeArgs`
 * (e.g. V8 heap flags) go to node before the script; `launch` rewrites the command (the
 * footprint scenario starts the gateway inside a cgroup with it).
 */
export async function startGateway(
  simUrl: string,
  issuerUrl: string,
  policyFile: string,
  env: Record<string, string>,
  root = '.',
  opts: { nodeArgs?: string[]; launch?: (cmd: string, args: string[]) => [string, string[]] } = {},
): Promise<Gateway> {
  const port = await freePort();
  const started = performance.now();
  const node: [string, string[]] = [
    process.execPath,
    [...(opts.nodeArgs ?? []), join(root, 'dist', 'main.js')],
  ];
  const [cmd, args] = opts.launch ? opts.launch(...node) : node;
  const proc = start(cmd, args, {
    NODE_ENV: 'production',
    PORT: String(port),
    HOST: '127.0.0.1',
    PAM_CORE_URL: simUrl,
    PAM_CORE_CLIENT_ID: CLIENT.id,
    PAM_CORE_CLIENT_SECRET: CLIENT.secret,
    PAM_CORE_MAX_CONCURRENCY: '256',
    AUTH_ISSUER: issuerUrl,
    AUTH_AUDIENCE: 'pam-gateway',
    AUTH_ROLES_CLAIM: 'realm_access.roles',
    RBAC_POLICY_FILE: policyFile,
    RATE_LIMIT_TERMINATIONS_PER_MINUTE: '0',
    RATE_LIMIT_IP_PER_MINUTE: '0',
    RATE_LIMIT_READS_PER_MINUTE: '0',
    LOG_LEVEL: 'info',
    ...env,
  });
  procs.push(proc);
  const url = `http://127.0.0.1:${port}`;
  await waitFor(`${url}/health/ready`, 30_000);
  return { url, proc, coldStartMs: round(performance.now() - started, 0) };
}

/** The session id every termination scenario ends (the simulator in bench mode accepts any). */
export const BENCH_SESSION = 'e7acacb6aedbab70073456da5744166939b77527';

/**
 * What the single-gateway tools (ab.ts, profile.ts, tail.ts) share: bench/results, a policy
 * with one operator role, a local issuer and an operator's token, the simulator in bench mode.
 */
export async function operatorBench(): Promise<{
  dir: string;
  policyFile: string;
  issuer: LocalIssuer;
  jwt: string;
  sim: { url: string; port: number };
}> {
  const dir = join('bench', 'results');
  mkdirSync(dir, { recursive: true });
  const policyFile = resolve(dir, 'bench-policy.yaml');
  writeFileSync(policyFile, 'roles:\n  session-operator: [session:terminate, session:read]\n');
  const issuer = await startIssuer(await freePort());
  const jwt = await issuer.token({
    sub: 'bench',
    preferred_username: 'bench',
    roles: ['session-operator'],
  });
  return { dir, policyFile, issuer, jwt, sim: await startSimulator() };
}

/** One termination as REST or GraphQL sends it, for autocannon or the paced load. */
export function terminationSpec(
  gatewayUrl: string,
  jwt: string,
  route: 'rest' | 'graphql',
  connections: number,
) {
  const headers = { authorization: `Bearer ${jwt}`, 'content-type': 'application/json' };
  return route === 'graphql'
    ? {
        url: `${gatewayUrl}/graphql`,
        method: 'POST' as const,
        headers,
        body: JSON.stringify({
          query: `mutation { terminateSession(id: "${BENCH_SESSION}", reason: "bench") { terminated auditEventId } }`,
        }),
        connections,
      }
    : {
        url: `${gatewayUrl}/api/v1/sessions/${BENCH_SESSION}/terminate`,
        method: 'POST' as const,
        headers,
        body: JSON.stringify({ reason: 'bench' }),
        connections,
      };
}

/** A tool's main, stopping every process it started when it fails. */
export function runMain(main: () => Promise<void>): void {
  main().catch(async (err: unknown) => {
    process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    await stopAll();
    process.exit(1);
  });
}

/**
 * A closed-loop warm-up, then the measured phase: closed loop, or open loop at `rate` requests
 * per second. Returns the phase's result, the CPU seconds of process `pid` (all threads) spent
 * in it, and when it started (`performance.now()`).
 */
export async function warmThenMeasure(
  spec: LoadSpec,
  pid: number,
  o: { warmup: number; duration: number; rate?: number },
): Promise<{ result: LoadResult; cpuSeconds: number; startedAt: number }> {
  await load({ ...spec, duration: o.warmup });
  const startedAt = performance.now();
  const sampler = new ProcSampler(pid);
  const cpuBefore = sampler.cpuSeconds();
  const result = o.rate
    ? await paced({ ...spec, rate: o.rate, duration: o.duration })
    : await load({ ...spec, duration: o.duration });
  return { result, cpuSeconds: sampler.cpuSeconds() - cpuBefore, startedAt };
}
