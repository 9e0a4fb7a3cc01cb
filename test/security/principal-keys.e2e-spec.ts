import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AUDIENCE, type GatewayHarness, type HttpAnswer, startGateway } from '../support/gateway';
import { type IssuerHandle, startIssuer } from '../support/oidc-issuer';

/**
 * Every per-principal store (idempotent answers, termination and read allowances) is keyed by
 * the credential that authenticated the caller: `jwt:<issuer>:<sub>` or `apikey:<id>`. A token
 * chooses its own `sub` and claims, so a client-credentials token whose `sub` is a service key's
 * id must reach nothing of that key's, and the other way round.
 */
const LIMIT = 2;
const SERVICES = [
  'svc-replay',
  'svc-replay-rev',
  'svc-quota',
  'svc-quota-rev',
  'svc-read',
  'svc-read-rev',
];
const keys = new Map(SERVICES.map((id) => [id, `key-${id}-${randomBytes(12).toString('hex')}`]));
const sha256 = (s: string) => createHash('sha256').update(s, 'utf8').digest('hex');

let issuer: IssuerHandle;
let gw: GatewayHarness;
beforeAll(async () => {
  const dir = mkdtempSync(join(tmpdir(), 'pam-gw-keys-'));
  const keysFile = join(dir, 'keys.yaml');
  writeFileSync(
    keysFile,
    SERVICES.map(
      (id) => `- id: ${id}\n  sha256: ${sha256(keys.get(id)!)}\n  roles: [session-operator]\n`,
    ).join(''),
  );
  issuer = await startIssuer();
  gw = await startGateway({
    issuer,
    env: {
      AUTH_API_KEYS_FILE: keysFile,
      RATE_LIMIT_TERMINATIONS_PER_MINUTE: String(LIMIT),
      RATE_LIMIT_READS_PER_MINUTE: String(LIMIT),
      RATE_LIMIT_IP_PER_MINUTE: '0',
    },
  });
});
afterAll(async () => {
  await gw?.close();
  await issuer?.stop();
});

/** A client-credentials token (no user claims: classed as a service) whose `sub` is `id`. */
function impostor(id: string): Promise<string> {
  return issuer.token({
    payload: { aud: AUDIENCE, sub: id, client_id: 'ci-runner', roles: ['session-operator'] },
  });
}

type Caller = { token: string } | { apiKey: string };
const viaKey = (id: string): Caller => ({ apiKey: keys.get(id)! });
const headersOf = (c: Caller): Record<string, string> =>
  'apiKey' in c ? { 'x-api-key': c.apiKey } : {};
const tokenOf = (c: Caller): string | undefined => ('token' in c ? c.token : undefined);

function terminate(
  caller: Caller,
  sessionId: string,
  idempotencyKey?: string,
): Promise<HttpAnswer> {
  return gw.request('POST', `/api/v1/sessions/${sessionId}/terminate`, {
    token: tokenOf(caller),
    body: { reason: 'INC-13' },
    headers: {
      ...headersOf(caller),
      ...(idempotencyKey ? { 'idempotency-key': idempotencyKey } : {}),
    },
  });
}

function list(caller: Caller): Promise<HttpAnswer> {
  return gw.request('GET', '/api/v1/sessions?limit=5', {
    token: tokenOf(caller),
    headers: headersOf(caller),
  });
}

const deletes = () => gw.simulator.requests.filter((r) => r.method === 'DELETE').length;

describe('idempotent answers', () => {
  it.each([
    ['a JWT does not replay a service key', 'svc-replay', 'key-first'],
    ['a service key does not replay a JWT', 'svc-replay-rev', 'jwt-first'],
  ] as const)('%s with the same id', async (_name, id, order) => {
    const token = await impostor(id);
    const [first, second]: Caller[] =
      order === 'key-first' ? [viaKey(id), { token }] : [{ token }, viaKey(id)];
    const s = gw.simulator.addSession();
    const idem = `idem-${randomBytes(6).toString('hex')}`;
    const before = deletes();

    const original = await terminate(first, s.sessionId, idem);
    expect(original.status).toBe(200);
    expect(original.json).toMatchObject({ terminated: true, replayed: false });

    const other = await terminate(second, s.sessionId, idem);
    // Not the stored answer: the second caller's request ran on its own and reached Segura.
    expect(other.json?.replayed).not.toBe(true);
    expect(other.json?.auditEventId).not.toBe(original.json.auditEventId);
    expect(deletes()).toBe(before + 2);

    // The owner still gets its own answer back.
    const again = await terminate(first, s.sessionId, idem);
    expect(again.json).toEqual({ ...original.json, replayed: true });
  });
});

describe('allowances', () => {
  it.each([
    ['a JWT does not drain a service key', 'svc-quota', 'key-first'],
    ['a service key does not drain a JWT', 'svc-quota-rev', 'jwt-first'],
  ] as const)('terminations: %s with the same id', async (_name, id, order) => {
    const token = await impostor(id);
    const [drainer, victim]: Caller[] =
      order === 'key-first' ? [{ token }, viaKey(id)] : [viaKey(id), { token }];
    for (let i = 0; i < LIMIT; i++) {
      expect((await terminate(drainer, gw.simulator.addSession().sessionId)).status).toBe(200);
    }
    expect((await terminate(drainer, gw.simulator.addSession().sessionId)).status).toBe(429);
    const res = await terminate(victim, gw.simulator.addSession().sessionId);
    expect({ status: res.status, code: res.json?.code }).toEqual({ status: 200, code: undefined });
  });

  it.each([
    ['a JWT does not drain a service key', 'svc-read', 'key-first'],
    ['a service key does not drain a JWT', 'svc-read-rev', 'jwt-first'],
  ] as const)('reads: %s with the same id', async (_name, id, order) => {
    const token = await impostor(id);
    const [drainer, victim]: Caller[] =
      order === 'key-first' ? [{ token }, viaKey(id)] : [viaKey(id), { token }];
    for (let i = 0; i < LIMIT; i++) expect((await list(drainer)).status).toBe(200);
    expect((await list(drainer)).status).toBe(429);
    const res = await list(victim);
    expect({ status: res.status, code: res.json?.code }).toEqual({ status: 200, code: undefined });
  });
});
