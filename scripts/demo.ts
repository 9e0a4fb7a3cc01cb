/**
 * `npm run demo`: the gateway on loopback against the bundled PAM Core simulator and a real
 * local OIDC issuer (oauth2-mock-server), with a sample policy. Prints a token for every role of
 * that policy and ready-to-paste curl commands; the gateway's log lines (requests, audit
 * entries) go to ./data/demo-gateway.log, so the terminal keeps the walkthrough. Ctrl-C stops
 * everything. Nothing here is part of the production build.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import type { INestApplication } from '@nestjs/common';
import { createApp } from '../src/app.factory';
import { loadConfig } from '../src/config';
import { bufferedDestination } from '../src/observability/logger.options';
import { PamCoreSimulator } from '../simulator/pam-core-simulator';
import { startDemoReceiver } from './demo-receiver';
import { ensureConsoleBuilt } from './console-build';
import { startIssuer } from './issuer';

const { values: args } = parseArgs({
  options: {
    port: { type: 'string', default: '3000' },
    'simulator-port': { type: 'string', default: '8443' },
    'issuer-port': { type: 'string', default: '8081' },
    'receiver-port': { type: 'string', default: '8082' },
  },
});

const DEMO_DIR = resolve('data', 'demo');
const LOG_FILE = './data/demo-gateway.log';
const POLICY = `# Demo policy: operators may end sessions, viewers may only look, auditors read the log,
# the metrics scraper reads /metrics.
roles:
  session-operator: [session:terminate, session:read]
  session-viewer: [session:read]
  auditor: [audit:read]
  metrics-scraper: [metrics:read]
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
  writeFileSync(LOG_FILE, ''); // each run's log from the start

  const simulator = new PamCoreSimulator({
    clientId: 'demo-gateway',
    clientSecret: 'demo-secret',
    seed: 12,
  });
  const simulatorUrl = await simulator.start(Number(args['simulator-port']), '127.0.0.1');
  const issuer = await startIssuer(Number(args['issuer-port']));
  const eventsSecret = `whsec_${randomBytes(32).toString('base64')}`;
  const receiver = await startDemoReceiver(eventsSecret, Number(args['receiver-port']));

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
    LOG_LEVEL: 'info',
    EVENTS_WEBHOOK_URLS: receiver.url,
    EVENTS_WEBHOOK_SECRET: eventsSecret,
    GATEWAY_INSTANCE: 'demo',
    CONSOLE_OIDC_CLIENT_ID: 'pam-console',
  });
  if (!result.ok) throw new Error(result.errors.join('\n'));
  const app: INestApplication = await createApp(result.config, {
    logStream: bufferedDestination(LOG_FILE),
  });
  await app.listen(result.config.port, result.config.host);
  const gw = `http://127.0.0.1:${result.config.port}`;

  // One caller per role of the demo policy.
  const tokenFor = (name: string, role: string) =>
    issuer.token({ sub: name, preferred_username: name, roles: [role] });
  const operator = await tokenFor('alice', 'session-operator');
  const viewer = await tokenFor('bob', 'session-viewer');
  const auditor = await tokenFor('carol', 'auditor');
  const dcTeam = await tokenFor('dave', 'dc-team');
  const scraper = await tokenFor('prometheus', 'metrics-scraper');
  const active = simulator.getSessions().filter((s) => s.end === '');
  const isDc = (s: (typeof active)[number]) => s.device.startsWith('dc') && s.protocol === 'rdp';
  // The dc-team's example ends a domain controller session; the operator's examples end others,
  // of other users (the bulk example ends everything its user has open).
  const dc = active.find(isDc);
  const [first, second, third] = active.filter((s) => !isDc(s) && s.user !== dc?.user);
  // The listing and bulk examples pick a user none of the sessions above belongs to.
  const used = new Set([first, second, third, dc].map((s) => s?.user));
  const bulkUser = active.find((s) => !used.has(s.user))?.user ?? first?.user;
  // Idempotency keys of this run only: the audit database (and its stored answers) outlives it.
  const run = Date.now().toString(36);

  const out = [
    '',
    'pam-gateway demo is running (Ctrl-C stops everything)',
    `  console      ${gw}/console   (sign in as one of the demo users)`,
    `  gateway      ${gw}   GraphQL ${gw}/graphql   REST ${gw}/api/v1   OpenAPI ${gw}/api/docs`,
    `  PAM Core     ${simulatorUrl}   (simulator; client demo-gateway)`,
    `  OIDC issuer  ${issuer.url}`,
    `  webhooks     ${receiver.url}   (prints each audit event it gets, signature verified)`,
    `  audit log    ./data/audit.db   (verify with: npm run audit:verify)`,
    `  gateway log  ${LOG_FILE}   (requests and audit entries: tail -f it elsewhere)`,
    '',
    `Active sessions to end: ${active.map((s) => s.sessionId).join(' ')}`,
    '',
    'Tokens (8 hours):',
    `  export OPERATOR='${operator}'`,
    `  export VIEWER='${viewer}'`,
    `  export AUDITOR='${auditor}'`,
    `  export DC_TEAM='${dcTeam}'   # RDP to dc* only`,
    `  export METRICS='${scraper}'`,
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
    `curl -s ${gw}/graphql -H "Authorization: Bearer $VIEWER" -H 'Content-Type: application/json' -d '{"query":"{ remoteSessions(filter: {user: \\"${bulkUser}\\", active: true}) { totalCount stale ageSeconds nodes { sessionId user device protocol start } } }"}'`,
    '',
    `# a bulk dry run: what would "end everything ${bulkUser} has open" end? (nothing is ended)`,
    `curl -s -X POST ${gw}/api/v1/sessions/terminate -H "Authorization: Bearer $OPERATOR" -H 'Content-Type: application/json' -H 'Idempotency-Key: INC-1234-dry-${run}' -d '{"filter":{"user":"${bulkUser}"},"reason":"INC-1234","dryRun":true}'`,
    '',
    '# the real run: same filter, a new key; repeating it with that key replays the first answer:',
    `curl -s -X POST ${gw}/api/v1/sessions/terminate -H "Authorization: Bearer $OPERATOR" -H 'Content-Type: application/json' -H 'Idempotency-Key: INC-1234-run-${run}' -d '{"filter":{"user":"${bulkUser}"},"reason":"INC-1234"}'`,
    '',
    "# the dc-team sees only the domain controllers' sessions:",
    `curl -s "${gw}/api/v1/sessions?active=true&limit=5" -H "Authorization: Bearer $DC_TEAM"`,
    '',
    '# ... may end an RDP session to one of them:',
    `curl -s -X POST ${gw}/api/v1/sessions/${dc?.sessionId ?? '<a dc session id>'}/terminate -H "Authorization: Bearer $DC_TEAM" -H 'Content-Type: application/json' -d '{"reason":"patch window"}'`,
    '',
    '# ... and is denied (403, FORBIDDEN) any other:',
    `curl -s -X POST ${gw}/api/v1/sessions/${third?.sessionId}/terminate -H "Authorization: Bearer $DC_TEAM"`,
    '',
    '# an auditor reads who did what:',
    `curl -s "${gw}/api/v1/audit-events?limit=5" -H "Authorization: Bearer $AUDITOR"`,
    '',
    '# the metrics scraper reads Prometheus metrics:',
    `curl -s ${gw}/metrics -H "Authorization: Bearer $METRICS" | grep pam_gateway_requests_total`,
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
    receiver.server.close();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop());
  process.on('SIGTERM', () => void stop());
}

main().catch((err: unknown) => {
  process.stderr.write(`demo failed: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
