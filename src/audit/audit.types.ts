import type { Principal } from '../auth/principal';
import type { ErrorCode } from '../errors';

// Runtime lists beside their types so filters can be validated and GraphQL enums generated
// from one source; add a value here and every consumer follows.
export const AUDIT_CHANNELS = ['graphql', 'rest'] as const;
export const AUDIT_DECISIONS = ['allowed', 'denied', 'invalid'] as const;
export const AUDIT_OUTCOMES = ['succeeded', 'failed', 'unknown'] as const;
/** Actions recorded; later features may add more. */
export const AUDIT_ACTIONS = [
  'session.terminate',
  'session.terminate.bulk',
  'audit.read',
  'session.read',
] as const;

export type AuditChannel = (typeof AUDIT_CHANNELS)[number];
export type AuditDecision = (typeof AUDIT_DECISIONS)[number];
export type AuditOutcome = (typeof AUDIT_OUTCOMES)[number];
export type AuditAction = (typeof AUDIT_ACTIONS)[number];

/**
 * Who asked, as recorded: the principal's own fields (auth/principal.ts; `username` is what
 * `${principal.name}` was bound to) and `id`, the token's subject or the key id.
 */
export type AuditActor = Pick<
  Principal,
  'kind' | 'name' | 'username' | 'roles' | 'ip' | 'userAgent'
> & {
  id: string;
};

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
  /** The caller's Idempotency-Key as given (valid or not); recorded as details.idempotencyKey. */
  idempotencyKey?: string;
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
  /** Chain position and hash of the outcome entry that closed this record (null while open). */
  outcomeSeq?: number | null;
  outcomeHash?: string | null;
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

/** Where and why the chain first fails to verify. */
export interface AuditChainBreak {
  /** Id of the chain entry at fault (an outcome entry has its own id). */
  id: string;
  seq: number;
  problem: string;
  /** The audit record the entry belongs to: its own id for an intent, the closed intent for an outcome. */
  recordId?: string;
}

export type AuditVerifyResult =
  { ok: true; count: number } | { ok: false; count: number; firstBroken: AuditChainBreak };
