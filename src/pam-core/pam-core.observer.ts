import type { ErrorCode } from '../errors';

/** Token for an optional observer (metrics) of upstream activity. */
export const PAM_CORE_OBSERVER = Symbol('PAM_CORE_OBSERVER');

export type UpstreamResultCode = 'OK' | ErrorCode;
export type CircuitState = 'closed' | 'open' | 'half-open';

export interface PamCoreObserver {
  upstreamCall(
    operation: 'terminate' | 'list' | 'get' | 'token' | 'probe',
    result: UpstreamResultCode,
    durationMs: number,
  ): void;
  tokenRefreshed(): void;
  circuitStateChanged(state: CircuitState): void;
  /** Segura answered 429: no call to it until `untilEpochMs` (optional for older observers). */
  upstreamPaused?(untilEpochMs: number): void;
  /** A call answered UPSTREAM_UNAVAILABLE during that pause, without reaching Segura. */
  upstreamCallPaused?(): void;
}
