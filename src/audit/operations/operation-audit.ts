import { Injectable, Logger, Optional } from '@nestjs/common';
import { GatewayError, toGatewayError } from '../../errors';
import { MetricsService } from '../../observability/metrics.service';
import { AuditService } from '../audit.service';
import type { AuditIntent, AuditOutcomeUpdate, AuditRecord } from '../audit.types';

/**
 * The audit writes of audited operations, timed for metrics, with one rule each: intents fail
 * closed (AUDIT_UNAVAILABLE, nothing forwarded); rejections and outcomes, written after the
 * decision or the upstream call, are logged when they fail but never change the answer.
 */
@Injectable()
export class OperationAudit {
  private readonly logger = new Logger('AuditedOperations');

  constructor(
    private readonly audit: AuditService,
    @Optional() private readonly metrics?: MetricsService,
  ) {}

  /** Throws AUDIT_UNAVAILABLE when the record cannot be committed. */
  intent(intent: AuditIntent): Promise<AuditRecord> {
    return this.timed('intent', () => this.audit.recordIntent(intent));
  }

  /** An allowed record complete at once (reads, dry runs); throws like {@link intent}. */
  completed(intent: AuditIntent, update: AuditOutcomeUpdate): Promise<AuditRecord> {
    return this.timed('intent', () => this.audit.recordCompleted(intent, update));
  }

  /**
   * A request allowed by policy that failed before anything was forwarded (the session list or
   * a scope lookup could not be read): one complete record, logged if it cannot be written.
   */
  async recordFailure(intent: AuditIntent, err: GatewayError): Promise<void> {
    try {
      await this.completed(intent, {
        outcome: 'failed',
        errorCode: err.code,
        upstream: err.upstream,
      });
    } catch (e) {
      this.logger.error(
        { requestId: intent.requestId, err: toGatewayError(e).message },
        'could not record a failed request',
      );
    }
  }

  /**
   * Runs a step of an allowed request before anything is forwarded (reading the session list,
   * looking a session up); when it fails, records the failure and rethrows it.
   */
  async orRecordFailure<T>(intent: AuditIntent, step: () => Promise<T>): Promise<T> {
    try {
      return await step();
    } catch (err) {
      const gw = toGatewayError(err);
      await this.recordFailure(intent, gw);
      throw gw;
    }
  }

  /** Records a denial (FORBIDDEN) and returns the error to throw, `err` or a plain Forbidden. */
  async denied(
    base: Omit<AuditIntent, 'decision'>,
    details?: Record<string, unknown>,
    err: GatewayError = new GatewayError('FORBIDDEN', 'Forbidden'),
  ): Promise<GatewayError> {
    await this.rejection({ ...base, decision: 'denied', errorCode: 'FORBIDDEN', details });
    return err;
  }

  /** Denied and invalid attempts; a failure to record them is logged, not hidden. */
  async rejection(intent: AuditIntent): Promise<void> {
    try {
      await this.timed('rejection', () => this.audit.recordIntent(intent));
    } catch (err) {
      this.logger.error(
        {
          requestId: intent.requestId,
          decision: intent.decision,
          err: toGatewayError(err).message,
        },
        'could not record a rejected request',
      );
    }
  }

  /**
   * Records a request refused as invalid input (decision `invalid`, the code and the field at
   * fault) and returns the error to throw, so every feature audits bad input the same way.
   */
  async invalid(base: Omit<AuditIntent, 'decision'>, err: unknown): Promise<GatewayError> {
    const gw = toGatewayError(err);
    await this.rejection({
      ...base,
      decision: 'invalid',
      errorCode: gw.code,
      details: { field: gw.field },
    });
    return gw;
  }

  /** The upstream call already happened: a failed outcome write must not change the answer. */
  async close(id: string, update: AuditOutcomeUpdate): Promise<void> {
    try {
      await this.timed('outcome', () => this.audit.recordOutcome(id, update));
    } catch (err) {
      this.logger.error(
        { auditEventId: id, outcome: update.outcome, err: toGatewayError(err).message },
        'could not record the outcome of a request; the intent will be closed as unknown at next start',
      );
    }
  }

  private async timed<T>(
    kind: 'intent' | 'outcome' | 'rejection',
    write: () => Promise<T>,
  ): Promise<T> {
    const started = performance.now();
    try {
      const result = await write();
      this.metrics?.auditWrite(kind, true, (performance.now() - started) / 1000);
      return result;
    } catch (err) {
      this.metrics?.auditWrite(kind, false, (performance.now() - started) / 1000);
      throw err;
    }
  }
}
