import { rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AuditService } from '../../src/audit/audit.service';
import { type GatewayHarness, startGateway } from '../support/gateway';
import { baseEnv, killAllGateways, runToExit, unusedPort } from '../support/gateway-process';
import {
  createPgSchema,
  describePg,
  pgQuery,
  type PgSchema,
  requirePgBaseUrl,
} from '../support/postgres';
import { startTcpProxy, type TcpProxy } from '../support/tcp-proxy';

/**
 * Fail closed (docs/audit-record.md): when the intent cannot be written, a termination
 * answers AUDIT_UNAVAILABLE in both channels and nothing at all reaches Segura; readiness says
 * the audit store is down while liveness stays up. At start an unreachable store stops the
 * process with one line: the gateway never serves without its audit log (an orchestrator
 * restarts it; readiness covers a store lost later).
 */
const MUTATION = `mutation T($id: ID!) { terminateSession(id: $id) { auditEventId } }`;

async function terminateBoth(gw: GatewayHarness): Promise<Array<{ status: number; code: string }>> {
  const id = gw.simulator.addSession().sessionId;
  const rest = await gw.request('POST', `/api/v1/sessions/${id}/terminate`, {
    token: gw.tokens.operator,
    body: { reason: 'fail-closed check' },
  });
  const gql = await gw.graphql(MUTATION, { id }, gw.tokens.operator);
  return [
    { status: rest.status, code: rest.json?.code },
    { status: gql.status, code: gql.json?.errors?.[0]?.extensions?.code },
  ];
}

async function expectFailsClosed(gw: GatewayHarness): Promise<void> {
  gw.simulator.resetRequests();
  const [rest, gql] = await terminateBoth(gw);
  expect(rest).toEqual({ status: 503, code: 'AUDIT_UNAVAILABLE' });
  expect(gql).toEqual({ status: 200, code: 'AUDIT_UNAVAILABLE' });
  // Not a drop, not even a token request: nothing was forwarded.
  expect(gw.simulator.requests).toEqual([]);
  const ready = await gw.request('GET', '/health/ready');
  expect(ready.status).toBe(503);
  expect(ready.json.details.audit.status).toBe('down');
  expect((await gw.request('GET', '/health/live')).status).toBe(200);
}

async function expectWorks(gw: GatewayHarness): Promise<void> {
  const id = gw.simulator.addSession().sessionId;
  const res = await gw.request('POST', `/api/v1/sessions/${id}/terminate`, {
    token: gw.tokens.operator,
  });
  expect(res.status).toBe(200);
  expect((await gw.request('GET', '/health/ready')).json.details.audit.status).toBe('up');
}

describe('audit store lost after start (SQLite)', () => {
  let gw: GatewayHarness;
  beforeAll(async () => {
    gw = await startGateway();
  });
  afterAll(async () => {
    await gw?.close();
  });

  it('refuses terminations in both channels without forwarding anything', async () => {
    await expectWorks(gw);
    // As if the database went away: the service's own store handle is closed.
    await gw.app.get(AuditService).onModuleDestroy();
    await expectFailsClosed(gw);
  });
});

describePg('audit store lost after start (PostgreSQL)', () => {
  let gw: GatewayHarness;
  let proxy: TcpProxy;
  let schema: PgSchema;
  beforeAll(async () => {
    const pg = new URL(requirePgBaseUrl());
    proxy = await startTcpProxy(pg.hostname, Number(pg.port || 5432));
    schema = await createPgSchema('gw_fail_closed');
    const url = new URL(schema.url);
    url.host = `127.0.0.1:${proxy.port}`;
    gw = await startGateway({ env: { AUDIT_DATABASE_URL: url.toString() } });
  });
  afterAll(async () => {
    await gw?.close();
    await proxy?.stop();
    await schema?.drop();
  });

  it('connection refused: fails closed, and recovers by itself when the database is back', async () => {
    await expectWorks(gw);
    await proxy.stop();
    await expectFailsClosed(gw);
    await proxy.start();
    await expectWorks(gw);
  });

  it('schema dropped under a running gateway: fails closed, readiness down', async () => {
    await pgQuery(`drop schema "${schema.schema}" cascade`);
    await expectFailsClosed(gw);
  });
});

describe('audit store unreachable at start (production entry point)', () => {
  const env = async (auditUrl: string) =>
    baseEnv({
      simulatorUrl: `http://127.0.0.1:${await unusedPort()}`,
      issuerUrl: `http://127.0.0.1:${await unusedPort()}`,
      policyFile: join(__dirname, '..', 'fixtures', 'policy.yaml'),
      auditUrl,
    });
  afterAll(killAllGateways);

  it('PostgreSQL refusing connections: exit 1 with one line that names the setting, never its password', async () => {
    const password = 'pw-canary-51f0';
    const url = `postgres://postgres:${password}@127.0.0.1:${await unusedPort()}/test`;
    const run = await runToExit('main', await env(url));
    expect(run.code).toBe(1);
    const lines = run.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(
      /^pam-gateway: cannot start: The audit store \(AUDIT_DATABASE_URL\) cannot be opened: .*ECONNREFUSED/,
    );
    expect(run.stdout + run.stderr).not.toContain(password);
    expect(run.stdout).not.toContain('listening on');
  });

  it('SQLite file under a path that is not a directory: exit 1 with one line', async () => {
    const blocker = join(tmpdir(), `pam-gw-file-${process.pid}`);
    writeFileSync(blocker, 'not a directory');
    const run = await runToExit('main', await env(`sqlite:${join(blocker, 'audit.db')}`));
    rmSync(blocker, { force: true });
    expect(run.code).toBe(1);
    expect(run.stderr.trim().split('\n')).toEqual([
      expect.stringMatching(
        /^pam-gateway: cannot start: The audit store \(AUDIT_DATABASE_URL\) cannot be opened: /,
      ),
    ]);
    expect(run.stdout).not.toContain('listening on');
  });
});
