import { AUDIENCE, logs, startAuthTestApp, type AuthTestApp } from './support/auth-test-app';
import { decodeJwt, forge, nowSeconds } from './support/forge';
import { type IssuerHandle, startIssuer } from '../support/oidc-issuer';

// Bearer JWTs against a real OIDC issuer on loopback: discovery, JWKS, every rejection rule.
let issuer: IssuerHandle;
let gw: AuthTestApp;
let keycloakGw: AuthTestApp;
const unauthorized: Array<{ token: string; text: string }> = [];

const alice = {
  sub: 'u-alice',
  aud: AUDIENCE,
  preferred_username: 'alice',
  roles: ['session-operator'],
};

async function call(base: string, path: string, init: RequestInit & { token?: string } = {}) {
  const headers = new Headers(init.headers);
  if (init.token !== undefined) headers.set('authorization', `Bearer ${init.token}`);
  const res = await fetch(`${base}${path}`, { ...init, headers });
  const text = await res.text();
  if (res.status === 401 && init.token) unauthorized.push({ token: init.token, text });
  return {
    status: res.status,
    text,
    json: text ? (JSON.parse(text) as Record<string, unknown>) : undefined,
  };
}
const whoami = (token: string, base = gw.url) => call(base, '/t/whoami', { token });

beforeAll(async () => {
  issuer = await startIssuer();
  gw = await startAuthTestApp(issuer.url);
  keycloakGw = await startAuthTestApp(issuer.url, {
    env: { AUTH_ROLES_CLAIM: 'realm_access.roles' },
  });
});

afterAll(async () => {
  await gw?.close();
  await keycloakGw?.close();
  await issuer?.stop();
});

describe('valid tokens', () => {
  it('accepts an issuer token and exposes the principal', async () => {
    const token = await issuer.token({ payload: alice });
    const res = await call(gw.url, '/t/whoami', { token, headers: { 'user-agent': 'probe/1.0' } });
    expect(res.status).toBe(200);
    expect(res.json).toEqual({
      id: 'u-alice',
      key: `jwt:${issuer.url}:u-alice`,
      kind: 'user',
      name: 'alice',
      username: 'alice',
      roles: ['session-operator'],
      ip: expect.stringMatching(/127\.0\.0\.1$/),
      userAgent: 'probe/1.0',
    });
    // Served again (from the verified-token cache or not), the answer is the same.
    expect((await whoami(token)).json).toMatchObject({
      id: 'u-alice',
      key: `jwt:${issuer.url}:u-alice`,
    });
  });

  it('recognises a client-credentials token as a service', async () => {
    const token = await issuer.token({
      payload: {
        sub: 'svc-1',
        aud: [AUDIENCE, 'other'],
        client_id: 'billing',
        roles: ['session-viewer'],
      },
    });
    const res = await whoami(token);
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({
      id: 'svc-1',
      kind: 'service',
      name: 'billing',
      roles: ['session-viewer'],
    });
  });

  it('tolerates clock skew within AUTH_CLOCK_SKEW_SECONDS (default 30 s)', async () => {
    const now = nowSeconds();
    expect((await whoami(await issuer.token({ payload: { ...alice, exp: now - 5 } }))).status).toBe(
      200,
    );
    expect((await whoami(await issuer.token({ payload: { ...alice, nbf: now + 5 } }))).status).toBe(
      200,
    );
  });

  it('truncates a long User-Agent to 256 characters', async () => {
    const token = await issuer.token({ payload: alice });
    const res = await call(gw.url, '/t/whoami', {
      token,
      headers: { 'user-agent': 'x'.repeat(1000) },
    });
    expect((res.json?.userAgent as string).length).toBe(256);
  });
});

describe('rejected tokens', () => {
  const expectRejected = async (token: string, logged: string) => {
    const requestId = `rid-${Math.random().toString(36).slice(2)}`;
    const res = await call(gw.url, '/t/whoami', { token, headers: { 'x-request-id': requestId } });
    expect(res.status).toBe(401);
    expect(res.json).toEqual({
      code: 'UNAUTHENTICATED',
      message: 'Authentication required',
      requestId,
    });
    const line = logs.lines.find((l) => l.includes(requestId));
    expect(line).toContain(logged);
    expect(line).toMatch(/^warn /);
  };

  it('expired beyond the skew', async () => {
    await expectRejected(
      await issuer.token({ payload: { ...alice, exp: nowSeconds() - 120 } }),
      'jwt rejected: expired',
    );
  });

  it('not yet valid beyond the skew', async () => {
    await expectRejected(
      await issuer.token({ payload: { ...alice, nbf: nowSeconds() + 120 } }),
      'not yet valid',
    );
  });

  it('wrong issuer', async () => {
    await expectRejected(
      await issuer.token({ payload: { ...alice, iss: 'http://127.0.0.1:1/evil' } }),
      'issuer mismatch',
    );
  });

  it('issuer differing only by a trailing slash (exact match)', async () => {
    await expectRejected(
      await issuer.token({ payload: { ...alice, iss: `${issuer.url}/` } }),
      'issuer mismatch',
    );
  });

  it('wrong audience, and no audience', async () => {
    await expectRejected(
      await issuer.token({ payload: { ...alice, aud: 'someone-else' } }),
      'audience mismatch',
    );
    await expectRejected(
      await issuer.token({ payload: { ...alice, aud: null } }),
      'audience mismatch',
    );
  });

  it('no exp', async () => {
    const token = await issuer.token({ payload: { ...alice, exp: null } });
    expect(decodeJwt(token).payload.exp).toBeUndefined();
    await expectRejected(token, 'no exp claim');
  });

  it('no sub', async () => {
    await expectRejected(await issuer.token({ payload: { ...alice, sub: null } }), 'no sub claim');
  });

  it('signed by another key under the issuer kid', async () => {
    const payload = { ...alice, iss: issuer.url, exp: nowSeconds() + 300 };
    await expectRejected(
      forge.rs256({ kid: issuer.kid }, payload, forge.otherRsaKey()),
      'invalid signature',
    );
  });

  it('signed by another key under a kid the JWKS does not have', async () => {
    const payload = { ...alice, iss: issuer.url, exp: nowSeconds() + 300 };
    await expectRejected(
      forge.rs256({ kid: 'attacker-kid' }, payload, forge.otherRsaKey()),
      'kid not found',
    );
  });

  it('alg none', async () => {
    const payload = { ...alice, iss: issuer.url, exp: nowSeconds() + 300 };
    await expectRejected(
      forge.unsigned({ kid: issuer.kid }, payload),
      'algorithm not allowed (none)',
    );
  });

  it('HS256 signed with the issuer public key as the HMAC secret', async () => {
    const payload = { ...alice, iss: issuer.url, exp: nowSeconds() + 300 };
    const token = forge.hs256({ kid: issuer.kid }, payload, forge.publicPemOf(issuer.publicJwk));
    await expectRejected(token, 'algorithm not allowed (HS256)');
  });

  it('a genuine issuer signature but no kid', async () => {
    const token = await issuer.token({ payload: alice, header: { kid: null } });
    expect(decodeJwt(token).header.kid).toBeUndefined();
    await expectRejected(token, 'no kid');
  });

  it('a garbage bearer value and a non-Bearer scheme', async () => {
    await expectRejected('not-a-jwt', 'not "Bearer <jwt>"');
    const res = await call(gw.url, '/t/whoami', {
      headers: { authorization: 'Basic dXNlcjpwYXNz' },
    });
    expect(res.status).toBe(401);
  });

  it('no credentials at all', async () => {
    const res = await call(gw.url, '/t/whoami');
    expect(res.status).toBe(401);
    expect(res.json).toMatchObject({ code: 'UNAUTHENTICATED', message: 'Authentication required' });
  });
});

describe('roles', () => {
  it('a token without roles authenticates but is forbidden; public routes still answer', async () => {
    const token = await issuer.token({ payload: { ...alice, roles: null } });
    expect((await whoami(token)).status).toBe(403);
    expect((await call(gw.url, '/t/public', { token })).status).toBe(200);
    expect((await call(gw.url, '/t/public')).status).toBe(200);
  });

  it('reads roles from a nested claim (AUTH_ROLES_CLAIM=realm_access.roles)', async () => {
    const token = await issuer.token({
      payload: {
        ...alice,
        roles: null,
        realm_access: { roles: ['session-viewer', 'offline_access'] },
      },
    });
    const res = await whoami(token, keycloakGw.url);
    expect(res.status).toBe(200);
    expect(res.json?.roles).toEqual(['session-viewer', 'offline_access']);
    // The other app reads "roles", which this token lacks.
    expect((await whoami(token)).status).toBe(403);
  });

  it('takes a single string as one role', async () => {
    const token = await issuer.token({ payload: { ...alice, roles: 'session-operator' } });
    const res = await call(gw.url, '/t/sessions/S-1/terminate', { method: 'POST', token });
    expect(res.status).toBe(201);
    expect(res.json).toEqual({ sessionId: 'S-1', by: 'u-alice' });
  });
});

describe('failure answers', () => {
  it('are identical for every failure and never echo the token', () => {
    expect(unauthorized.length).toBeGreaterThanOrEqual(12);
    const bodies = new Set(
      unauthorized.map((u) => JSON.stringify({ ...JSON.parse(u.text), requestId: undefined })),
    );
    expect([...bodies]).toEqual([
      JSON.stringify({ code: 'UNAUTHENTICATED', message: 'Authentication required' }),
    ]);
    for (const { token, text } of unauthorized) {
      for (const part of token.split('.').filter((p) => p.length > 8))
        expect(text).not.toContain(part);
    }
  });

  it('logs no token, or any part of one', () => {
    const log = logs.lines.join('\n');
    for (const { token } of unauthorized) {
      for (const part of token.split('.').filter((p) => p.length > 8))
        expect(log).not.toContain(part);
    }
  });
});
