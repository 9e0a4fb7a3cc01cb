import { PamCoreSimulator } from './pam-core-simulator';
import { FORM, bearer, http, sleep, tokenBody } from './test-helpers';

describe('PamCoreSimulator: token endpoint', () => {
  const sim = new PamCoreSimulator({ seed: 0, tokenTtlSeconds: 1, requireTenant: 'acme' });
  beforeAll(() => sim.start());
  afterAll(() => sim.stop());
  const tokenUrl = (): string => `${sim.url}/iso/oauth2/token`;

  it('issues opaque bearer tokens to a client in the body, and they really expire', async () => {
    const res = await http(tokenUrl(), {
      method: 'POST',
      headers: FORM,
      body: tokenBody({ client_id: 'sim-client', client_secret: 'sim-secret', tenant: 'acme' }),
    });
    expect(res.status).toBe(200);
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.json).toEqual({
      token_type: 'Bearer',
      expires_in: 1,
      access_token: expect.any(String),
    });
    const token: string = res.json.access_token;
    expect(token.length).toBeGreaterThanOrEqual(40);
    expect(sim.issuedTokens).toContain(token);

    const list = `${sim.url}/api/session/remotesessions`;
    expect((await http(list, { headers: bearer(token) })).status).toBe(200);
    await sleep(1050);
    const expired = await http(list, { headers: bearer(token) });
    expect(expired.status).toBe(401);
    expect(expired.json).toEqual({
      error: 'access_denied',
      error_description: 'The resource owner or authorization server denied the request.',
      hint: 'Access token could not be verified',
      message: 'The resource owner or authorization server denied the request.',
    });
  });

  it('accepts HTTP Basic client authentication (RFC 6749 §2.3.1 form-encoding) and tenant in the query', async () => {
    const s = new PamCoreSimulator({
      seed: 0,
      clientId: 'app id',
      clientSecret: 'p:ss&wörd',
      requireTenant: 'x',
    });
    await s.start();
    try {
      const basic = Buffer.from(
        `${encodeURIComponent('app id')}:${encodeURIComponent('p:ss&wörd')}`,
      ).toString('base64');
      const res = await http(`${s.url}/iso/oauth2/token?tenant=x`, {
        method: 'POST',
        headers: { ...FORM, authorization: `Basic ${basic}` },
        body: tokenBody(),
      });
      expect(res.status).toBe(200);
      expect(s.tokenRequests).toBe(1);
    } finally {
      await s.stop();
    }
  });

  it('rejects bad credentials, a missing tenant and wrong grant types with the exact bodies', async () => {
    const before = sim.tokenRequests;
    const invalidClient = {
      error: 'invalid_client',
      error_description: 'Client authentication failed',
      message: 'Client authentication failed',
    };
    const bad = await http(tokenUrl(), {
      method: 'POST',
      headers: FORM,
      body: tokenBody({ client_id: 'sim-client', client_secret: 'nope', tenant: 'acme' }),
    });
    expect([bad.status, bad.json]).toEqual([401, invalidClient]);
    const noTenant = await http(tokenUrl(), {
      method: 'POST',
      headers: FORM,
      body: tokenBody({ client_id: 'sim-client', client_secret: 'sim-secret' }),
    });
    expect([noTenant.status, noTenant.json]).toEqual([401, invalidClient]);
    const grant = await http(tokenUrl(), {
      method: 'POST',
      headers: FORM,
      body: 'grant_type=password&client_id=sim-client&client_secret=sim-secret&tenant=acme',
    });
    const unsupported =
      'The authorization grant type is not supported by the authorization server.';
    expect(grant.status).toBe(400);
    expect(grant.json).toEqual({
      error: 'unsupported_grant_type',
      error_description: unsupported,
      message: unsupported,
    });
    const json = await http(tokenUrl(), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ grant_type: 'client_credentials' }),
    });
    expect(json.status).toBe(400);
    expect(sim.tokenRequests - before).toBe(4);
  });
});
