import { createHmac, randomBytes } from 'node:crypto';
import {
  OAuth1Verifier,
  baseStringUri,
  hmacSha1Signature,
  parseOAuthHeader,
  rfc3986Encode,
  signatureBaseString,
} from './oauth1-verify';

// OAuth Core 1.0 Appendix A.5 (the photos.example.net example RFC 5849 §1.2 is based on).
const EXAMPLE = {
  consumerKey: 'dpf43f3p2l4k3l03',
  consumerSecret: 'kd94hf93k423kf44',
  tokenKey: 'nnch734d00sl2jdk',
  tokenSecret: 'pfkkdhi9sl3r4s00',
  nonce: 'kllo9940pd9333jh',
  timestamp: '1191242096',
  signature: 'tR3+Ty81lMeYAr/Fid0kMTYa/WM=',
  baseString:
    'GET&http%3A%2F%2Fphotos.example.net%2Fphotos&file%3Dvacation.jpg%26oauth_consumer_key%3D' +
    'dpf43f3p2l4k3l03%26oauth_nonce%3Dkllo9940pd9333jh%26oauth_signature_method%3DHMAC-SHA1%26' +
    'oauth_timestamp%3D1191242096%26oauth_token%3Dnnch734d00sl2jdk%26oauth_version%3D1.0%26size%3Doriginal',
};

const exampleOauthParams: [string, string][] = [
  ['oauth_consumer_key', EXAMPLE.consumerKey],
  ['oauth_token', EXAMPLE.tokenKey],
  ['oauth_signature_method', 'HMAC-SHA1'],
  ['oauth_timestamp', EXAMPLE.timestamp],
  ['oauth_nonce', EXAMPLE.nonce],
  ['oauth_version', '1.0'],
];

function header(params: [string, string][], signature: string): string {
  const all = [['realm', 'http://photos.example.net/'], ...params, ['oauth_signature', signature]];
  return `OAuth ${all.map(([k, v]) => `${rfc3986Encode(k)}="${rfc3986Encode(v)}"`).join(', ')}`;
}

const exampleRequest = (authorization: string) => ({
  method: 'GET',
  scheme: 'http',
  host: 'photos.example.net',
  path: '/photos',
  query: 'file=vacation.jpg&size=original',
  authorization,
  contentType: undefined,
  body: '',
});

describe('OAuth 1.0a verification (RFC 5849)', () => {
  it('reproduces the published base string and signature', () => {
    const base = signatureBaseString(
      'GET',
      baseStringUri('http', 'photos.example.net', '/photos'),
      [...exampleOauthParams, ['file', 'vacation.jpg'], ['size', 'original']],
    );
    expect(base).toBe(EXAMPLE.baseString);
    expect(hmacSha1Signature(base, EXAMPLE.consumerSecret, EXAMPLE.tokenSecret)).toBe(
      EXAMPLE.signature,
    );
    // Independently of the module under test: plain node:crypto over the published base string.
    const key = `${EXAMPLE.consumerSecret}&${EXAMPLE.tokenSecret}`;
    expect(createHmac('sha1', key).update(EXAMPLE.baseString).digest('base64')).toBe(
      EXAMPLE.signature,
    );
  });

  it('accepts the published request once, then refuses the replayed nonce', () => {
    const verifier = new OAuth1Verifier(EXAMPLE, { now: () => Number(EXAMPLE.timestamp) + 10 });
    const req = exampleRequest(header(exampleOauthParams, EXAMPLE.signature));
    expect(verifier.verify(req)).toEqual({ ok: true });
    expect(verifier.verify(req)).toEqual({ ok: false, reason: 'nonce reused' });
  });

  it.each([
    ['a tampered query', { query: 'file=vacation.jpg&size=large' }, 'signature mismatch'],
    ['another method', { method: 'DELETE' }, 'signature mismatch'],
    ['another host', { host: 'photos.example.org' }, 'signature mismatch'],
    ['another path', { path: '/photos/' }, 'signature mismatch'],
  ])('rejects %s', (_name, change, reason) => {
    const verifier = new OAuth1Verifier(EXAMPLE, { now: () => Number(EXAMPLE.timestamp) });
    const req = { ...exampleRequest(header(exampleOauthParams, EXAMPLE.signature)), ...change };
    expect(verifier.verify(req)).toEqual({ ok: false, reason });
  });

  it('rejects a stale timestamp, a wrong consumer or token, and a non-HMAC-SHA1 method', () => {
    const stale = new OAuth1Verifier(EXAMPLE, { now: () => Number(EXAMPLE.timestamp) + 301 });
    const good = exampleRequest(header(exampleOauthParams, EXAMPLE.signature));
    expect(stale.verify(good).ok).toBe(false);

    const verifier = new OAuth1Verifier(EXAMPLE, { now: () => Number(EXAMPLE.timestamp) });
    const swap = (name: string, value: string): [string, string][] =>
      exampleOauthParams.map(([k, v]) => [k, k === name ? value : v]);
    for (const params of [
      swap('oauth_consumer_key', 'other'),
      swap('oauth_token', 'other'),
      swap('oauth_signature_method', 'PLAINTEXT'),
      swap('oauth_version', '2.0'),
    ]) {
      expect(verifier.verify(exampleRequest(header(params, EXAMPLE.signature))).ok).toBe(false);
    }
    expect(verifier.verify(exampleRequest('Bearer abc')).ok).toBe(false);
  });

  it('signs form bodies and keeps the non-default port in the base string URI', () => {
    const creds = { consumerKey: 'ck', consumerSecret: 'c s', tokenKey: 'tk', tokenSecret: 't&s' };
    const now = 1_700_000_000;
    const verifier = new OAuth1Verifier(creds, { now: () => now });
    const oauth: [string, string][] = [
      ['oauth_consumer_key', 'ck'],
      ['oauth_token', 'tk'],
      ['oauth_signature_method', 'HMAC-SHA1'],
      ['oauth_timestamp', String(now)],
      ['oauth_nonce', randomBytes(8).toString('hex')],
    ];
    const body = 'a=1+2&b=%21x';
    // Base string by hand: port 8080 kept, host lowercased, "+" in the form body is a space.
    const base =
      'POST&http%3A%2F%2Fexample.com%3A8080%2Fr%2520x&a%3D1%25202%26b%3D%2521x%26' +
      rfc3986Encode(
        oauth
          .map(([k, v]) => `${k}=${v}`)
          .sort()
          .join('&'),
      ) +
      '%26q%3D%25C3%25A9';
    const sig = createHmac('sha1', 'c%20s&t%26s').update(base).digest('base64');
    const req = {
      method: 'post',
      scheme: 'HTTP',
      host: 'Example.COM:8080',
      path: '/r%20x',
      query: 'q=%C3%A9',
      authorization: header(oauth, sig),
      contentType: 'application/x-www-form-urlencoded; charset=utf-8',
      body,
    };
    expect(verifier.verify(req)).toEqual({ ok: true });
    expect(baseStringUri('http', 'example.com:80', '/x')).toBe('http://example.com/x');
    expect(baseStringUri('https', 'example.com:443', '/x')).toBe('https://example.com/x');
  });

  it('parses Authorization headers strictly', () => {
    expect(parseOAuthHeader('OAuth a="1", b="x%20y"')).toEqual(
      new Map([
        ['a', '1'],
        ['b', 'x y'],
      ]),
    );
    expect(parseOAuthHeader('OAuth a="1", a="2"')).toBeNull();
    expect(parseOAuthHeader('OAuth a=1')).toBeNull();
    expect(parseOAuthHeader('Bearer x')).toBeNull();
  });
});
