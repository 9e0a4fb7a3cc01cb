import { createHmac, randomBytes } from 'node:crypto';
import OAuth from 'oauth-1.0a';
import { PamCoreSimulator } from './pam-core-simulator';
import { bearer, fetchToken, http } from './test-helpers';

const CREDS = {
  consumerKey: 'ck-segura',
  consumerSecret: 'cs/secret+1',
  tokenKey: 'tk-segura',
  tokenSecret: 'ts secret&2',
};
const SESSION = 'e7acacb6aedbab70073456da5744166939b77527';

/** RFC 5849 §3.4 written out in the test, independent of simulator/oauth1-verify.ts. */
function enc(s: string): string {
  return encodeURIComponent(s).replace(
    /[!'()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}
function signedHeader(method: string, url: string, overrides: Record<string, string> = {}): string {
  const u = new URL(url);
  const oauth: Record<string, string> = {
    oauth_consumer_key: CREDS.consumerKey,
    oauth_token: CREDS.tokenKey,
    oauth_signature_method: 'HMAC-SHA1',
    oauth_timestamp: String(Math.floor(Date.now() / 1000)),
    oauth_nonce: randomBytes(12).toString('hex'),
    oauth_version: '1.0',
    ...overrides,
  };
  const params = [...Object.entries(oauth), ...u.searchParams.entries()]
    .map(([k, v]) => `${enc(k)}=${enc(v)}`)
    .sort()
    .join('&');
  const base = `${method}&${enc(`${u.protocol}//${u.host}${u.pathname}`)}&${enc(params)}`;
  const key = `${enc(CREDS.consumerSecret)}&${enc(CREDS.tokenSecret)}`;
  const signature = createHmac('sha1', key).update(base).digest('base64');
  const all = { ...oauth, oauth_signature: signature };
  return `OAuth ${Object.entries(all)
    .map(([k, v]) => `${k}="${enc(v)}"`)
    .join(', ')}`;
}

describe('PamCoreSimulator: OAuth 1.0a over HTTP', () => {
  let sim: PamCoreSimulator;
  beforeEach(async () => {
    sim = new PamCoreSimulator({ seed: 0, oauth1: CREDS, prefix: '/segura' });
    await sim.start();
    sim.addSession({ sessionId: SESSION });
  });
  afterEach(() => sim.stop());

  it('accepts a correctly signed drop (URL with prefix and query), refuses its replay', async () => {
    const url = `${sim.url}/api/pam/session/drop/${SESSION}?reason=a%20b`;
    const authorization = signedHeader('DELETE', url);
    const ok = await http(url, { method: 'DELETE', headers: { authorization } });
    expect(ok.status).toBe(200);
    expect(ok.json.response.message).toBe('Session dropped successfully');
    const replay = await http(`${sim.url}/api/session/remotesessions`, {
      headers: { authorization },
    });
    expect([replay.status, replay.json]).toEqual([401, { message: 'Invalid signature' }]);
  });

  it('rejects a tampered request, a wrong secret and a stale timestamp with "Invalid signature"', async () => {
    const list = `${sim.url}/api/session/remotesessions`;
    const signedForOther = signedHeader('GET', `${list}?page=1`);
    const tampered = await http(`${list}?page=2`, { headers: { authorization: signedForOther } });
    expect([tampered.status, tampered.json]).toEqual([401, { message: 'Invalid signature' }]);
    const otherPath = await http(`${sim.url}/api/pam/session/remotesessions`, {
      headers: { authorization: signedHeader('GET', list) },
    });
    expect(otherPath.status).toBe(401);
    const stale = await http(list, {
      headers: {
        authorization: signedHeader('GET', list, {
          oauth_timestamp: String(Math.floor(Date.now() / 1000) - 600),
        }),
      },
    });
    expect(stale.status).toBe(401);
    const wrongKey = await http(list, {
      headers: { authorization: signedHeader('GET', list, { oauth_consumer_key: 'other' }) },
    });
    expect(wrongKey.status).toBe(401);
    // Bearer tokens keep working next to OAuth 1.0a.
    expect((await http(list, { headers: bearer(await fetchToken(sim)) })).status).toBe(200);
  });

  it('accepts requests signed by oauth-1.0a, the library the gateway signs with', async () => {
    const oauth = new OAuth({
      consumer: { key: CREDS.consumerKey, secret: CREDS.consumerSecret },
      signature_method: 'HMAC-SHA1',
      hash_function: (base, key) => createHmac('sha1', key).update(base).digest('base64'),
    });
    const url = `${sim.url}/api/session/remotesessions/${SESSION}`;
    const header = oauth.toHeader(
      oauth.authorize({ url, method: 'GET' }, { key: CREDS.tokenKey, secret: CREDS.tokenSecret }),
    );
    const res = await http(url, { headers: { authorization: header.Authorization } });
    expect(res.status).toBe(200);
    expect(res.json.remote_session[0].session_id).toBe(SESSION);
  });

  it('answers "Invalid signature" to OAuth headers when OAuth 1.0a is not configured', async () => {
    const plain = new PamCoreSimulator({ seed: 0 });
    await plain.start();
    try {
      const url = `${plain.url}/api/session/remotesessions`;
      const res = await http(url, { headers: { authorization: signedHeader('GET', url) } });
      expect([res.status, res.json]).toEqual([401, { message: 'Invalid signature' }]);
    } finally {
      await plain.stop();
    }
  });
});
