import { Logger } from '@nestjs/common';
import { ExponentialBackoff, handleWhen, retry, RetryPolicy } from 'cockatiel';
import type { OAuth2Settings } from '../config';
import { GatewayError } from '../errors';
import { ObserverSink } from './observer-sink';
import { joinUrl } from './pam-core-urls';
import { classifyAnswer, UNAVAILABLE_RETRY_AFTER_S, upstreamError } from './response-classifier';
import type { UpstreamAnswer } from './upstream-answer';
import type { UpstreamRequest } from './upstream-http';
import { genericMessage, logUnrecognised } from './segura-texts';
import { UpstreamPauseError } from './upstream-pause';

export interface TokenManagerOptions {
  timeoutMs: number;
  /** Retries of a failed token request (availability failures only); default 2. */
  retries?: number;
  retryInitialDelayMs?: number;
  retryMaxDelayMs?: number;
  maxBodyBytes?: number;
  /** Clock seam for tests (epoch milliseconds). */
  now?: () => number;
  observer?: ObserverSink;
  logger?: Logger;
}

export interface BearerToken {
  value: string;
  /** True when it came from the cache, false when this call waited for a token request. */
  fromCache: boolean;
}

interface CachedToken {
  value: string;
  refreshAt: number;
}

type Sender = { send(req: UpstreamRequest): Promise<UpstreamAnswer> };

/** Segura documents 1 h and 24 h lifetimes; anything longer is treated as 24 h. */
const MAX_LIFETIME_S = 24 * 3600;
/** RFC 6749 makes expires_in optional; without it the token is kept for a short, safe while. */
const DEFAULT_LIFETIME_S = 300;

/** RFC 6749 Appendix B: client id and secret are form-urlencoded before HTTP Basic. */
function formEncode(s: string): string {
  return new URLSearchParams([['', s]]).toString().slice(1);
}

/**
 * OAuth 2.0 client-credentials tokens for Segura's A2A API: cached until shortly before
 * `expires_in` runs out (margin: min(60 s, 10 % of the lifetime)), one token request in flight
 * at a time however many callers wait, retried with backoff only for availability failures.
 */
export class OAuth2TokenManager {
  private cached?: CachedToken;
  private inflight?: Promise<string>;
  private readonly now: () => number;
  private readonly logger: Logger;
  private readonly observer: ObserverSink;
  private readonly policy: RetryPolicy;

  constructor(
    private readonly http: Sender,
    private readonly baseUrl: string,
    private readonly settings: OAuth2Settings,
    private readonly opts: TokenManagerOptions,
  ) {
    this.now = opts.now ?? Date.now;
    this.logger = opts.logger ?? new Logger('PamCore');
    this.observer = opts.observer ?? new ObserverSink(undefined, this.logger);
    // Asking for a token again has no side effect, so unavailability and timeouts are retried;
    // never Segura's 429 (or a call refused during the pause it started): it asked us to wait.
    this.policy = retry(
      handleWhen(
        (e) =>
          e instanceof GatewayError &&
          !(e instanceof UpstreamPauseError) &&
          (e.code === 'UPSTREAM_UNAVAILABLE' || e.code === 'UPSTREAM_TIMEOUT'),
      ),
      {
        maxAttempts: opts.retries ?? 2,
        backoff: new ExponentialBackoff({
          initialDelay: opts.retryInitialDelayMs ?? 100,
          maxDelay: opts.retryMaxDelayMs ?? 2_000,
        }),
      },
    );
  }

  /** A valid access token, from the cache or from one shared token request. */
  async getToken(): Promise<BearerToken> {
    const cached = this.cached;
    if (cached && this.now() < cached.refreshAt) return { value: cached.value, fromCache: true };
    if (!this.inflight) {
      this.inflight = this.policy
        .execute(() => this.requestToken())
        .finally(() => {
          this.inflight = undefined;
        });
    }
    return { value: await this.inflight, fromCache: false };
  }

  /** Forgets `value` if it is still the cached token (after Segura answered 401 to it). */
  invalidate(value: string): void {
    if (this.cached?.value === value) this.cached = undefined;
  }

  private async requestToken(): Promise<string> {
    const form = new URLSearchParams({ grant_type: 'client_credentials' });
    const headers: Record<string, string> = {
      'content-type': 'application/x-www-form-urlencoded',
      accept: 'application/json',
    };
    const { clientId, clientSecret, clientAuth, tenant } = this.settings;
    if (clientAuth === 'basic') {
      const pair = `${formEncode(clientId)}:${formEncode(clientSecret)}`;
      headers.authorization = `Basic ${Buffer.from(pair, 'utf8').toString('base64')}`;
    } else {
      form.set('client_id', clientId);
      form.set('client_secret', clientSecret);
    }
    if (tenant !== undefined) form.set('tenant', tenant);

    const requestedAt = this.now();
    const answer = await this.http.send({
      method: 'POST',
      url: joinUrl(this.baseUrl, this.settings.tokenPath),
      headers,
      body: form.toString(),
      timeoutMs: this.opts.timeoutMs,
      maxBodyBytes: this.opts.maxBodyBytes ?? 1024 * 1024,
    });
    try {
      const token = this.accept(answer, requestedAt);
      this.observer.upstreamCall('token', 'OK', answer.durationMs);
      this.observer.tokenRefreshed();
      return token;
    } catch (err) {
      const code = err instanceof GatewayError ? err.code : 'INTERNAL';
      this.observer.upstreamCall('token', code, answer.durationMs);
      throw err;
    }
  }

  /** Validates a token answer and caches it; throws GatewayError for anything unusable. */
  private accept(answer: UpstreamAnswer, requestedAt: number): string {
    const c = classifyAnswer(answer, { successKeys: ['access_token'] });
    logUnrecognised(this.logger, 'token', { unrecognised: c.unrecognised, status: answer.status });
    if (!c.ok) throw tokenEndpointError(c.error);
    const { access_token: value, expires_in: expiresIn, token_type: tokenType } = c.body;
    const malformed = (why: string): GatewayError =>
      upstreamError(
        { code: 'UPSTREAM_ERROR' },
        { status: c.status, durationMs: c.durationMs, detail: `Unusable token answer: ${why}` },
      );
    // Printable ASCII without spaces: it goes into a header, so CR/LF must never get through.
    if (typeof value !== 'string' || !/^[\x21-\x7E]{1,8192}$/.test(value))
      throw malformed('no usable access_token');
    if (
      tokenType !== undefined &&
      (typeof tokenType !== 'string' || tokenType.toLowerCase() !== 'bearer')
    ) {
      throw malformed('token_type is not Bearer');
    }
    let lifetimeS = DEFAULT_LIFETIME_S;
    if (expiresIn !== undefined && expiresIn !== null) {
      const n =
        typeof expiresIn === 'string' && /^\d+(\.\d+)?$/.test(expiresIn)
          ? Number(expiresIn)
          : expiresIn;
      if (typeof n !== 'number' || !Number.isFinite(n) || n <= 0) throw malformed('bad expires_in');
      lifetimeS = Math.min(n, MAX_LIFETIME_S);
    } else {
      this.logger.warn(`Token answer without expires_in; caching it for ${DEFAULT_LIFETIME_S} s`);
    }
    const lifetimeMs = lifetimeS * 1000;
    const marginMs = Math.min(60_000, lifetimeMs * 0.1);
    this.cached = { value, refreshAt: requestedAt + lifetimeMs - marginMs };
    this.logger.debug(`PAM Core token obtained, valid for ${Math.round(lifetimeS)} s`);
    return value;
  }
}

/**
 * A token request changes nothing in Segura, so its outcome is never unknown; a 5xx or an
 * unreadable 5xx page from the token endpoint means Segura is unavailable for us.
 */
function tokenEndpointError(e: GatewayError): GatewayError {
  if (e instanceof UpstreamPauseError) return e; // already known-outcome, with Segura's pause
  const status = e.upstream?.status;
  const code =
    e.code === 'UPSTREAM_ERROR' && status !== undefined && status >= 500
      ? 'UPSTREAM_UNAVAILABLE'
      : e.code;
  // A generic text names the code it was chosen for: follow the code.
  const generic = (m?: string) => (m === genericMessage(e.code) ? genericMessage(code) : m);
  return new GatewayError(code, e.message, {
    detail: generic(e.detail),
    upstream: e.upstream && { ...e.upstream, message: generic(e.upstream.message) },
    // Nothing was sent to the session endpoint: whatever failed, the outcome is known.
    outcomeUnknown: false,
    retryAfterSeconds:
      code === 'UPSTREAM_UNAVAILABLE'
        ? (e.retryAfterSeconds ?? UNAVAILABLE_RETRY_AFTER_S)
        : undefined,
  });
}
