import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readAuditRecords } from '../support/audit-reader';
import { httpCall } from '../support/gateway';
import {
  type GatewayProcess,
  killAllGateways,
  runToExit,
  spawnGateway,
} from '../support/gateway-process';
import { type IssuerHandle, startIssuer } from '../support/oidc-issuer';
import { createPgSchema, describePg, type PgSchema } from '../support/postgres';
import { terminate } from '../support/termination';

/**
 * docker-compose.yml's topology without containers: the production build (NODE_ENV=production)
 * configured as the compose file configures it (secrets as _FILE, deploy/policy.yaml, roles
 * in realm_access.roles as Keycloak sends them), its audit in PostgreSQL, rate limits in the
 * machine's Redis, the PAM Core simulator as its own process started by its CLI, and a real
 * OIDC issuer in place of Keycloak.
 */
const ROOT = join(__dirname, '..', '..');

/** The simulator CLI (the compose `pam-core` service), on a free port; resolves its base URL. */
async function startSimulatorProcess(): Promise<{ url: string; child: ChildProcess }> {
  const child = spawn(
    process.execPath,
    [
      '-r',
      'ts-node/register/transpile-only',
      'simulator/main.ts',
      '--host',
      '127.0.0.1',
      '--port',
      '0',
    ],
    { cwd: ROOT, env: { PATH: process.env.PATH ?? '' }, stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (c: Buffer) => {
      out += c.toString('utf8');
      const m = /listening on (http:\/\/\S+)/.exec(out);
      if (m) resolve(m[1]);
    });
    child.once('exit', (code) => reject(new Error(`simulator exited with ${code}: ${out}`)));
  });
  return { url, child };
}

describePg('compose topology, without containers', () => {
  let issuer: IssuerHandle;
  let simulator: { url: string; child: ChildProcess };
  let schema: PgSchema;
  let dir: string;
  let gateway: GatewayProcess;
  let auditEnv: Record<string, string>;
  const token = (sub: string, roles: string[]) =>
    issuer.token({ payload: { aud: 'pam-gateway', sub, realm_access: { roles } } });

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'pam-gw-topology-'));
    const hmacFile = join(dir, 'audit_hmac_key');
    writeFileSync(hmacFile, randomBytes(32).toString('hex'));
    [issuer, simulator, schema] = await Promise.all([
      startIssuer(),
      startSimulatorProcess(),
      createPgSchema('gw_topology'),
    ]);
    auditEnv = { AUDIT_DATABASE_URL: schema.url, AUDIT_HMAC_KEY_FILE: hmacFile };
    gateway = await spawnGateway({
      NODE_ENV: 'production',
      PAM_CORE_URL: simulator.url,
      PAM_CORE_CLIENT_ID: 'sim-client',
      PAM_CORE_CLIENT_SECRET_FILE: join(ROOT, 'deploy', 'secrets', 'pam_core_client_secret'),
      AUTH_ISSUER: issuer.url,
      AUTH_AUDIENCE: 'pam-gateway',
      AUTH_ROLES_CLAIM: 'realm_access.roles',
      RBAC_POLICY_FILE: join(ROOT, 'deploy', 'policy.yaml'),
      REDIS_URL: 'redis://127.0.0.1:6379',
      LOG_LEVEL: 'info',
      ...auditEnv,
    });
  }, 120_000); // may include compiling the production build once
  afterAll(async () => {
    await killAllGateways();
    simulator?.child.kill('SIGTERM');
    await issuer?.stop();
    await schema?.drop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('is ready: audit store and Segura both up', async () => {
    const ready = await gateway.request('GET', '/health/ready');
    expect(ready.status).toBe(200);
    expect(ready.json.details).toEqual({ audit: { status: 'up' }, pamCore: { status: 'up' } });
  });

  it('terminates over both channels, and the audit log holds both, chain intact', async () => {
    const operator = await token('alice', ['session-operator']);
    const sessions = (await httpCall(simulator.url, 'GET', '/__sim/sessions')).json as Array<{
      sessionId: string;
      end: string;
    }>;
    const [first, second] = sessions.filter((s) => s.end === '');
    const rest = await terminate(gateway.url, 'rest', first.sessionId, {
      token: operator,
      reason: 'INC-1',
    });
    const gql = await terminate(gateway.url, 'graphql', second.sessionId, {
      token: operator,
      reason: 'INC-2',
    });
    expect([rest.status, gql.status]).toEqual([200, 200]);
    const drops = (await httpCall(simulator.url, 'GET', '/__sim/requests')).json.filter(
      (r: { method: string }) => r.method === 'DELETE',
    );
    expect(drops).toHaveLength(2);

    const auditor = await token('carol', ['auditor']);
    const records = await readAuditRecords(gateway.url, { token: auditor });
    expect(records.map((r) => [r.id, r.channel, r.outcome, r.reason]).sort()).toEqual(
      [
        [rest.payload!.auditEventId, 'rest', 'succeeded', 'INC-1'],
        [gql.payload!.auditEventId, 'graphql', 'succeeded', 'INC-2'],
      ].sort(),
    );
    // `npm run audit:verify`, with the gateway's own audit settings.
    const verify = await runToExit('verifyCli', auditEnv);
    expect(verify.stdout).toMatch(/^audit chain intact: \d+ entries/);
    expect(verify.code).toBe(0);
  });

  it('refuses GraphQL introspection in production', async () => {
    const res = await gateway.graphql(
      '{ __schema { types { name } } }',
      {},
      await token('alice', ['session-operator']),
    );
    expect(res.json.data?.__schema).toBeUndefined();
    expect(res.json.errors[0].message).toMatch(/introspection/i);
    expect(res.json.errors[0].extensions.code).toBe('BAD_USER_INPUT');
  });

  it('serves no GraphiQL page in production', async () => {
    const res = await httpCall(gateway.url, 'GET', '/graphql', {
      headers: { accept: 'text/html' },
    });
    expect(res.text.toLowerCase()).not.toContain('graphiql');
  });

  it('sends security headers: nosniff, a CSP, no X-Powered-By', async () => {
    for (const path of ['/health/live', '/api/v1/audit-events']) {
      const res = await gateway.request('GET', path);
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
      expect(res.headers.get('content-security-policy')).toContain("default-src 'self'");
      expect(res.headers.get('x-powered-by')).toBeNull();
    }
  });

  it('stops on SIGTERM with exit 0', async () => {
    gateway.signal('SIGTERM');
    expect(await gateway.exited).toEqual({ code: 0, signal: null });
  });
});
