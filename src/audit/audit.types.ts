import type { ErrorCode } from '../errors';

export type AuditChannel = 'graphql' | 'rest';
export type AuditDecision = 'allowed' | 'denied' | 'invalid';
export type AuditOutcome = 'succeeded' | 'failed' | 'unknown';
/** Actions recorded; later features may add more. */
export type AuditAction = 'session.terminate' | 'session.terminate.bulk' | 'audit.read' | 'session.read';

export interface AuditActor {
  id: string;
  kind: 'user' | 'service';
  name: string;
  roles: string[];
  ip: string;
  userAgent?: string;
}

/** What a caller-facing service records before acting (or instead of acting). */
export interface AuditIntent {
  requestId: string;
  channel: AuditChannel;
  actor: AuditActor;
  action: AuditAction;
  /** Target session id as given (may be invalid when decision is 'invalid'). */
  sessionId?: string;
  reason?: string;
  decision: AuditDecision;
  /** For denied/invalid records: the code the caller got (FORBIDDEN, BAD_USER_INPUT). */
  errorCode?: ErrorCode;
  /** Parent record id for per-session records of a bulk request. */
  parentId?: string;
  /** Small structured extras (filters of a read, etc.); no secrets. */
  details?: Record<string, unknown>;
}

export interface AuditOutcomeUpdate {
  outcome: AuditOutcome;
  errorCode?: ErrorCode;
  upstream?: { status?: number; message?: string; durationMs?: number };
  details?: Record<string, unknown>;
}

/** A stored record, as read back and as shown to auditors. */
export interface AuditRecord {
  id: string;
  seq: number;
  time: string; // ISO 8601 UTC
  requestId: string;
  channel: AuditChannel;
  actor: AuditActor;
  action: AuditAction;
  sessionId: string | null;
  reason: string | null;
  decision: AuditDecision;
  outcome: AuditOutcome | null;
  errorCode: ErrorCode | null;
  upstream: { status: number | null; message: string | null; durationMs: number | null } | null;
  parentId: string | null;
  details: Record<string, unknown> | null;
  outcomeTime: string | null;
  prevHash: string;
  hash: string;
}

export interface AuditFilter {
  sessionId?: string;
  actor?: string;
  action?: AuditAction;
  outcome?: AuditOutcome | 'pending';
  decision?: AuditDecision;
  since?: string;
  until?: string;
}

export interface AuditPage {
  items: AuditRecord[];
  nextCursor: string | null;
}
