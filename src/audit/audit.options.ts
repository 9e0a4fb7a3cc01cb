import type { Principal } from '../auth/principal';
import type { AuditActor, AuditChannel } from './audit.types';

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

/** Who is reading the audit log, for the record that the read itself leaves. */
export interface AuditReader {
  principal: Principal;
  channel: AuditChannel;
  requestId: string;
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

/** The fields every record of an audit read carries. */
export function readBase(reader: AuditReader) {
  return {
    requestId: reader.requestId,
    channel: reader.channel,
    actor: actorOf(reader.principal),
    action: 'audit.read' as const,
  };
}
