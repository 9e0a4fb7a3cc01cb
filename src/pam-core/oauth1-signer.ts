import { createHmac, randomBytes } from 'node:crypto';
import OAuth from 'oauth-1.0a';
import type { OAuth1Settings } from '../config';

/** Test seams: RFC 5849's published example needs a fixed nonce and timestamp. */
export interface OAuth1SignerOptions {
  nonce?: () => string;
  timestamp?: () => number;
}

/**
 * Signs requests with OAuth 1.0a HMAC-SHA1 (RFC 5849) for Segura's A2A OAuth 1 mode.
 * The URL is signed exactly as it is sent (prefix, encoded id, query), so it must be
 * the same string the HTTP client requests.
 */
export class OAuth1Signer {
  private readonly oauth: OAuth;
  private readonly token: OAuth.Token;

  constructor(settings: OAuth1Settings, opts: OAuth1SignerOptions = {}) {
    this.oauth = new OAuth({
      consumer: { key: settings.consumerKey, secret: settings.consumerSecret },
      signature_method: 'HMAC-SHA1',
      version: '1.0',
      hash_function: (base, key) => createHmac('sha1', key).update(base).digest('base64'),
    });
    // The library's own nonce uses Math.random; a replay-protection nonce should not be guessable.
    const nonce = opts.nonce ?? (() => randomBytes(16).toString('hex'));
    this.oauth.getNonce = nonce;
    if (opts.timestamp) this.oauth.getTimeStamp = opts.timestamp;
    this.token = { key: settings.tokenKey, secret: settings.tokenSecret };
  }

  /** Signature parameters for one request (exposed for tests). */
  sign(method: string, url: string): OAuth.Authorization {
    return this.oauth.authorize({ method: method.toUpperCase(), url }, this.token);
  }

  /** The `Authorization: OAuth …` header value for one request; fresh nonce and timestamp. */
  authorizationHeader(method: string, url: string): string {
    return this.oauth.toHeader(this.sign(method, url)).Authorization;
  }
}
