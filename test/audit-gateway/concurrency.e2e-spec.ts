import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PamCoreSimulator } from '../../simulator/pam-core-simulator';
import { AUDIENCE, DEFAULT_POLICY, SIM_CLIENT_ID, SIM_CLIENT_SECRET } from '../support/gateway';
import {
  baseEnv,
  type GatewayProcess,
  killAllGateways,
  runToExit,
  spawnGateway,
} from '../support/gateway-process';
import { type IssuerHandle, startIssuer } from '../support/oidc-issuer';
import { createPgSchema, describePg, pgQuery, type PgSchema } from '../support/postgres';
import { type Answer, terminate } from '../support/termination';

/**
 * Scaling out (README): two gateway processes on one PostgreSQL schema. 500 terminations in
 * parallel, split across both replicas and both channels, must leave 500 intents, 500
 * outcomes and one linear chain that the verify CLI accepts: the advisory lock serialises
 * appends across processes.
 */
const TOTAL = 500;
const HMAC = 'concurrency-hmac-key-0b7e';

describePg('two replicas on one PostgreSQL schema', () => {
  let simulator: PamCoreSimulator;
  let issuer: IssuerHandle;
  let schema: PgSchema;
  let dir: string;
  let replicas: GatewayProcess[];
  let env: Record<string, string>;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'pam-gw-replicas-'));
    const policyFile = join(dir, 'policy.yaml');
    writeFileSync(policyFile, DEFAULT_POLICY);
    simulator = new PamCoreSimulator({
      clientId: SIM_CLIENT_ID,
      clientSecret: SIM_CLIENT_SECRET,
      seed: 0,
    });
    for (let i = 0; i < TOTAL; i++) simulator.addSession();
    const [simulatorUrl, startedIssuer, createdSchema] = await Promise.all([
      simulator.start(0, '127.0.0.1'),
      startIssuer(),
      createPgSchema('gw_replicas'),
    ]);
    issuer = startedIssuer;
    schema = createdSchema;
    env = {
      ...baseEnv({ simulatorUrl, issuerUrl: issuer.url, policyFile, auditUrl: schema.url }),
      AUDIT_HMAC_KEY: HMAC,
      LOG_LEVEL: 'warn',
    };
    replicas = await Promise.all([spawnGateway(env), spawnGateway(env)]);
  }, 90_000); // may include compiling the production build once
  afterAll(async () => {
    await killAllGateways();
    await simulator?.stop();
    await issuer?.stop();
    await schema?.drop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('500 parallel terminations: 500 intents, 500 outcomes, one intact chain', async () => {
    const token = await issuer.token({
      payload: { aud: AUDIENCE, sub: 'ir-bot', roles: ['session-operator'] },
    });
    const ids = simulator.getSessions().map((s) => s.sessionId);
    expect(ids).toHaveLength(TOTAL);

    const answers: Answer[] = await Promise.all(
      ids.map((id, i) =>
        terminate(replicas[i % 2].url, i % 4 < 2 ? 'rest' : 'graphql', id, {
          token,
          reason: `load ${i}`,
        }),
      ),
    );
    const failures = answers.filter((a) => a.status !== 200).map((a) => a.raw);
    expect(failures).toEqual([]);
    expect(new Set(answers.map((a) => a.payload!.auditEventId)).size).toBe(TOTAL);

    // Segura saw each drop exactly once, and each replica fetched its own token.
    const drops = simulator.requests.filter((r) => r.method === 'DELETE').map((r) => r.path);
    expect(drops).toHaveLength(TOTAL);
    expect(new Set(drops).size).toBe(TOTAL);
    expect(simulator.tokenRequests).toBe(2);

    const kinds = await pgQuery<{ kind: string; outcome: string | null; n: string }>(
      `select kind, outcome, count(*) as n from audit_chain group by kind, outcome order by kind`,
      [],
      schema.schema,
    );
    expect(kinds.map((k) => ({ ...k, n: Number(k.n) }))).toEqual([
      { kind: 'intent', outcome: null, n: TOTAL },
      { kind: 'outcome', outcome: 'succeeded', n: TOTAL },
    ]);
    // The intents are exactly the records the callers were given.
    const ids2 = await pgQuery<{ id: string }>(
      `select id from audit_chain where kind = 'intent'`,
      [],
      schema.schema,
    );
    expect(new Set(ids2.map((r) => r.id))).toEqual(
      new Set(answers.map((a) => a.payload!.auditEventId)),
    );

    const verify = await runToExit('verifyCli', {
      AUDIT_DATABASE_URL: schema.url,
      AUDIT_HMAC_KEY: HMAC,
    });
    expect(verify.stderr).toBe('');
    expect(verify.stdout.trim()).toBe(`audit chain intact: ${2 * TOTAL} entries`);
    expect(verify.code).toBe(0);
  }, 120_000);
});
