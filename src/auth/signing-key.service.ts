import { HttpService } from '@nestjs/axios';
import { Inject, Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';
import type { KeyObject } from 'node:crypto';
import type { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';
import { closeTransportOf } from '../http';
import { AuthRejection, logSafe } from './auth-rejection';
import { readJwtHeader } from './bearer-token';
import { getIssuerJson, urlForLog } from './issuer-http';
import { checkJwtHeader, type HeaderPolicy, headerPolicy } from './jose-header';
import { type HeldKey, keySetOf, MAX_JWKS_BYTES } from './jwks';
import { discoverJwksUri } from './oidc-discovery';

/** Bound for one JWKS fetch, connection to last byte. */
const FETCH_TIMEOUT_MS = 5000;
/** A token naming a kid the loaded set lacks refetches the set at most this often. */
export const UNKNOWN_KID_REFETCH_MS = 30_000;

/** Called before a token makes the gateway fetch keys; throws to refuse (per-IP limits). */
export type BeforeKeyFetch = () => Promise<void>;

type FetchReason = 'first use' | 'unknown kid' | 'scheduled';

const monotonicNow = (): number => performance.now();

/**
 * The issuer's signing keys, held by the gateway: the one place that talks to the issuer.
 *
 * - The JWKS URL comes from AUTH_JWKS_URL or from discovery. The set is loaded on first use
 *   (never at start, so an IdP outage cannot stop the gateway from booting); a failed first
 *   load is retried after a pause, requests meanwhile fail fast.
 * - Once loaded it is refreshed every AUTH_JWKS_REFRESH_S, and at most once per 30 s because a
 *   token names a kid the set lacks. There is never more than one fetch in flight; whoever
 *   needs it shares it.
 * - A token whose kid is in the set is answered from it at once, whatever is in flight. A key
 *   stays in the set until a successful fetch no longer lists it; a failed fetch keeps the set.
 */
@Injectable()
export class SigningKeyService implements OnModuleDestroy {
  private readonly logger = new Logger(SigningKeyService.name);
  private readonly policy: HeaderPolicy;
  private readonly refreshMs: number;
  private jwksUri?: string;
  /** Undefined until the first successful fetch. */
  private keys?: ReadonlyMap<string, HeldKey>;
  private inFlight?: Promise<void>;
  private abort?: AbortController;
  private timer?: NodeJS.Timeout;
  private destroyed = false;
  /** Before the first load: no new attempt before this (monotonic ms) after a failure. */
  private retryAt = 0;
  private lastFailure = '';
  private lastUnknownKidFetch = -Infinity;
  private readonly removalListeners: Array<() => void> = [];

  /** Pause after a failed first load (discovery or JWKS) before the next attempt. */
  discoveryRetryMs = 5000;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    /** AuthModule's own, on the issuer's undici pool. */
    private readonly http: HttpService,
  ) {
    this.policy = headerPolicy(config.auth);
    this.refreshMs = config.auth.jwksRefreshSeconds * 1000;
    this.jwksUri = config.auth.jwksUrl;
  }

  /**
   * The verification key for a raw JWT, chosen by its header. The header is checked first
   * (alg allow-list, kid, crit, typ: see jose-header.ts), before any network call. When the
   * key is not in the set and the set may be fetched, `beforeFetch` runs first and may refuse.
   */
  async keyFor(token: string, beforeFetch?: BeforeKeyFetch): Promise<KeyObject> {
    const { alg, kid } = checkJwtHeader(readJwtHeader(token), this.policy);
    const key = this.keys?.get(kid) ?? (await this.fetchFor(kid, beforeFetch));
    // A JWK that names its algorithm may only be used with that one (RFC 7517 §4.4).
    if (key.alg !== undefined && key.alg !== alg) {
      throw new AuthRejection(
        `jwt rejected: alg ${alg} does not match the key's alg ${logSafe(key.alg)}`,
      );
    }
    return key.key;
  }

  /** Registers a callback for when a fetch drops keys (cached verifications must go too). */
  onKeysRemoved(listener: () => void): void {
    this.removalListeners.push(listener);
  }

  async onModuleDestroy(): Promise<void> {
    this.destroyed = true;
    clearTimeout(this.timer);
    this.abort?.abort();
    // The fetch in flight was just cancelled: nothing is worth waiting for.
    await closeTransportOf(this.http.axiosRef, 0);
  }

  /** A kid the set lacks: joins or starts a fetch when one is allowed, then looks again. */
  private async fetchFor(kid: string, beforeFetch?: BeforeKeyFetch): Promise<HeldKey> {
    this.assertMayFetch();
    await beforeFetch?.();
    if (!this.inFlight) {
      // Looked at again: the state may have moved on while beforeFetch ran.
      this.assertMayFetch();
      if (this.keys) this.lastUnknownKidFetch = monotonicNow();
      void this.fetchKeys(this.keys ? 'unknown kid' : 'first use');
    }
    await this.inFlight;
    if (!this.keys) throw new AuthRejection(this.lastFailure);
    const key = this.keys.get(kid);
    if (!key) throw new AuthRejection('jwt rejected: kid not found in the issuer JWKS');
    return key;
  }

  private assertMayFetch(): void {
    if (this.inFlight) return;
    const now = monotonicNow();
    if (!this.keys) {
      if (now < this.retryAt) throw new AuthRejection(this.lastFailure);
    } else if (now - this.lastUnknownKidFetch < UNKNOWN_KID_REFETCH_MS) {
      throw new AuthRejection(
        'jwt rejected: kid not found in the issuer JWKS (fetched again less than 30 s ago)',
      );
    }
  }

  /** Starts a fetch (discovery first when needed), or joins the one in flight. Never rejects. */
  private fetchKeys(reason: FetchReason): Promise<void> {
    if (this.inFlight) return this.inFlight;
    const abort = new AbortController();
    this.abort = abort;
    this.inFlight = this.fetchOnce(reason, abort.signal).finally(() => {
      this.inFlight = undefined;
      this.abort = undefined;
      this.schedule();
    });
    return this.inFlight;
  }

  private async fetchOnce(reason: FetchReason, signal: AbortSignal): Promise<void> {
    if (!this.jwksUri) {
      try {
        this.jwksUri = await discoverJwksUri(this.http, this.config.auth.issuer, signal);
        this.logger.log(`JWKS location discovered: ${urlForLog(this.jwksUri)}`);
      } catch (err) {
        this.failed('OIDC discovery failed', 'oidc discovery failed', err);
        return;
      }
    }
    try {
      const doc = await getIssuerJson(this.http, this.jwksUri, {
        maxBytes: MAX_JWKS_BYTES,
        timeoutMs: FETCH_TIMEOUT_MS,
        signal,
      });
      this.install(keySetOf(doc, this.keys), reason);
    } catch (err) {
      this.failed(this.keys ? 'JWKS refresh failed' : 'JWKS fetch failed', 'JWKS unavailable', err);
    }
  }

  private install(set: ReturnType<typeof keySetOf>, reason: FetchReason): void {
    const previous = this.keys;
    this.keys = set.keys;
    this.retryAt = 0;
    this.lastFailure = '';
    const added = [...set.keys.keys()].filter((kid) => !previous?.has(kid));
    const removed = previous ? [...previous.keys()].filter((kid) => !set.keys.has(kid)) : [];
    if (added.length === 0 && removed.length === 0) return;
    const list = (kids: string[]) => kids.map((k) => logSafe(k, 64)).join(', ');
    const changes = [
      added.length > 0 ? `added ${list(added)}` : '',
      removed.length > 0 ? `removed ${list(removed)}` : '',
      set.skipped.length > 0 ? `ignored ${set.skipped.join('; ')}` : '',
    ].filter(Boolean);
    this.logger.log(
      `JWKS ${previous ? 'refreshed' : 'loaded'} (${reason}): ${set.keys.size} key(s) held; ${changes.join('; ')}`,
    );
    if (removed.length > 0) for (const listener of this.removalListeners) listener();
  }

  private failed(what: string, reasonPrefix: string, err: unknown): void {
    const message = err instanceof Error ? err.message : String(err);
    this.lastFailure = `${reasonPrefix}: ${message}`;
    // Cancelled by onModuleDestroy: the gateway is stopping, nothing failed.
    if (this.destroyed) return;
    if (this.keys) {
      this.logger.error(`${what}; keeping the ${this.keys.size} key(s) held: ${message}`);
      return;
    }
    this.retryAt = monotonicNow() + this.discoveryRetryMs;
    this.logger.error(`${what} (retry in ${this.discoveryRetryMs} ms): ${message}`);
  }

  /** Arms the next background refresh (one timer at most, never holding the process open). */
  private schedule(): void {
    if (this.destroyed || this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.fetchKeys('scheduled');
    }, this.refreshMs);
    this.timer.unref();
  }
}
