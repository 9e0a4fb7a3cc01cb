import type { Logger } from '@nestjs/common';
import { GatewayError, titleFor, type UpstreamFacts } from '../errors';
import type { ObserverSink } from './observer-sink';
import { parseRetryAfter } from './retry-after';
import type { UpstreamAnswer } from './upstream-answer';
import type { UpstreamRequest } from './upstream-http';

/**
 * Segura asked the gateway to wait: its own 429, or a call refused while that pause lasts.
 * UPSTREAM_UNAVAILABLE with Retry-After for the caller; its own class so the circuit breaker
 * and the token retries can leave it alone (Segura answered; asking again sooner is wrong).
 */
export class UpstreamPauseError extends GatewayError {
  constructor(retryAfterSeconds: number, detail: string, upstream: UpstreamFacts) {
    super('UPSTREAM_UNAVAILABLE', titleFor('UPSTREAM_UNAVAILABLE'), {
      detail,
      upstream,
      retryAfterSeconds,
      outcomeUnknown: false,
    });
  }
}

export interface Sender {
  send(req: UpstreamRequest): Promise<UpstreamAnswer>;
}

/**
 * Segura's rate limit (its API v2 conventions: 429 with Retry-After), honoured for every call
 * the gateway makes to it: drop, list, get, token and the readiness probe all go through
 * {@link send}. A 429 starts (or extends) one pause of Retry-After seconds; until it ends every
 * call is refused at once, nothing sent. Kept apart from the circuit breaker: a 429 proves
 * Segura is up, and a refusal says nothing about it.
 */
export class UpstreamPause implements Sender {
  private until = 0;

  constructor(
    private readonly http: Sender,
    private readonly sink: ObserverSink,
    private readonly logger: Logger,
    private readonly now: () => number = Date.now,
  ) {}

  /** Throws the refusal while paused: the remaining time as Retry-After, rounded up. */
  check(): void {
    const remainingMs = this.until - this.now();
    if (remainingMs <= 0) return;
    this.sink.upstreamCallPaused();
    const seconds = Math.max(1, Math.ceil(remainingMs / 1000));
    throw new UpstreamPauseError(
      seconds,
      `PAM Core asked the gateway to wait (rate limit); calls to it resume in ${seconds} s`,
      { durationMs: 0 }, // nothing was sent, so no upstream status
    );
  }

  async send(req: UpstreamRequest): Promise<UpstreamAnswer> {
    this.check();
    const answer = await this.http.send(req);
    if (answer.kind === 'response' && answer.status === 429) this.start(answer.retryAfter);
    return answer;
  }

  private start(retryAfter: string | undefined): void {
    const now = this.now();
    const seconds = parseRetryAfter(retryAfter, now);
    const until = now + seconds * 1000;
    if (until <= this.until) return; // a shorter answer never cuts a pause short
    if (this.until <= now) {
      this.logger.warn(`PAM Core answered 429 (rate limited): no calls to it for ${seconds} s`);
    }
    this.until = until;
    this.sink.upstreamPaused(until);
  }
}
