import type { Principal } from '../auth/principal';
import type { AuditActor } from './audit.types';

/** Optional tuning; the defaults suit production. */
export const AUDIT_OPTIONS = Symbol('AUDIT_OPTIONS');

export interface AuditServiceOptions {
  /**
   * Open intents younger than this are left alone at start: on PostgreSQL another live replica
   * may still be forwarding them. Default 0 for SQLite (one process), 15 minutes for PostgreSQL
   * (longer than any upstream timeout), where a sweep also repeats every `sweepIntervalMs`.
   * Overrides AUDIT_RECOVERY_GRACE_MS (config.audit.recoveryGraceMs).
   */
  recoveryGraceMs?: number;
  sweepIntervalMs?: number;
}

/** The audit actor for an authenticated caller. */
export function actorOf(p: Principal): AuditActor {
  return {
    id: p.id,
    kind: p.kind,
    name: p.name,
    username: p.username,
    roles: p.roles,
    ip: p.ip,
    userAgent: p.userAgent,
  };
}
