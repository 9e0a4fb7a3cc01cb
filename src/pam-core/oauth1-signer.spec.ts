import { createHmac } from 'node:crypto';
import { OAuth1Signer } from './oauth1-signer';

// RFC 5849 §1.2: the published example request and its signature.
const RFC = {
  consumerKey: 'dpf43f3p2l4k3l03',
  consumerSecret: 'kd94hf93k423kf44',
  tokenKey: 'nnch734d00sl2jdk',
  tokenSecret: 'pfkkdhi9sl3r4s00',
};

/** An independent RFC 5849 §3.4.1 base string, for URLs without query parameters. */
function expectedSignature(method: string, url: string, nonce: string, timestamp: number): string {
  const enc = (s: string) =>
    encodeURIComponent(s).replace(
      /[!*'()]/g,
      (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
    );
  const params = [
    ['oauth_consumer_key', RFC.consumerKey],
    ['oauth_nonce', nonce],
    ['oauth_signature_method', 'HMAC-SHA1'],
    ['oauth_timestamp', String(timestamp)],
    ['oauth_token', RFC.tokenKey],
    ['oauth_version', '1.0'],
  ]
    .map(([k, v]) => `${enc(k)}=${enc(v)}`)
    .join('&');
  const base = `${method}&${enc(url)}&${enc(params)}`;
  return createHmac('sha1', `${enc(RFC.consumerSecret)}&${enc(RFC.tokenSecret)}`)
    .update(base)
    .digest('base64');
}

describe('OAuth1Signer', () => {
  it('reproduces the RFC 5849 §1.2 example signature', () => {
    const signer = new OAuth1Signer(RFC, {
      nonce: () => 'kllo9940pd9333jh',
      timestamp: () => 1191242096,
    });
    const auth = signer.sign(
      'GET',
      'http://photos.example.net/photos?file=vacation.jpg&size=original',
    );
    expect(auth.oauth_signature).toBe('tR3+Ty81lMeYAr/Fid0kMTYa/WM=');
    expect(auth).toMatchObject({
      oauth_signature_method: 'HMAC-SHA1',
      oauth_version: '1.0',
      oauth_token: RFC.tokenKey,
    });
  });

  it('puts every parameter, percent-encoded, in an OAuth Authorization header', () => {
    const signer = new OAuth1Signer(RFC, {
      nonce: () => 'kllo9940pd9333jh',
      timestamp: () => 1191242096,
    });
    const header = signer.authorizationHeader(
      'GET',
      'http://photos.example.net/photos?file=vacation.jpg&size=original',
    );
    expect(header.startsWith('OAuth ')).toBe(true);
    expect(header).toContain('oauth_signature="tR3%2BTy81lMeYAr%2FFid0kMTYa%2FWM%3D"');
    expect(header).toContain('oauth_consumer_key="dpf43f3p2l4k3l03"');
    expect(header).toContain('oauth_nonce="kllo9940pd9333jh"');
    expect(header).toContain('oauth_timestamp="1191242096"');
    expect(header).not.toContain(RFC.consumerSecret);
    expect(header).not.toContain(RFC.tokenSecret);
  });

  it('signs the full URL as sent: prefix, port and encoded id', () => {
    const signer = new OAuth1Signer(RFC, { nonce: () => 'n0nce', timestamp: () => 1700000000 });
    const url =
      'https://segura.example:8443/segura/api/pam/session/drop/e7acacb6aedbab70073456da5744166939b77527';
    expect(signer.sign('DELETE', url).oauth_signature).toBe(
      expectedSignature('DELETE', url, 'n0nce', 1700000000),
    );
    // Another prefix gives another signature: a wrong base URL is "Invalid signature" upstream.
    const other = url.replace('/segura/', '/');
    expect(signer.sign('DELETE', other).oauth_signature).not.toBe(
      signer.sign('DELETE', url).oauth_signature,
    );
  });

  it('uses a fresh nonce for every request', () => {
    const signer = new OAuth1Signer(RFC);
    const a = signer.sign('DELETE', 'http://h/x');
    const b = signer.sign('DELETE', 'http://h/x');
    expect(a.oauth_nonce).not.toBe(b.oauth_nonce);
    expect(a.oauth_nonce).toMatch(/^[0-9a-f]{32}$/);
    expect(Math.abs(a.oauth_timestamp - Date.now() / 1000)).toBeLessThan(120);
  });
});
