import { Injectable } from '@nestjs/common';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type {
  CircuitState,
  PamCoreObserver,
  UpstreamResultCode,
} from '../pam-core/pam-core.observer';

const CIRCUIT_VALUE: Record<CircuitState, number> = { closed: 0, 'half-open': 1, open: 2 };

/**
 * Prometheus metrics on a registry of this app's own (tests run several apps in one process).
 * Also the PAM Core client's observer.
 */
@Injectable()
export class MetricsService implements PamCoreObserver {
  readonly registry = new Registry();
  private readonly requests = new Counter({
    name: 'pam_gateway_requests_total',
    help: 'Caller requests by channel, operation and result code (OK on success)',
    labelNames: ['channel', 'operation', 'result'] as const,
    registers: [this.registry],
  });
  private readonly upstream = new Histogram({
    name: 'pam_gateway_upstream_duration_seconds',
    help: 'PAM Core call latency by operation and result code',
    labelNames: ['operation', 'result'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [this.registry],
  });
  private readonly tokenRefreshes = new Counter({
    name: 'pam_gateway_token_refreshes_total',
    help: 'OAuth 2.0 tokens obtained from PAM Core',
    registers: [this.registry],
  });
  private readonly circuit = new Gauge({
    name: 'pam_gateway_circuit_state',
    help: 'PAM Core circuit breaker: 0 closed, 1 half-open, 2 open',
    registers: [this.registry],
  });
  private readonly auditWrites = new Histogram({
    name: 'pam_gateway_audit_write_duration_seconds',
    help: 'Durable audit writes (intent, outcome, rejection)',
    labelNames: ['kind', 'result'] as const,
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
    registers: [this.registry],
  });
  private pausedUntil = 0;
  private readonly upstreamPause = new Gauge({
    name: 'pam_gateway_upstream_pause_seconds',
    help: 'Seconds left of the pause PAM Core asked for with a 429 (0: none); no calls meanwhile',
    registers: [this.registry],
    collect: () => {
      const seconds = Math.max(0, Math.ceil((this.pausedUntil - Date.now()) / 1000));
      this.upstreamPause.set(seconds);
    },
  });
  private readonly pausedCalls = new Counter({
    name: 'pam_gateway_upstream_paused_calls_total',
    help: 'Calls answered UPSTREAM_UNAVAILABLE during a PAM Core 429 pause, without calling it',
    registers: [this.registry],
  });
  private readonly rateLimits = new Counter({
    name: 'pam_gateway_rate_limited_total',
    help: 'Requests refused by a rate limit, by scope',
    labelNames: ['scope'] as const,
    registers: [this.registry],
  });

  private readonly checkpoints = new Counter({
    name: 'pam_gateway_audit_checkpoints_total',
    help: 'Audit checkpoint attempts of this replica: written, skipped (head not moved, or written by another replica), error',
    labelNames: ['result'] as const,
    registers: [this.registry],
  });
  private readonly lastCheckpoint = new Gauge({
    name: 'pam_gateway_audit_checkpoint_last_timestamp_seconds',
    help: 'Time of the newest audit checkpoint in AUDIT_CHECKPOINT_DIR (by any replica), Unix seconds',
    registers: [this.registry],
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry, prefix: 'pam_gateway_' });
    this.circuit.set(0);
  }

  /** Errors already counted by the service that handled them (the error filter skips those). */
  private readonly counted = new WeakSet<object>();

  request(channel: string, operation: string, result: string, error?: object): void {
    this.requests.inc({ channel, operation, result });
    if (error) this.counted.add(error);
  }

  /** For the error filter: counts a rejection no service saw (authentication, RBAC guard, per-IP limit). */
  requestRejected(channel: string, operation: string, result: string, error: object): void {
    if (this.counted.has(error)) return;
    this.request(channel, operation, result, error);
  }

  auditWrite(kind: 'intent' | 'outcome' | 'rejection', ok: boolean, seconds: number): void {
    this.auditWrites.observe({ kind, result: ok ? 'ok' : 'error' }, seconds);
  }

  /** One checkpoint attempt; `newestEpochS`: the directory's newest checkpoint, when known. */
  auditCheckpoint(result: 'written' | 'skipped' | 'error', newestEpochS?: number): void {
    this.checkpoints.inc({ result });
    if (newestEpochS !== undefined) this.lastCheckpoint.set(newestEpochS);
  }

  rateLimited(scope: string): void {
    this.rateLimits.inc({ scope });
  }

  upstreamCall(operation: string, result: UpstreamResultCode, durationMs: number): void {
    this.upstream.observe({ operation, result }, durationMs / 1000);
  }

  tokenRefreshed(): void {
    this.tokenRefreshes.inc();
  }

  circuitStateChanged(state: CircuitState): void {
    this.circuit.set(CIRCUIT_VALUE[state]);
  }

  upstreamPaused(untilEpochMs: number): void {
    this.pausedUntil = Math.max(this.pausedUntil, untilEpochMs);
  }

  upstreamCallPaused(): void {
    this.pausedCalls.inc();
  }
}
