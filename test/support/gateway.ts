import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import type { INestApplication } from '@nestjs/common';
import { createApp } from '../../src/app.factory';
import { loadConfig } from '../../src/config';
import type { PamCorePolicyOptions } from '../../src/pam-core/pam-core.policy';
import { PamCoreSimulator, type SimulatorOptions } from '../../simulator/pam-core-simulator';
import { type IssuerHandle, startIssuer } from './oidc-issuer';

export const AUDIENCE = 'pam-gateway';
export const SIM_CLIENT_ID = 'gw-client';
export const SIM_CLIENT_SECRET = 'sim-client-secret-3f9a1c';

export const DEFAULT_POLICY = `roles:
  session-operator: [session:terminate, session:read]
  session-viewer: [session:read]
  auditor: [audit:read]
options:
  requireReason: false
`;

export interface HttpAnswer {
  status: number;
  headers: Headers;
  text: string;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- tests read arbitrary JSON
  json: any;
}

export interface GatewayHarness {
  url: string;
  app: INestApplication;
  simulator: PamCoreSimulator;
  issuer: IssuerHandle;
  dir: string;
  /** Every JSON log line the gateway wrote. */
  logs: string[];
  tokens: { operator: string; viewer: string; auditor: string; noRoles: string };
  request(
    method: string,
    path: string,
    opts?: { token?: string; body?: unknown; headers?: Record<string, string> },
  ): Promise<HttpAnswer>;
  graphql(
    query: string,
    variables?: Record<string, unknown>,
    token?: string,
    headers?: Record<string, string>,
  ): Promise<HttpAnswer>;
  close(): Promise<void>;
}

export interface HarnessOptions {
  env?: Record<string, string>;
  policy?: string;
  simulator?: SimulatorOptions;
  /** Reuse a running issuer (suites that start several gateways). */
  issuer?: IssuerHandle;
  /** PAM Core resilience numbers, e.g. a short breaker cool-down. */
  pamCorePolicy?: PamCorePolicyOptions;
}

export interface CallOptions {
  token?: string;
  body?: unknown;
  headers?: Record<string, string>;
}

/** One HTTP call to a gateway at `baseUrl` (in-process or spawned), body parsed when JSON. */
export async function httpCall(
  baseUrl: string,
  method: string,
  path: string,
  o: CallOptions = {},
): Promise<HttpAnswer> {
  const headers: Record<string, string> = { ...o.headers };
  if (o.token) headers.authorization = `Bearer ${o.token}`;
  let body: string | undefined;
  if (o.body !== undefined) {
    body = typeof o.body === 'string' ? o.body : JSON.stringify(o.body);
    headers['content-type'] ??= 'application/json';
  }
  const res = await fetch(baseUrl + path, { method, headers, body });
  const text = await res.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.status, headers: res.headers, text, json };
}

/** The whole gateway on loopback: simulator, real OIDC issuer, SQLite audit in a temp dir. */
export async function startGateway(opts: HarnessOptions = {}): Promise<GatewayHarness> {
  const dir = mkdtempSync(join(tmpdir(), 'pam-gw-'));
  const policyFile = join(dir, 'policy.yaml');
  writeFileSync(policyFile, opts.policy ?? DEFAULT_POLICY);
  const simulator = new PamCoreSimulator({
    clientId: SIM_CLIENT_ID,
    clientSecret: SIM_CLIENT_SECRET,
    ...opts.simulator,
  });
  const simUrl = await simulator.start(0, '127.0.0.1');
  const issuer = opts.issuer ?? (await startIssuer());
  const result = loadConfig({
    NODE_ENV: 'test',
    PAM_CORE_URL: simUrl,
    PAM_CORE_CLIENT_ID: SIM_CLIENT_ID,
    PAM_CORE_CLIENT_SECRET: SIM_CLIENT_SECRET,
    PAM_CORE_TIMEOUT_MS: '2000',
    AUTH_ISSUER: issuer.url,
    AUTH_AUDIENCE: AUDIENCE,
    RBAC_POLICY_FILE: policyFile,
    AUDIT_DATABASE_URL: `sqlite:${join(dir, 'audit.db')}`,
    LOG_LEVEL: 'info',
    RATE_LIMIT_TERMINATIONS_PER_MINUTE: '0',
    RATE_LIMIT_READS_PER_MINUTE: '0',
    ...opts.env,
  });
  if (!result.ok) throw new Error(result.errors.join('\n'));
  const logs: string[] = [];
  const logStream = new Writable({
    write(chunk: Buffer, _enc, cb) {
      logs.push(...chunk.toString('utf8').split('\n').filter(Boolean));
      cb();
    },
  });
  const app = await createApp(result.config, { logStream, pamCorePolicy: opts.pamCorePolicy });
  await app.listen(0, '127.0.0.1');
  const url = (await app.getUrl()).replace('[::1]', '127.0.0.1');

  const request: GatewayHarness['request'] = (method, path, o) => httpCall(url, method, path, o);

  const user = (sub: string, roles?: string[]) =>
    issuer.token({
      payload: { aud: AUDIENCE, sub, preferred_username: sub, ...(roles ? { roles } : {}) },
    });
  const tokens = {
    operator: await user('alice', ['session-operator']),
    viewer: await user('bob', ['session-viewer']),
    auditor: await user('carol', ['auditor']),
    noRoles: await user('dave'),
  };

  return {
    url,
    app,
    simulator,
    issuer,
    dir,
    logs,
    tokens,
    request,
    graphql: (query, variables, token, headers) =>
      request('POST', '/graphql', { token, body: { query, variables }, headers }),
    async close() {
      await app.close();
      await simulator.stop();
      if (!opts.issuer) await issuer.stop();
    },
  };
}
