import { Logger } from '@nestjs/common';
import type { CircuitState, PamCoreObserver, UpstreamResultCode } from './pam-core.observer';

type Operation = Parameters<PamCoreObserver['upstreamCall']>[0];

/** Forwards to the optional observer; a failing observer must never fail a termination. */
export class ObserverSink {
  constructor(
    private readonly observer: PamCoreObserver | undefined,
    private readonly logger: Logger,
  ) {}

  upstreamCall(operation: Operation, result: UpstreamResultCode, durationMs: number): void {
    this.safely(() => this.observer?.upstreamCall(operation, result, durationMs));
  }

  tokenRefreshed(): void {
    this.safely(() => this.observer?.tokenRefreshed());
  }

  circuitStateChanged(state: CircuitState): void {
    this.safely(() => this.observer?.circuitStateChanged(state));
  }

  upstreamPaused(untilEpochMs: number): void {
    this.safely(() => this.observer?.upstreamPaused?.(untilEpochMs));
  }

  upstreamCallPaused(): void {
    this.safely(() => this.observer?.upstreamCallPaused?.());
  }

  private safely(fn: () => void): void {
    try {
      fn();
    } catch {
      this.logger.warn('PAM Core observer threw; ignored');
    }
  }
}
