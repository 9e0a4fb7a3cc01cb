/**
 * Independent OAuth 1.0a (RFC 5849) HMAC-SHA1 verification, written with node:crypto only.
 * The gateway signs with the `oauth-1.0a` package; verifying with separate code is what makes
 * the simulator a real check of that signer rather than a mirror of it.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { OAuth1Credentials } from './types';

export type Param = [name: string, value: string];

/** RFC 5849 §3.6: RFC 3986 unreserved characters stay, everything else is %XX (upper hex). */
export function rfc3986Encode(value: string): string {
  return encodeURIComponent(value).replace(
    /[!'()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}

/** Decodes application/x-www-form-urlencoded text ("+" is a space); throws on bad escapes. */
export function formDecode(value: string): string {
  return decodeURIComponent(value.replace(/\+/g, ' '));
}

/** Splits a query string or form body into decoded name/value pairs, keeping duplicates. */
export function parseFormPairs(text: string): Param[] {
  if (text === '') return [];
  return text
    .split('&')
    .filter((part) => part !== '')
    .map((part) => {
      const eq = part.indexOf('=');
      const name = eq < 0 ? part : part.slice(0, eq);
      const value = eq < 0 ? '' : part.slice(eq + 1);
      return [formDecode(name), formDecode(value)] as Param;
    });
}

/**
 * RFC 5849 §3.5.1: `OAuth realm="x", oauth_consumer_key="…", …`. Returns null when the header
 * is not an OAuth header or is malformed (unquoted value, duplicate parameter).
 */
export function parseOAuthHeader(header: string): Map<string, string> | null {
  const m = /^\s*OAuth\s+(.*)$/is.exec(header);
  if (!m) return null;
  const out = new Map<string, string>();
  const text = m[1];
  const re = /\s*([^\s=,]+)\s*=\s*"([^"]*)"\s*(,|$)/y;
  let pos = 0;
  while (text.slice(pos).trim() !== '') {
    re.lastIndex = pos;
    const match = re.exec(text);
    if (!match) return null;
    pos = re.lastIndex;
    let name: string;
    let value: string;
    try {
      name = decodeURIComponent(match[1]);
      value = decodeURIComponent(match[2]);
    } catch {
      return null;
    }
    if (out.has(name)) return null;
    out.set(name, value);
    if (match[3] === '') break;
  }
  return out;
}

/**
 * RFC 5849 §3.4.1.2: lowercase scheme and host, port only when not the scheme's default,
 * path exactly as received (already percent-encoded), no query.
 */
export function baseStringUri(scheme: string, hostHeader: string, rawPath: string): string {
  const lowerScheme = scheme.toLowerCase();
  const host = hostHeader.trim().toLowerCase();
  const m = /^(\[[^\]]+\]|[^:]+)(?::(\d+))?$/.exec(host);
  const hostname = m ? m[1] : host;
  const port = m?.[2];
  const defaultPort = lowerScheme === 'https' ? '443' : '80';
  const authority = port && port !== defaultPort ? `${hostname}:${port}` : hostname;
  return `${lowerScheme}://${authority}${rawPath === '' ? '/' : rawPath}`;
}

/** RFC 5849 §3.4.1.3.2: encode, sort by name then value, join. */
export function normalizeParams(params: Param[]): string {
  return params
    .map(([n, v]) => [rfc3986Encode(n), rfc3986Encode(v)] as Param)
    .sort(([an, av], [bn, bv]) => (an < bn ? -1 : an > bn ? 1 : av < bv ? -1 : av > bv ? 1 : 0))
    .map(([n, v]) => `${n}=${v}`)
    .join('&');
}

/** RFC 5849 §3.4.1.1. */
export function signatureBaseString(method: string, baseUri: string, params: Param[]): string {
  return [
    method.toUpperCase(),
    rfc3986Encode(baseUri),
    rfc3986Encode(normalizeParams(params)),
  ].join('&');
}

/** RFC 5849 §3.4.2: key is encoded consumer secret "&" encoded token secret. */
export function hmacSha1Signature(
  base: string,
  consumerSecret: string,
  tokenSecret: string,
): string {
  const key = `${rfc3986Encode(consumerSecret)}&${rfc3986Encode(tokenSecret)}`;
  return createHmac('sha1', key).update(base).digest('base64');
}

export interface OAuth1Request {
  method: string;
  scheme: string;
  host: string;
  /** Raw path as received (no query). */
  path: string;
  /** Raw query string without "?". */
  query: string;
  authorization: string;
  contentType: string | undefined;
  body: string;
}

export type VerifyResult = { ok: true } | { ok: false; reason: string };

export interface VerifierOptions {
  /** Accepted clock skew in seconds (default 300). */
  maxSkewSeconds?: number;
  /** Nonces remembered (oldest forgotten first). */
  maxNonces?: number;
  /** Current time in epoch seconds (tests pin it). */
  now?: () => number;
}

/** Verifies requests signed for one consumer/token pair; remembers nonces to refuse replays. */
export class OAuth1Verifier {
  private readonly nonces = new Set<string>();
  private readonly maxSkew: number;
  private readonly maxNonces: number;
  private readonly now: () => number;

  constructor(
    private readonly creds: OAuth1Credentials,
    opts: VerifierOptions = {},
  ) {
    this.maxSkew = opts.maxSkewSeconds ?? 300;
    this.maxNonces = opts.maxNonces ?? 100_000;
    this.now = opts.now ?? (() => Math.floor(Date.now() / 1000));
  }

  verify(req: OAuth1Request): VerifyResult {
    const header = parseOAuthHeader(req.authorization);
    if (!header) return { ok: false, reason: 'malformed Authorization header' };
    const get = (k: string): string | undefined => header.get(k);
    if (get('oauth_consumer_key') !== this.creds.consumerKey)
      return { ok: false, reason: 'unknown consumer key' };
    if (get('oauth_token') !== this.creds.tokenKey) return { ok: false, reason: 'unknown token' };
    if (get('oauth_signature_method') !== 'HMAC-SHA1')
      return { ok: false, reason: 'unsupported signature method' };
    const version = get('oauth_version');
    if (version !== undefined && version !== '1.0') return { ok: false, reason: 'bad version' };
    const timestamp = get('oauth_timestamp') ?? '';
    if (!/^\d+$/.test(timestamp)) return { ok: false, reason: 'bad timestamp' };
    if (Math.abs(this.now() - Number(timestamp)) > this.maxSkew)
      return { ok: false, reason: 'timestamp outside the accepted window' };
    const nonce = get('oauth_nonce');
    if (!nonce) return { ok: false, reason: 'missing nonce' };
    const signature = get('oauth_signature');
    if (!signature) return { ok: false, reason: 'missing signature' };

    let params: Param[];
    try {
      params = this.collectParams(header, req);
    } catch {
      return { ok: false, reason: 'undecodable parameters' };
    }
    const base = signatureBaseString(
      req.method,
      baseStringUri(req.scheme, req.host, req.path),
      params,
    );
    const expected = Buffer.from(
      hmacSha1Signature(base, this.creds.consumerSecret, this.creds.tokenSecret),
    );
    const given = Buffer.from(signature);
    if (given.length !== expected.length || !timingSafeEqual(given, expected))
      return { ok: false, reason: 'signature mismatch' };

    // Only a correctly signed request may consume a nonce, so forgeries cannot burn them.
    const nonceKey = `${timestamp}:${nonce}`;
    if (this.nonces.has(nonceKey)) return { ok: false, reason: 'nonce reused' };
    this.rememberNonce(nonceKey);
    return { ok: true };
  }

  /** RFC 5849 §3.4.1.3.1: header oauth_* (minus realm and signature), query, form body. */
  private collectParams(header: Map<string, string>, req: OAuth1Request): Param[] {
    const params: Param[] = [];
    for (const [k, v] of header) {
      if (k !== 'realm' && k !== 'oauth_signature') params.push([k, v]);
    }
    params.push(...parseFormPairs(req.query));
    const type = (req.contentType ?? '').split(';')[0].trim().toLowerCase();
    if (type === 'application/x-www-form-urlencoded') params.push(...parseFormPairs(req.body));
    return params;
  }

  private rememberNonce(key: string): void {
    this.nonces.add(key);
    if (this.nonces.size > this.maxNonces) {
      // Sets iterate in insertion order: drop the oldest.
      const oldest = this.nonces.values().next();
      if (!oldest.done) this.nonces.delete(oldest.value);
    }
  }
}
