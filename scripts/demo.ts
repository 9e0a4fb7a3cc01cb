/**
 * `npm run demo`: the gateway on loopback against the bundled PAM Core simulator and a real
 * local OIDC issuer (oauth2-mock-server), with a sample policy. Prints ready-to-paste curl
 * commands. Ctrl-C stops everything. Nothing here is part of the production build.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import type { INestApplication } from '@nestjs/common';
import { createApp } from '../src/app.factory';
import { loadConfig } from '../src/config';
import { PamCoreSimulator } from '../simulator/pam-core-simulator';
import { ensureConsoleBuilt } from './console-build';
import { startIssuer } from './issuer';

const { values: args } = parseArgs({
  options: {
    port: { type: 'string', default: '3000' },
    'simulator-port': { type: 'string', default: '8443' },
    'issuer-port': { type: 'string', default: '8081' },
  },
});

const DEMO_DIR = resolve('data', 'demo');
const POLICY = `# Demo policy: operators may end sessions, viewers may only look, auditors read the log.
roles:
  session-operator: [session:terminate, session:read]
  session-viewer: [session:read]
  auditor: [audit:read]
  # A team that may see and end only RDP sessions to the domain controllers.
  dc-team:
    - permission: session:terminate
      where: { protocol: rdp, device: "dc*" }
    - permission: session:read
      where: { device: "dc*" }
options:
  requireReason: false
  bulkMax: 25 # more per bulk request needs session:terminate:bulk
`;

async function main(): Promise<void> {
  ensureConsoleBuilt();
  mkdirSync(DEMO_DIR, { recursive: true });
  const policyFile = join(DEMO_DIR, 'policy.yaml');
  writeFileSync(policyFile, POLICY);

  const simulator = new PamCoreSimulator({
    clientId: 'demo-gateway',
    clientSecret: 'demo-secret',
    seed: 12,
  });
  const simulatorUrl = await simulator.start(Number(args['simulator-port']), '127.0.0.1');
  const issuer = await startIssuer(Number(args['issuer-port']));

  const result = loadConfig({
    NODE_ENV: 'development',
    PORT: args.port,
    HOST: '127.0.0.1',
    PAM_CORE_URL: simulatorUrl,
    PAM_CORE_CLIENT_ID: 'demo-gateway',
    PAM_CORE_CLIENT_SECRET: 'demo-secret',
    AUTH_ISSUER: issuer.url,
    AUTH_AUDIENCE: 'pam-gateway',
    AUTH_ROLES_CLAIM: 'realm_access.roles',
    RBAC_POLICY_FILE: policyFile,
    AUDIT_DATABASE_URL: 'sqlite:./data/audit.db',
    LOG_LEVEL: 'warn',
    CONSOLE_OIDC_CLIENT_ID: 'pam-console',
  });
  if (!result.ok) throw new Error(result.errors.join('\n'));
  const app: INestApplication = await createApp(result.config);
  await app.listen(result.config.port, result.config.host);
  const gw = `http://127.0.0.1:${result.config.port}`;

  const operator = await issuer.token({
    sub: 'alice',
    preferred_username: 'alice',
    roles: ['session-operator'],
  });
  const viewer = await issuer.token({
    sub: 'bob',
    preferred_username: 'bob',
    roles: ['session-viewer'],
  });
  const auditor = await issuer.token({
    sub: 'carol',
    preferred_username: 'carol',
    roles: ['auditor'],
  });
  const active = simulator.getSessions().filter((s) => s.end === '');
  const [first, second] = active;

  const out = [
    '',
    'pam-gateway demo is running (Ctrl-C stops everything)',
    `  console      ${gw}/console   (sign in as one of the demo users)`,
    `  gateway      ${gw}   GraphQL ${gw}/graphql   REST ${gw}/api/v1   OpenAPI ${gw}/api/docs`,
    `  PAM Core     ${simulatorUrl}   (simulator; client demo-gateway)`,
    `  OIDC issuer  ${issuer.url}`,
    `  audit log    ./data/audit.db   (verify with: npm run audit:verify)`,
    '',
    `Active sessions to end: ${active.map((s) => s.sessionId).join(' ')}`,
    '',
    'Tokens (8 hours):',
    `  export OPERATOR='${operator}'`,
    `  export VIEWER='${viewer}'`,
    `  export AUDITOR='${auditor}'`,
    '',
    '# operator ends a session over REST:',
    `curl -s -X POST ${gw}/api/v1/sessions/${first?.sessionId}/terminate -H "Authorization: Bearer $OPERATOR" -H 'Content-Type: application/json' -d '{"reason":"incident INC-1234"}'`,
    '',
    '# the same over GraphQL:',
    `curl -s ${gw}/graphql -H "Authorization: Bearer $OPERATOR" -H 'Content-Type: application/json' -d '{"query":"mutation { terminateSession(id: \\"${second?.sessionId}\\", reason: \\"suspicious activity\\") { sessionId terminated message auditEventId requestId } }"}'`,
    '',
    '# a viewer is denied (403, FORBIDDEN) and Segura is never called:',
    `curl -s -X POST ${gw}/api/v1/sessions/${second?.sessionId}/terminate -H "Authorization: Bearer $VIEWER"`,
    '',
    '# a viewer lists the active sessions (cached; see stale, ageSeconds, nextCursor):',
    `curl -s "${gw}/api/v1/sessions?active=true&limit=5" -H "Authorization: Bearer $VIEWER"`,
    '',
    '# the same over GraphQL, filtered by user:',
    `curl -s ${gw}/graphql -H "Authorization: Bearer $VIEWER" -H 'Content-Type: application/json' -d '{"query":"{ remoteSessions(filter: {user: \\"${first?.user}\\", active: true}) { totalCount stale ageSeconds nodes { sessionId user device protocol start } } }"}'`,
    '',
    `# a bulk dry run: what would "end everything ${first?.user} has open" end? (nothing is ended)`,
    `curl -s -X POST ${gw}/api/v1/sessions/terminate -H "Authorization: Bearer $OPERATOR" -H 'Content-Type: application/json' -H 'Idempotency-Key: INC-1234-dry' -d '{"filter":{"user":"${first?.user}"},"reason":"INC-1234","dryRun":true}'`,
    '',
    '# the real run: same filter, a new key; repeating it with that key replays the first answer:',
    `curl -s -X POST ${gw}/api/v1/sessions/terminate -H "Authorization: Bearer $OPERATOR" -H 'Content-Type: application/json' -H 'Idempotency-Key: INC-1234-run' -d '{"filter":{"user":"${first?.user}"},"reason":"INC-1234"}'`,
    '',
    '# an auditor reads who did what:',
    `curl -s "${gw}/api/v1/audit-events?limit=5" -H "Authorization: Bearer $AUDITOR"`,
    '',
  ];
  process.stdout.write(out.join('\n') + '\n');

  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    process.stdout.write('\nstopping…\n');
    await app.close();
    await issuer.stop();
    await simulator.stop();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop());
  process.on('SIGTERM', () => void stop());
}

main().catch((err: unknown) => {
  process.stderr.write(`demo failed: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
