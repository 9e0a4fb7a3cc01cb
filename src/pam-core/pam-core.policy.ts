import { Logger } from '@nestjs/common';
import {
  BrokenCircuitError,
  BulkheadPolicy,
  BulkheadRejectedError,
  bulkhead,
  circuitBreaker,
  CircuitBreakerPolicy,
  CircuitState as CockatielState,
  ConsecutiveBreaker,
  ExponentialBackoff,
  handleAll,
  handleWhenResult,
  retry,
  RetryPolicy,
} from 'cockatiel';
import { GatewayError } from '../errors';
import type { ObserverSink } from './observer-sink';
import type { CircuitState } from './pam-core.observer';
import type { UpstreamAnswer } from './upstream-answer';
import { UpstreamPauseError } from './upstream-pause';

/** Optional injection token overriding the resilience numbers (tests, tuning). */
export const PAM_CORE_POLICY_OPTIONS = Symbol('PAM_CORE_POLICY_OPTIONS');

export interface PamCorePolicyOptions {
  /** Consecutive availability failures that open the circuit. */
  breakerThreshold?: number;
  /** How long the circuit stays open before one probe call is let through. */
  breakerCooldownMs?: number;
  /** Retries of an API call whose connection failed before anything was sent. */
  connectRetries?: number;
  /** Retries of a token request that failed for availability reasons. */
  tokenRetries?: number;
  retryInitialDelayMs?: number;
  retryMaxDelayMs?: number;
  /** Calls allowed to wait for a free slot when `maxConcurrency` are in flight. */
  bulkheadQueue?: number;
  /** Body limit for drop, single session and token answers. */
  maxBodyBytes?: number;
  /** Body limit for the session list, which Segura warns can be very long. */
  maxListBodyBytes?: number;
  /** Upper bound of a readiness probe (also bounded by the configured timeout). */
  probeTimeoutMs?: number;
  /**
   * How long a readiness probe's result (up or down) is reused: /health/ready is public, so a
   * flood of probes makes at most one Segura call per this period.
   */
  probeCacheMs?: number;
}

export type ResolvedPolicy = Required<PamCorePolicyOptions>;

export const DEFAULT_POLICY: ResolvedPolicy = {
  breakerThreshold: 5,
  breakerCooldownMs: 10_000,
  connectRetries: 2,
  tokenRetries: 2,
  retryInitialDelayMs: 100,
  retryMaxDelayMs: 2_000,
  bulkheadQueue: 1_000,
  maxBodyBytes: 1024 * 1024,
  maxListBodyBytes: 64 * 1024 * 1024,
  probeTimeoutMs: 2_000,
  probeCacheMs: 5_000,
};

export function resolvePolicy(options?: PamCorePolicyOptions): ResolvedPolicy {
  const defined = Object.fromEntries(
    Object.entries(options ?? {}).filter(([, v]) => v !== undefined),
  );
  return { ...DEFAULT_POLICY, ...defined };
}

/**
 * Failures that say Segura is not answering usefully. Segura's own answers (not found,
 * termination failed, auth and rights errors, and its 429 "wait") prove it is up and never
 * open the circuit; nor does a call refused during the pause such a 429 started.
 */
export function countsAgainstCircuit(err: unknown): boolean {
  if (err instanceof UpstreamPauseError) return false;
  if (!(err instanceof GatewayError)) return true;
  return (
    err.code === 'UPSTREAM_UNAVAILABLE' ||
    err.code === 'UPSTREAM_TIMEOUT' ||
    err.code === 'UPSTREAM_ERROR'
  );
}

function nothingSent(result: unknown): boolean {
  const a = result as UpstreamAnswer;
  return a.kind === 'transport' && a.failure === 'not-sent';
}

/** Retries an exchange only when nothing was sent, so repeating it cannot do harm. */
export function connectRetryPolicy(policy: ResolvedPolicy): RetryPolicy {
  return retry(handleWhenResult(nothingSent), {
    maxAttempts: policy.connectRetries,
    backoff: new ExponentialBackoff({
      initialDelay: policy.retryInitialDelayMs,
      maxDelay: policy.retryMaxDelayMs,
    }),
  });
}

const STATE_NAMES: Record<CockatielState, CircuitState> = {
  [CockatielState.Closed]: 'closed',
  [CockatielState.Open]: 'open',
  [CockatielState.HalfOpen]: 'half-open',
  [CockatielState.Isolated]: 'open',
};

type Settled<T> = { value: T } | { answered: unknown };

/**
 * Bulkhead (at most `maxConcurrency` calls in flight, a bounded queue) around a consecutive
 * failure circuit breaker. The bulkhead is outermost so that overload never opens the circuit.
 * Segura's 429 pause is checked before the breaker (on arrival and again when a queued call
 * gets its slot), so its refusals never reach the breaker: not as failures, and not as the
 * "success" that would close a half-open circuit without Segura having been asked.
 */
export class UpstreamGuard {
  private readonly bulkhead: BulkheadPolicy;
  private readonly breaker: CircuitBreakerPolicy;
  private openedAt = 0;

  constructor(
    private readonly policy: ResolvedPolicy,
    maxConcurrency: number,
    private readonly sink: ObserverSink,
    private readonly logger: Logger,
    private readonly pause: { check(): void } = { check: () => undefined },
  ) {
    this.bulkhead = bulkhead(maxConcurrency, policy.bulkheadQueue);
    this.breaker = circuitBreaker(handleAll, {
      halfOpenAfter: policy.breakerCooldownMs,
      breaker: new ConsecutiveBreaker(policy.breakerThreshold),
    });
    this.breaker.onStateChange((state) => this.stateChanged(state));
  }

  get circuitState(): CircuitState {
    return STATE_NAMES[this.breaker.state];
  }

  /** Runs one upstream operation under the bulkhead and the breaker. */
  async run<T>(operation: () => Promise<T>): Promise<T> {
    this.pause.check();
    try {
      return await this.bulkhead.execute(async () => {
        this.pause.check();
        const settled = await this.breaker.execute(async (): Promise<Settled<T>> => {
          try {
            return { value: await operation() };
          } catch (err) {
            // Segura answered: for the breaker that is a success, for the caller still an error.
            if (!countsAgainstCircuit(err)) return { answered: err };
            throw err;
          }
        });
        if ('answered' in settled) throw settled.answered;
        return settled.value;
      });
    } catch (err) {
      if (err instanceof BrokenCircuitError) throw this.circuitOpenError();
      if (err instanceof BulkheadRejectedError) {
        throw new GatewayError('UPSTREAM_UNAVAILABLE', 'PAM Core is unavailable', {
          detail: 'Too many PAM Core requests in flight',
          retryAfterSeconds: 1,
        });
      }
      throw err;
    }
  }

  private circuitOpenError(): GatewayError {
    const remainingMs = this.openedAt + this.policy.breakerCooldownMs - Date.now();
    return new GatewayError('UPSTREAM_UNAVAILABLE', 'PAM Core is unavailable', {
      detail: 'PAM Core failed repeatedly; calls are paused for a short while',
      retryAfterSeconds: Math.max(1, Math.ceil(remainingMs / 1000)),
      upstream: { durationMs: 0 },
    });
  }

  private stateChanged(state: CockatielState): void {
    const name = STATE_NAMES[state];
    if (state === CockatielState.Open) {
      this.openedAt = Date.now();
      this.logger.warn(
        `PAM Core circuit opened after ${this.policy.breakerThreshold} consecutive failures; failing fast for ${this.policy.breakerCooldownMs} ms`,
      );
    } else {
      this.logger.log(`PAM Core circuit ${name}`);
    }
    this.sink.circuitStateChanged(name);
  }
}
