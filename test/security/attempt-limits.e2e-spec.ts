import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { readAuditRecords } from '../support/audit-reader';
import { AUDIENCE, type GatewayHarness, startGateway } from '../support/gateway';
import { type IssuerHandle, startIssuer } from '../support/oidc-issuer';
import { CHANNELS, terminate } from '../support/termination';

/**
 * A credential with no roles cannot fill the audit log at the per-IP rate: its denied and
 * invalid attempts count against the per-principal limit of the operation tried, an attempt
 * past the limit is 429 and leaves no record, and each record it does leave is bounded (its
 * reason at 500 characters, its session id at 128), however large the request.
 */
const LIMIT = 5;
const ATTEMPTS = 30;
const REASON_BOUND = 500;
const SESSION_ID_BOUND = 128;

let issuer: IssuerHandle;
let gw: GatewayHarness;
let db: Database.Database;
beforeAll(async () => {
  issuer = await startIssuer();
  gw = await startGateway({
    issuer,
    env: {
      RATE_LIMIT_TERMINATIONS_PER_MINUTE: String(LIMIT),
      RATE_LIMIT_READS_PER_MINUTE: String(LIMIT),
      // The per-IP limit is far above what this test sends: only the principal's limit stops it.
      RATE_LIMIT_IP_PER_MINUTE: '10000',
    },
  });
  db = new Database(join(gw.dir, 'audit.db'), { readonly: true, fileMustExist: true });
});
afterAll(async () => {
  db?.close();
  await gw?.close();
  await issuer?.stop();
});

async function noRoles(): Promise<{ sub: string; token: string }> {
  const sub = `flood-${randomBytes(4).toString('hex')}`;
  const token = await issuer.token({ payload: { aud: AUDIENCE, sub, preferred_username: sub } });
  return { sub, token };
}

/** Rows and stored bytes of the chain entries this actor left. */
function footprint(sub: string): { rows: number; reasonChars: number[]; idChars: number[] } {
  const rows = db
    .prepare("SELECT reason, session_id FROM audit_chain WHERE kind = 'intent' AND actor_name = ?")
    .all(sub) as Array<{ reason: string | null; session_id: string | null }>;
  return {
    rows: rows.length,
    reasonChars: rows.map((r) => [...(r.reason ?? '')].length),
    idChars: rows.map((r) => [...(r.session_id ?? '')].length),
  };
}

describe.each(CHANNELS)('%s', (channel) => {
  it('terminations beyond the limit: 429, and the audit log stops growing at the limit', async () => {
    const { sub, token } = await noRoles();
    const statuses: number[] = [];
    for (let i = 0; i < ATTEMPTS; i++) {
      // Alternately a request RBAC denies and one that is invalid as well, each near 16 KiB.
      const id = i % 2 === 0 ? `s${'x'.repeat(2000)}` : `-bad-${'y'.repeat(2000)}`;
      const answer = await terminate(gw.url, channel, id, { token, reason: 'r'.repeat(12_000) });
      statuses.push(answer.status);
    }
    expect(statuses.slice(0, LIMIT).every((s) => s === 403)).toBe(true);
    expect(statuses.slice(LIMIT).every((s) => s === 429)).toBe(true);

    const left = footprint(sub);
    expect(left.rows).toBe(LIMIT);
    expect(Math.max(...left.reasonChars)).toBeLessThanOrEqual(REASON_BOUND);
    expect(Math.max(...left.idChars)).toBeLessThanOrEqual(SESSION_ID_BOUND);
    const records = await readAuditRecords(gw.url, { token: gw.tokens.auditor });
    expect(records.filter((r) => r.actor.name === sub)).toHaveLength(LIMIT);
  });

  it('reads beyond the limit: 429, and no more read records', async () => {
    const { sub, token } = await noRoles();
    const statuses: number[] = [];
    for (let i = 0; i < ATTEMPTS; i++) {
      const res =
        channel === 'rest'
          ? await gw.request('GET', `/api/v1/sessions/s${'x'.repeat(2000)}`, { token })
          : await gw.graphql('query { auditEvents(first: 1) { nextCursor } }', {}, token);
      const code = res.json?.errors?.[0]?.extensions?.code as string | undefined;
      statuses.push(code === 'RATE_LIMITED' ? 429 : code === 'FORBIDDEN' ? 403 : res.status);
    }
    expect(statuses.slice(0, LIMIT).every((s) => s === 403)).toBe(true);
    expect(statuses.slice(LIMIT).every((s) => s === 429)).toBe(true);
    const left = footprint(sub);
    expect(left.rows).toBe(LIMIT);
    expect(Math.max(...left.idChars)).toBeLessThanOrEqual(SESSION_ID_BOUND);
  });
});
