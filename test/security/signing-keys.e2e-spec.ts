import { randomUUID } from 'node:crypto';
import { AUDIENCE, logs, startAuthTestApp, type AuthTestApp } from '../auth/support/auth-test-app';
import { forge, nowSeconds } from '../auth/support/forge';
import { type KeyServer, startKeyServer } from '../support/key-server';

/**
 * The issuer's signing keys as the gateway holds them (src/auth/signing-key.service.ts): tokens
 * naming unknown kids cannot starve the known keys, rotation and removal follow the issuer,
 * a failing or hanging issuer never takes a known key away, and JOSE headers the gateway does
 * not understand (crit) or was told not to accept (typ) are refused.
 */
const started: Array<{ close(): Promise<void> }> = [];
afterAll(async () => {
  for (const s of started.reverse()) await s.close();
});

const claims = {
  sub: 'u-erin',
  aud: AUDIENCE,
  preferred_username: 'erin',
  roles: ['session-viewer'],
};

async function setup(
  env: Record<string, string> = {},
): Promise<{ idp: KeyServer; gw: AuthTestApp }> {
  const idp = await startKeyServer();
  started.push({ close: () => idp.stop() });
  // The per-IP failure limit (auth-failures.e2e-spec.ts) is off: these floods stand for many
  // addresses, and the key set alone must hold them off.
  const gw = await startAuthTestApp(idp.url, {
    env: { RATE_LIMIT_AUTH_FAILURES_PER_MINUTE: '0', ...env },
  });
  started.push(gw);
  return { idp, gw };
}

async function whoami(gw: AuthTestApp, token: string, requestId?: string): Promise<number> {
  const headers: Record<string, string> = { authorization: `Bearer ${token}` };
  if (requestId) headers['x-request-id'] = requestId;
  const res = await fetch(`${gw.url}/t/whoami`, { headers });
  await res.arrayBuffer();
  return res.status;
}

/** Sends every token, `width` at a time; the statuses in order. */
async function send(gw: AuthTestApp, tokens: string[], width = 50): Promise<number[]> {
  const statuses: number[] = [];
  for (let i = 0; i < tokens.length; i += width) {
    statuses.push(...(await Promise.all(tokens.slice(i, i + width).map((t) => whoami(gw, t)))));
  }
  return statuses;
}

/** Tokens no issuer signed, each naming a kid nobody published. */
function randomKidTokens(idp: KeyServer, count: number): string[] {
  const attacker = forge.otherRsaKey();
  const payload = { ...claims, iss: idp.url, exp: nowSeconds() + 300 };
  return Array.from({ length: count }, () => forge.rs256({ kid: randomUUID() }, payload, attacker));
}

const valid = (idp: KeyServer, kid = idp.kid, expiresIn?: number) =>
  idp.tokenWith(kid, { payload: claims, expiresIn });

describe('unknown kids', () => {
  it('a flood of tokens with random kids neither locks out valid tokens nor turns into JWKS traffic', async () => {
    const { idp, gw } = await setup();
    // The flood comes first: the gateway has not seen a valid token yet.
    expect(await send(gw, randomKidTokens(idp, 200))).toEqual(Array(200).fill(401));
    expect(await whoami(gw, valid(idp))).toBe(200);
    // The first load of the set, and at most one refetch for all those unknown kids.
    expect(idp.jwksRequests).toBeLessThanOrEqual(2);

    const before = idp.jwksRequests;
    expect(await send(gw, randomKidTokens(idp, 200))).toEqual(Array(200).fill(401));
    expect(await whoami(gw, valid(idp))).toBe(200);
    // Within 30 s of that refetch, unknown kids cost no request to the issuer.
    expect(idp.jwksRequests).toBe(before);
  });

  it('picks up a key rotated in with one refetch; the key it replaced stops working with it', async () => {
    const { idp, gw } = await setup();
    const old = valid(idp);
    expect(await whoami(gw, old)).toBe(200);
    expect(idp.jwksRequests).toBe(1);

    const next = await idp.addKey();
    idp.removeKey(idp.kid);
    const fresh = Array.from({ length: 5 }, () => valid(idp, next));
    expect(await send(gw, fresh)).toEqual(Array(5).fill(200));
    // Five callers, one refetch between them.
    expect(idp.jwksRequests).toBe(2);

    // That successful refetch no longer lists the old key: neither the token verified before
    // (and remembered as verified) nor a new one signed with it passes now.
    expect(await whoami(gw, old, 'rid-retired-key')).toBe(401);
    expect(await whoami(gw, valid(idp))).toBe(401);
    expect(logs.lines.find((l) => l.includes('rid-retired-key'))).toContain('kid not found');
    expect(idp.jwksRequests).toBe(2);
  });
});

describe('refreshing the set', () => {
  it('refreshes every AUTH_JWKS_REFRESH_S; a failed refresh keeps the last good set, a successful one drops removed keys', async () => {
    const { idp, gw } = await setup({ AUTH_JWKS_REFRESH_S: '1' });
    expect(await whoami(gw, valid(idp))).toBe(200);

    // Two refreshes each time: the second one only starts once the first has been handled.
    for (const mode of ['error', 'huge', 'many'] as const) {
      idp.mode = mode;
      await idp.waitForJwksRequests(idp.jwksRequests + 2);
      expect(await whoami(gw, valid(idp))).toBe(200);
    }
    const log = logs.lines.join('\n');
    expect(log).toContain('JWKS refresh failed');
    expect(log).toContain('HTTP 503');
    expect(log).toContain('larger than');
    expect(log).toContain('more than 100 keys');
    // The issuer's own words are not repeated.
    expect(log).not.toContain('"error":"unavailable"');

    // The issuer unreachable (connection refused) for a few refresh periods.
    await idp.pause();
    await new Promise((r) => setTimeout(r, 2500));
    await idp.resume();
    expect(await whoami(gw, valid(idp))).toBe(200);

    const next = await idp.addKey();
    idp.removeKey(idp.kid);
    idp.mode = 'ok';
    await idp.waitForJwksRequests(idp.jwksRequests + 2);
    expect(await whoami(gw, valid(idp))).toBe(401);
    expect(await whoami(gw, valid(idp, next))).toBe(200);

    // Closed, the gateway stops refreshing.
    started.splice(started.indexOf(gw), 1);
    await gw.close();
    const after = idp.jwksRequests;
    await new Promise((r) => setTimeout(r, 2500));
    expect(idp.jwksRequests).toBe(after);
  });

  it('a token signed with a known key never waits on a refetch in flight', async () => {
    const { idp, gw } = await setup();
    expect(await whoami(gw, valid(idp))).toBe(200);

    // An unknown kid sets off a refetch that hangs at the issuer.
    idp.mode = 'hang';
    const unknown = whoami(gw, randomKidTokens(idp, 1)[0]);
    await idp.waitForJwksRequests(2);

    // Long after the key was fetched (the clock moved on 11 minutes: a cached key of 10 minutes
    // would have expired), a token signed with it still verifies at once.
    const skew = 11 * 60_000;
    const realDateNow = Date.now.bind(Date);
    const realPerfNow = performance.now.bind(performance);
    const dateNow = jest.spyOn(Date, 'now').mockImplementation(() => realDateNow() + skew);
    const perfNow = jest.spyOn(performance, 'now').mockImplementation(() => realPerfNow() + skew);
    try {
      const token = valid(idp, idp.kid, 3600);
      const t0 = process.hrtime.bigint();
      expect(await whoami(gw, token)).toBe(200);
      // Generous: the hanging refetch would take the 5 s fetch timeout.
      expect(Number(process.hrtime.bigint() - t0) / 1e6).toBeLessThan(2000);
    } finally {
      dateNow.mockRestore();
      perfNow.mockRestore();
    }
    idp.mode = 'ok';
    expect(await unknown).toBe(401);
  });
});

describe('JOSE header', () => {
  it.each([
    ['an extension the gateway does not implement', ['b64']],
    ['a registered header', ['exp']],
    ['nothing (an empty list)', []],
    ['a string instead of a list', 'b64'],
    ['an object instead of a list', {}],
  ])('refuses a crit header naming %s', async (_name, crit) => {
    const { idp, gw } = await setup();
    expect(await whoami(gw, idp.tokenWith(idp.kid, { payload: claims }))).toBe(200);
    const requestId = `rid-crit-${randomUUID()}`;
    const token = idp.tokenWith(idp.kid, { payload: claims, header: { crit, b64: true } });
    expect(await whoami(gw, token, requestId)).toBe(401);
    expect(logs.lines.find((l) => l.includes(requestId))).toMatch(/^warn jwt rejected: .*crit/);
  });

  it('AUTH_TOKEN_TYPES: only the listed typ values, compared case-insensitively; unset: any', async () => {
    const { idp, gw } = await setup({ AUTH_TOKEN_TYPES: 'at+jwt' });
    const typed = (typ: unknown) => idp.tokenWith(idp.kid, { payload: claims, header: { typ } });
    for (const typ of ['at+jwt', 'AT+JWT', 'application/at+jwt', 'Application/At+Jwt']) {
      expect([typ, await whoami(gw, typed(typ))]).toEqual([typ, 200]);
    }
    for (const typ of ['JWT', 'jwt', 'application/jwt', 'at+jwt2', 'text/at+jwt', 42, null]) {
      const requestId = `rid-typ-${randomUUID()}`;
      expect([typ, await whoami(gw, typed(typ), requestId)]).toEqual([typ, 401]);
      expect(logs.lines.find((l) => l.includes(requestId))).toMatch(/^warn jwt rejected: .*typ/);
    }

    const open = await startAuthTestApp(idp.url);
    started.push(open);
    for (const typ of ['JWT', 'at+jwt', 'anything', null]) {
      expect([typ, await whoami(open, typed(typ))]).toEqual([typ, 200]);
    }
  });
});
