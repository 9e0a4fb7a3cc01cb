import { Inject, Injectable, Logger } from '@nestjs/common';
import { createPublicKey, type KeyObject } from 'node:crypto';
import { JwksClient, type SigningKey } from 'jwks-rsa';
import type { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';
import { AuthRejection, logSafe } from './auth-rejection';
import { readJwtHeader } from './bearer-token';
import { discoverJwksUri } from './oidc-discovery';

/**
 * The IdP's signing keys: the one place that talks to the issuer. The JWKS URL comes from
 * AUTH_JWKS_URL or from discovery, fetched on first use (never at start, so an IdP outage
 * cannot stop the gateway from booting) and retried after a pause when it fails.
 */
@Injectable()
export class SigningKeyService {
  private readonly logger = new Logger(SigningKeyService.name);
  private readonly algorithms: ReadonlySet<string>;
  private client?: JwksClient;
  private pending?: Promise<JwksClient>;
  private retryAt = 0;
  private lastFailure = '';
  // jwks-rsa memoizes SigningKey objects per kid, so this maps each to its parsed key once
  // instead of letting jsonwebtoken parse the PEM again on every verification.
  private readonly keyObjects = new WeakMap<SigningKey, KeyObject>();

  /** Pause after a failed discovery before the next attempt; requests meanwhile fail fast. */
  discoveryRetryMs = 5000;

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {
    this.algorithms = new Set(config.auth.algorithms);
    if (config.auth.jwksUrl) this.client = this.createClient(config.auth.jwksUrl);
  }

  /**
   * The verification key for a raw JWT, chosen by its header. Rejects before any network call
   * when `alg` is not allowed (none, HS*) or there is no `kid`.
   */
  async keyFor(token: string): Promise<KeyObject> {
    const header = readJwtHeader(token);
    if (typeof header.alg !== 'string' || !this.algorithms.has(header.alg)) {
      throw new AuthRejection(`jwt rejected: algorithm not allowed (${logSafe(header.alg)})`);
    }
    if (typeof header.kid !== 'string' || header.kid === '') {
      throw new AuthRejection('jwt rejected: no kid in header');
    }
    const client = await this.jwksClient();
    let key: SigningKey;
    try {
      key = await client.getSigningKey(header.kid);
    } catch (err) {
      throw new AuthRejection(`jwt rejected: ${describeJwksError(err)}`);
    }
    // A JWK that names its algorithm may only be used with that one (RFC 7517 §4.4).
    if (key.alg !== undefined && key.alg !== header.alg) {
      throw new AuthRejection(
        `jwt rejected: alg ${header.alg} does not match the key's alg ${logSafe(key.alg)}`,
      );
    }
    let keyObject = this.keyObjects.get(key);
    if (!keyObject) {
      keyObject = createPublicKey(key.getPublicKey());
      this.keyObjects.set(key, keyObject);
    }
    return keyObject;
  }

  private jwksClient(): Promise<JwksClient> {
    if (this.client) return Promise.resolve(this.client);
    if (this.pending) return this.pending;
    if (Date.now() < this.retryAt) {
      return Promise.reject(new AuthRejection(`oidc discovery unavailable: ${this.lastFailure}`));
    }
    // One discovery at a time: concurrent first requests share this promise.
    this.pending = discoverJwksUri(this.config.auth.issuer).then(
      (jwksUri) => {
        this.logger.log(`JWKS location discovered: ${jwksUri}`);
        this.client = this.createClient(jwksUri);
        this.pending = undefined;
        return this.client;
      },
      (err: unknown) => {
        this.lastFailure = err instanceof Error ? err.message : String(err);
        this.retryAt = Date.now() + this.discoveryRetryMs;
        this.pending = undefined;
        this.logger.error(
          `OIDC discovery failed (retry in ${this.discoveryRetryMs} ms): ${this.lastFailure}`,
        );
        throw new AuthRejection(`oidc discovery failed: ${this.lastFailure}`);
      },
    );
    return this.pending;
  }

  private createClient(jwksUri: string): JwksClient {
    return new JwksClient({
      jwksUri,
      cache: true,
      cacheMaxEntries: 10,
      cacheMaxAge: 10 * 60 * 1000,
      // An unknown kid refetches the JWKS (key rotation) at most this often, so random kids
      // cannot turn the gateway into a load generator against the IdP.
      rateLimit: true,
      jwksRequestsPerMinute: 10,
      timeout: 5000,
    });
  }
}

function describeJwksError(err: unknown): string {
  const name = err instanceof Error ? err.name : '';
  switch (name) {
    case 'SigningKeyNotFoundError':
      return 'kid not found in the issuer JWKS';
    case 'JwksRateLimitError':
      return 'unknown kid and JWKS refetch rate limit reached';
    default:
      return `JWKS unavailable: ${err instanceof Error ? err.message : String(err)}`;
  }
}
