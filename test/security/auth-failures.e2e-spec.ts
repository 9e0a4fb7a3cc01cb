import { createHash, randomUUID } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { forge, nowSeconds } from '../auth/support/forge';
import { AUDIENCE, type GatewayHarness, type HttpAnswer, startGateway } from '../support/gateway';
import { type KeyServer, startKeyServer } from '../support/key-server';
import { type RedisProcess, startRedisServer } from '../support/redis-server';

/**
 * Failed authentications per client IP (RATE_LIMIT_AUTH_FAILURES_PER_MINUTE): past the limit,
 * credentials that fail, and tokens that would need a JWKS fetch, get 429 RATE_LIMITED without
 * any request to the issuer; a credential that verifies is never refused for other people's
 * failures behind the same address. Client addresses come from X-Forwarded-For (TRUST_PROXY).
 */
const SERVICE_KEY = 'k_live_limit_9f3a7c21';
const LIMIT = 5;
const sessionsPath = '/api/v1/sessions?limit=1';
const READ_QUERY = '{ remoteSessions(first: 1) { totalCount } }';

let idp: KeyServer;
const started: GatewayHarness[] = [];
beforeAll(async () => {
  idp = await startKeyServer();
});
afterAll(async () => {
  for (const gw of started) await gw.close();
  await idp?.stop();
});

async function gateway(
  env: Record<string, string> = {},
  owners: GatewayHarness[] = started,
): Promise<GatewayHarness> {
  const gw = await startGateway({
    issuer: idp,
    env: { TRUST_PROXY: 'loopback', RATE_LIMIT_AUTH_FAILURES_PER_MINUTE: String(LIMIT), ...env },
  });
  owners.push(gw);
  return gw;
}

/** A gateway with a service key configured (the file must exist before the app starts). */
async function gatewayWithKeys(env: Record<string, string> = {}): Promise<GatewayHarness> {
  const file = join(mkdtempSync(join(tmpdir(), 'pam-gw-keys-')), 'keys.yaml');
  writeFileSync(
    file,
    `- id: reporting\n  sha256: ${createHash('sha256').update(SERVICE_KEY).digest('hex')}\n  roles: [session-viewer]\n`,
  );
  return gateway({ AUTH_API_KEYS_FILE: file, ...env });
}

/** A fresh client address, so suites and tests never share a counter. */
let ipCounter = 0;
const uniqueIp = () => `203.0.113.${(ipCounter++ % 250) + 1}`;

const viewerToken = (kid = idp.kid) =>
  idp.tokenWith(kid, {
    payload: { aud: AUDIENCE, sub: 'bob', preferred_username: 'bob', roles: ['session-viewer'] },
  });
const attacker = forge.otherRsaKey();
/** Signed by the wrong key under the issuer's kid: fails verification, needs no lookup. */
const badSignature = () =>
  forge.rs256(
    { kid: idp.kid },
    { aud: AUDIENCE, sub: 'mallory', iss: idp.url, exp: nowSeconds() + 300, jti: randomUUID() },
    attacker,
  );
/** Names a kid nobody published: verifying it would need a JWKS fetch. */
const unknownKid = () =>
  forge.rs256(
    { kid: randomUUID() },
    { aud: AUDIENCE, sub: 'mallory', iss: idp.url, exp: nowSeconds() + 300 },
    attacker,
  );

function get(gw: GatewayHarness, ip: string, headers: Record<string, string>): Promise<HttpAnswer> {
  return gw.request('GET', sessionsPath, { headers: { 'x-forwarded-for': ip, ...headers } });
}
const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

function expectRateLimited(res: HttpAnswer): void {
  expect(res.status).toBe(429);
  expect(res.headers.get('content-type')).toContain('application/problem+json');
  expect(res.json).toMatchObject({ code: 'RATE_LIMITED', status: 429 });
  const retryAfter = Number(res.headers.get('retry-after'));
  expect(retryAfter).toBeGreaterThanOrEqual(1);
  expect(retryAfter).toBeLessThanOrEqual(60);
}

async function failTimes(gw: GatewayHarness, ip: string, n: number): Promise<number[]> {
  const statuses: number[] = [];
  for (let i = 0; i < n; i++) statuses.push((await get(gw, ip, bearer(badSignature()))).status);
  return statuses;
}

describe('over the limit', () => {
  let gw: GatewayHarness;
  beforeAll(async () => {
    gw = await gatewayWithKeys();
    // The set is loaded once, by a valid token from elsewhere.
    expect((await get(gw, uniqueIp(), bearer(viewerToken()))).status).toBe(200);
  });

  it('failing credentials get 429 RATE_LIMITED with Retry-After and cause no JWKS fetch; valid ones still pass', async () => {
    const ip = uniqueIp();
    expect(await failTimes(gw, ip, LIMIT)).toEqual(Array(LIMIT).fill(401));
    const jwksBefore = idp.jwksRequests;

    expectRateLimited(await get(gw, ip, bearer(badSignature())));
    expectRateLimited(await get(gw, ip, bearer(unknownKid())));
    expectRateLimited(await get(gw, ip, { 'x-api-key': 'not-a-key' }));
    expectRateLimited(await get(gw, ip, { authorization: 'Basic dXNlcjpwYXNz' }));
    expect(idp.jwksRequests).toBe(jwksBefore);

    // GraphQL: the same code, with retryAfterSeconds.
    const gql = await gw.graphql(READ_QUERY, undefined, badSignature(), { 'x-forwarded-for': ip });
    expect(gql.json.errors[0].extensions).toMatchObject({ code: 'RATE_LIMITED' });
    expect(gql.json.errors[0].extensions.retryAfterSeconds).toBeGreaterThanOrEqual(1);

    // Credentials that verify, from the same address: a token of a known key, a service key.
    expect((await get(gw, ip, bearer(viewerToken()))).status).toBe(200);
    expect((await get(gw, ip, { 'x-api-key': SERVICE_KEY })).status).toBe(200);
    const ok = await gw.graphql(READ_QUERY, undefined, viewerToken(), { 'x-forwarded-for': ip });
    expect(ok.json.data.remoteSessions.totalCount).toEqual(expect.any(Number));
    // No credentials at all is not a failed authentication: 401 as always.
    expect((await get(gw, ip, {})).status).toBe(401);

    // Another address has its own count.
    expect((await get(gw, uniqueIp(), bearer(badSignature()))).status).toBe(401);
    expect(idp.jwksRequests).toBe(jwksBefore);
    expect(gw.logs.some((l) => l.includes('failed authentications'))).toBe(true);
  });

  it('a key new to the gateway is not fetched for an address over the limit, but works once someone else brought it in', async () => {
    const ip = uniqueIp();
    await failTimes(gw, ip, LIMIT);
    const next = await idp.addKey();
    const jwksBefore = idp.jwksRequests;

    expectRateLimited(await get(gw, ip, bearer(viewerToken(next))));
    expect(idp.jwksRequests).toBe(jwksBefore);

    expect((await get(gw, uniqueIp(), bearer(viewerToken(next)))).status).toBe(200);
    expect(idp.jwksRequests).toBe(jwksBefore + 1);
    expect((await get(gw, ip, bearer(viewerToken(next)))).status).toBe(200);
  });
});

describe('the limit itself', () => {
  it('is 120 failures a minute by default; 0 turns it off', async () => {
    const byDefault = await gateway({ RATE_LIMIT_AUTH_FAILURES_PER_MINUTE: '' });
    const ip = uniqueIp();
    expect(new Set(await failTimes(byDefault, ip, 120))).toEqual(new Set([401]));
    expectRateLimited(await get(byDefault, ip, bearer(badSignature())));

    const off = await gateway({ RATE_LIMIT_AUTH_FAILURES_PER_MINUTE: '0' });
    expect(new Set(await failTimes(off, ip, 130))).toEqual(new Set([401]));
  });

  describe('with Redis', () => {
    let redis: RedisProcess;
    const replicas: GatewayHarness[] = [];
    beforeAll(async () => {
      redis = await startRedisServer();
    });
    afterAll(async () => {
      // Gateways first: their Redis clients would otherwise keep reconnecting to a dead server.
      for (const gw of replicas) await gw.close();
      await redis?.kill();
    });

    it('is shared by the replicas', async () => {
      const env = { REDIS_URL: redis.url, RATE_LIMIT_IP_PER_MINUTE: '0' };
      const a = await gateway(env, replicas);
      const b = await gateway(env, replicas);
      const ip = uniqueIp();
      expect(await failTimes(a, ip, 3)).toEqual([401, 401, 401]);
      expect(await failTimes(b, ip, 2)).toEqual([401, 401]);
      expectRateLimited(await get(a, ip, bearer(badSignature())));
      expectRateLimited(await get(b, ip, bearer(badSignature())));
      expect((await get(b, ip, bearer(viewerToken()))).status).toBe(200);
    });
  });
});
