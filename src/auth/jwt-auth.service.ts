import { Injectable } from '@nestjs/common';
import { hash } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import type { Identity } from './claims-principal';
import { JwtStrategy, type VerifiedToken } from './jwt.strategy';
import { type BeforeKeyFetch, SigningKeyService } from './signing-key.service';
import { VerifiedTokenCache } from './verified-token.cache';

const CACHE_ENTRIES = 1000;
const CACHE_MAX_AGE_MS = 60_000;

/** Bearer-token authentication: passport-jwt verification behind a short-lived result cache. */
@Injectable()
export class JwtAuthService {
  // Keyed by the token's SHA-256 so the cache never holds a usable credential.
  private readonly cache = new VerifiedTokenCache<Identity>(CACHE_ENTRIES, CACHE_MAX_AGE_MS);
  /** Bumped when keys are withdrawn: a verification that started before is not remembered. */
  private generation = 0;

  constructor(
    private readonly strategy: JwtStrategy,
    keys: SigningKeyService,
  ) {
    // A key the issuer withdrew takes the tokens it verified with it, remembered or not.
    keys.onKeysRemoved(() => {
      this.generation++;
      this.cache.clear();
    });
  }

  /**
   * Verifies the request's bearer token (already extracted as `token`); throws AuthRejection.
   * `beforeKeyFetch` runs before the token would make the gateway fetch the issuer's keys.
   */
  async authenticate(
    req: { headers: IncomingHttpHeaders },
    token: string,
    beforeKeyFetch?: BeforeKeyFetch,
  ): Promise<Identity> {
    const key = hash('sha256', token, 'base64');
    const cached = this.cache.get(key, Date.now());
    if (cached) return cached;
    const generation = this.generation;
    const verified: VerifiedToken = await this.strategy.verify({
      headers: req.headers,
      beforeKeyFetch,
    });
    if (generation === this.generation) {
      this.cache.set(key, verified.identity, verified.expiresAt, Date.now());
    }
    return verified.identity;
  }
}
