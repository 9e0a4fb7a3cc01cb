import type { AuditAction, AuditChannel } from '../audit/audit.types';
import type { Principal } from '../auth/principal';

/** Token for the optional recorder the RBAC guard calls when it denies an audited route. */
export const DENIED_ATTEMPT_RECORDER = Symbol('DENIED_ATTEMPT_RECORDER');

export interface DeniedAttempt {
  principal: Principal;
  channel: AuditChannel;
  requestId: string;
  action: AuditAction;
  sessionId?: string;
  reason?: string;
}

export interface DeniedAttemptRecorder {
  recordDenied(attempt: DeniedAttempt): Promise<void>;
}
