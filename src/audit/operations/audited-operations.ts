import { Injectable, Optional } from '@nestjs/common';
import type { Principal } from '../../auth/principal';
import {
  type InputClass,
  type InputPolicy,
  validateInput,
} from '../../common/validation/validate-input';
import { GatewayError, toGatewayError } from '../../errors';
import { MetricsService } from '../../observability/metrics.service';
import { type SessionAttributes, type SessionScope, UNRESTRICTED } from '../../rbac/session-scope';
import { recordable } from '../audit-text';
import { actorOf } from '../audit.options';
import type { AuditAction } from '../audit.types';
import type { CallContext, RequestBase } from './call-context';
import { OperationAudit } from './operation-audit';

/** Request fields every record of an operation carries as sent, valid or not (sanitised). */
export type RecordedField = 'sessionId' | 'reason' | 'idempotencyKey';

/**
 * What one audited operation declares; {@link AuditedOperations.run} does the rest. `T` is
 * what its target lookup finds (a session).
 */
export interface AuditedOperation<I, R, T extends SessionAttributes = SessionAttributes> {
  action: AuditAction;
  /** The `operation` label of pam_gateway_requests_total. */
  metric: string;
  /** The input class of each channel; a validated instance becomes the input `I`. */
  input: Record<CallContext['channel'], InputClass<I>>;
  /** Policy rules the input depends on (reason required). */
  policy?: () => InputPolicy;
  recorded?: readonly RecordedField[];
  /** After validation: the record's fields as validated (the trimmed reason). */
  records?: (input: I) => Partial<RequestBase>;
  /** The caller's scope of the operation's permission; holding it nowhere is FORBIDDEN. */
  scope?: (principal: Principal) => SessionScope;
  /**
   * Scoped rules: how to find the session the request targets. {@link OperationRun.target}
   * looks it up and refuses it when out of scope.
   */
  target?: (input: I) => Promise<T | null>;
  /** The operation's own work. */
  act(run: OperationRun<I, T>): Promise<R>;
}

/** One validated, permitted request, as the operation's `act` sees it. */
export interface OperationRun<I, T extends SessionAttributes = SessionAttributes> {
  ctx: CallContext;
  input: I;
  base: RequestBase;
  scope: SessionScope;
  /**
   * The target session (see {@link AuditedOperation.target}) when the caller's scope allows it.
   * A failed lookup is recorded as such (with `details`); unknown is SESSION_NOT_FOUND; out of
   * scope is FORBIDDEN (with `detail`), recorded as a denial.
   */
  target(o?: { details?: Record<string, unknown>; detail?: string }): Promise<T>;
}

/**
 * The choreography every audited operation shares: validate (an invalid request is recorded
 * `invalid`), check the caller's scope (a denial is recorded), act (the operation records its
 * outcome), count the answer in the metrics. Rate limits run before, in
 * PrincipalRateLimitGuard; the permission itself in RbacGuard.
 */
@Injectable()
export class AuditedOperations {
  constructor(
    private readonly audit: OperationAudit,
    @Optional() private readonly metrics?: MetricsService,
  ) {}

  async run<I, R, T extends SessionAttributes>(
    ctx: CallContext,
    op: AuditedOperation<I, R, T>,
    raw: object,
  ): Promise<R> {
    try {
      const result = await this.choreograph(ctx, op, raw);
      this.metrics?.request(ctx.channel, op.metric, 'OK');
      return result;
    } catch (err) {
      const gw = toGatewayError(err);
      this.metrics?.request(ctx.channel, op.metric, gw.code, gw);
      throw gw;
    }
  }

  private async choreograph<I, R, T extends SessionAttributes>(
    ctx: CallContext,
    op: AuditedOperation<I, R, T>,
    raw: object,
  ): Promise<R> {
    const base: RequestBase = {
      requestId: ctx.requestId,
      channel: ctx.channel,
      actor: actorOf(ctx.principal),
      action: op.action,
      ...recordedFields(raw, op.recorded ?? []),
    };
    let input: I;
    try {
      input = validateInput(op.input[ctx.channel], raw, op.policy?.()).toInput();
    } catch (err) {
      throw await this.audit.invalid(base, err);
    }
    Object.assign(base, op.records?.(input));
    const scope = op.scope?.(ctx.principal) ?? UNRESTRICTED;
    if (!scope.any) throw await this.audit.denied(base);
    const target: OperationRun<I, T>['target'] = async (o = {}) => {
      if (!op.target) throw new GatewayError('INTERNAL', `${op.action} names no target`);
      const find = op.target;
      const allowed = { ...base, decision: 'allowed' as const, details: o.details };
      const session = await this.audit.orRecordFailure(allowed, async () => {
        const s = await find(input);
        if (!s) throw new GatewayError('SESSION_NOT_FOUND', 'Session not found');
        return s;
      });
      if (scope.allows(session)) return session;
      const refusal = new GatewayError('FORBIDDEN', 'Forbidden', { detail: o.detail });
      throw await this.audit.denied(base, { scope: 'out-of-scope' }, refusal);
    };
    return op.act({ ctx, input, base, scope, target });
  }
}

/** The fields as sent, read leniently (REST: from the JSON body when it is an object). */
function recordedFields(raw: object, fields: readonly RecordedField[]): Partial<RequestBase> {
  const r = raw as Record<string, unknown>;
  const body = r.body !== null && typeof r.body === 'object' ? (r.body as typeof r) : {};
  const out: Partial<RequestBase> = {};
  for (const f of fields) {
    const value = f === 'sessionId' ? r.id : f === 'reason' ? (r.reason ?? body.reason) : r[f];
    out[f] = recordable(value, f);
  }
  return out;
}
