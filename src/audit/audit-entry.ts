import { v7 as uuidv7 } from 'uuid';
import type { ErrorCode } from '../errors';
import { canonicalJson, digest, hashAlgorithmFor, type HashAlgorithm } from './audit-hash';
import { AUDIT_TEXT_BOUNDS as BOUND, recordableDetails, recordableText } from './audit-text';
import type {
  AuditAction,
  AuditActor,
  AuditChannel,
  AuditDecision,
  AuditIntent,
  AuditOutcome,
  AuditOutcomeUpdate,
  AuditRecord,
} from './audit.types';

export type EntryKind = 'intent' | 'outcome';

/**
 * One row of `audit_chain`, the only audit table. An intent entry carries the record's fields;
 * an outcome entry carries ref_id (the intent it closes) and the outcome fields. Every column
 * except `hash` is hashed, so an edit to any of them breaks the chain. Columns are typed as
 * stored (plain strings) because a verifier must cope with rows nobody here wrote.
 */
export interface ChainRow {
  seq: number;
  id: string;
  kind: string;
  ref_id: string | null;
  time: string;
  alg: string;
  prev_hash: string;
  hash: string;
  request_id: string | null;
  channel: string | null;
  actor_id: string | null;
  actor_kind: string | null;
  actor_name: string | null;
  /** JSON array text. */
  actor_roles: string | null;
  actor_ip: string | null;
  actor_user_agent: string | null;
  /** Added by migration 0004: null in every entry written before it. */
  actor_username: string | null;
  action: string | null;
  session_id: string | null;
  reason: string | null;
  decision: string | null;
  error_code: string | null;
  parent_id: string | null;
  /** Canonical JSON object text. */
  details: string | null;
  outcome: string | null;
  upstream_status: number | null;
  upstream_message: string | null;
  upstream_duration_ms: number | null;
}

/** The audit chain's kysely table types: one table, written only by appends. */
export type AuditDb = { audit_chain: ChainRow };

export const CHAIN_COLUMNS = [
  'seq',
  'id',
  'kind',
  'ref_id',
  'time',
  'alg',
  'prev_hash',
  'hash',
  'request_id',
  'channel',
  'actor_id',
  'actor_kind',
  'actor_name',
  'actor_roles',
  'actor_ip',
  'actor_user_agent',
  'action',
  'session_id',
  'reason',
  'decision',
  'error_code',
  'parent_id',
  'details',
  'outcome',
  'upstream_status',
  'upstream_message',
  'upstream_duration_ms',
  'actor_username',
] as const satisfies ReadonlyArray<keyof ChainRow>;

/** An entry before the writer gives it a place in the chain. */
export type EntryDraft = Omit<ChainRow, 'seq' | 'time' | 'alg' | 'prev_hash' | 'hash'>;

/**
 * A draft with every column present, in one object literal of one fixed shape. The earlier form
 * spread a template of nulls and then overrode most of its fields with strings, which V8 does on
 * its slow path (the copied fields change type): about 15 µs per intent draft and 19 µs per
 * seal in a micro-benchmark, against 1.3 and 6.4 µs now; found with bench/profile.ts
 * (docs/performance.md).
 */
function draftOf(f: Partial<EntryDraft> & Pick<EntryDraft, 'id' | 'kind' | 'ref_id'>): EntryDraft {
  return {
    id: f.id,
    kind: f.kind,
    ref_id: f.ref_id,
    request_id: f.request_id ?? null,
    channel: f.channel ?? null,
    actor_id: f.actor_id ?? null,
    actor_kind: f.actor_kind ?? null,
    actor_name: f.actor_name ?? null,
    actor_roles: f.actor_roles ?? null,
    actor_ip: f.actor_ip ?? null,
    actor_user_agent: f.actor_user_agent ?? null,
    action: f.action ?? null,
    session_id: f.session_id ?? null,
    reason: f.reason ?? null,
    decision: f.decision ?? null,
    error_code: f.error_code ?? null,
    parent_id: f.parent_id ?? null,
    details: f.details ?? null,
    outcome: f.outcome ?? null,
    upstream_status: f.upstream_status ?? null,
    upstream_message: f.upstream_message ?? null,
    upstream_duration_ms: f.upstream_duration_ms ?? null,
    actor_username: f.actor_username ?? null,
  };
}

// Every text column goes through the one sanitiser (audit-text.ts) before it is hashed, so what
// is stored, hashed, read back and logged is the same printable, bounded text.
const text = (v: string | undefined | null, max?: number): string | null =>
  v === undefined || v === null ? null : recordableText(String(v), max);

const json = (v: unknown): string | null => {
  const plain = recordableDetails(v);
  return plain === null ? null : canonicalJson(plain);
};

const int = (v: number | undefined): number | null =>
  typeof v === 'number' && Number.isFinite(v) ? Math.round(v) : null;

/** The one place intents enter the chain: every caller-controlled field is sanitised here. */
export function intentDraft(intent: AuditIntent): EntryDraft {
  const a = intent.actor;
  const details =
    intent.idempotencyKey === undefined
      ? intent.details
      : { ...intent.details, idempotencyKey: intent.idempotencyKey };
  return draftOf({
    id: uuidv7(),
    kind: 'intent',
    ref_id: null,
    request_id: text(intent.requestId, BOUND.requestId),
    channel: intent.channel,
    actor_id: text(a.id),
    actor_kind: a.kind,
    actor_name: text(a.name),
    actor_roles: canonicalJson((a.roles ?? []).map((r) => recordableText(String(r)))),
    actor_ip: text(a.ip),
    actor_user_agent: text(a.userAgent, BOUND.userAgent),
    actor_username: text(a.username),
    action: intent.action,
    session_id: text(intent.sessionId, BOUND.sessionId),
    reason: text(intent.reason, BOUND.reason),
    decision: intent.decision,
    error_code: intent.errorCode ?? null,
    parent_id: text(intent.parentId),
    details: json(details),
  });
}

export function outcomeDraft(refId: string, update: AuditOutcomeUpdate): EntryDraft {
  return draftOf({
    id: uuidv7(),
    kind: 'outcome',
    ref_id: refId,
    outcome: update.outcome,
    error_code: update.errorCode ?? null,
    upstream_status: int(update.upstream?.status),
    upstream_message: text(update.upstream?.message),
    upstream_duration_ms: int(update.upstream?.durationMs),
    details: json(update.details),
  });
}

/**
 * Columns added after chains were first written. While null they are left out of the hashed
 * text, so every entry written before they existed verifies unchanged; once set, they are hashed
 * like any other column (nulling one afterwards breaks the chain).
 */
const LATER_COLUMNS: ReadonlySet<string> = new Set<keyof ChainRow>(['actor_username']);

// The hashed columns in canonical (sorted) order, each with its JSON key prefix computed once.
const HASHED_COLUMNS = CHAIN_COLUMNS.filter((c) => c !== 'hash')
  .sort()
  .map((col) => ({ col, key: `${JSON.stringify(col)}:`, later: LATER_COLUMNS.has(col) }));

/**
 * The exact text that is hashed: every column but `hash`, keys sorted, i.e.
 * `canonicalJson({...every column but hash, seq: Number(seq)})` (null for a missing value).
 * Built directly in the fixed column order: this runs for every entry written and verified, and
 * the generic canonicalJson's per-call key sorting and temporary objects showed in the profile.
 */
export function canonicalEntry(row: Omit<ChainRow, 'hash'>): string {
  let text = '{';
  for (const { col, key, later } of HASHED_COLUMNS) {
    const value: unknown = col === 'seq' ? Number(row.seq) : (row[col] ?? null);
    if (later && value === null) continue;
    text +=
      (text === '{' ? '' : ',') +
      key +
      (value === null || typeof value !== 'object'
        ? (JSON.stringify(value) ?? 'null')
        : canonicalJson(value));
  }
  return `${text}}`;
}

/** Gives a draft its place after `prevHash` and computes its hash. */
export function sealEntry(
  draft: EntryDraft,
  seq: number,
  time: string,
  prevHash: string,
  hmacKey: string | undefined,
): ChainRow {
  const alg: HashAlgorithm = hashAlgorithmFor(hmacKey);
  // One fixed shape, built field by field (see draftOf); `hash` is set last, over the rest.
  const row: ChainRow = {
    seq,
    id: draft.id,
    kind: draft.kind,
    ref_id: draft.ref_id,
    time,
    alg,
    prev_hash: prevHash,
    hash: '',
    request_id: draft.request_id,
    channel: draft.channel,
    actor_id: draft.actor_id,
    actor_kind: draft.actor_kind,
    actor_name: draft.actor_name,
    actor_roles: draft.actor_roles,
    actor_ip: draft.actor_ip,
    actor_user_agent: draft.actor_user_agent,
    action: draft.action,
    session_id: draft.session_id,
    reason: draft.reason,
    decision: draft.decision,
    error_code: draft.error_code,
    parent_id: draft.parent_id,
    details: draft.details,
    outcome: draft.outcome,
    upstream_status: draft.upstream_status,
    upstream_message: draft.upstream_message,
    upstream_duration_ms: draft.upstream_duration_ms,
    actor_username: draft.actor_username,
  };
  row.hash = digest(canonicalEntry(row), alg, hmacKey);
  return row;
}

/** The outcome columns of a record, as selected alongside its intent. */
export type OutcomePart = Pick<
  ChainRow,
  | 'seq'
  | 'time'
  | 'hash'
  | 'outcome'
  | 'error_code'
  | 'upstream_status'
  | 'upstream_message'
  | 'upstream_duration_ms'
  | 'details'
>;

const parseObject = (v: string | null): Record<string, unknown> | null =>
  v === null ? null : (JSON.parse(v) as Record<string, unknown>);

/** The auditor's view of one record: the intent with its outcome (if any) folded in. */
export function toAuditRecord(intent: ChainRow, outcome: OutcomePart | null): AuditRecord {
  const actor: AuditActor = {
    id: intent.actor_id ?? '',
    kind: intent.actor_kind === 'service' ? 'service' : 'user',
    name: intent.actor_name ?? '',
    roles: intent.actor_roles ? (JSON.parse(intent.actor_roles) as string[]) : [],
    ip: intent.actor_ip ?? '',
  };
  if (intent.actor_user_agent !== null) actor.userAgent = intent.actor_user_agent;
  if (intent.actor_username !== null && intent.actor_username !== undefined) {
    actor.username = intent.actor_username;
  }
  const intentDetails = parseObject(intent.details);
  const outcomeDetails = outcome ? parseObject(outcome.details) : null;
  // Outcome details extend the intent's; both stay separately hashed in their entries.
  const details = intentDetails || outcomeDetails ? { ...intentDetails, ...outcomeDetails } : null;
  const hasUpstream =
    outcome !== null &&
    (outcome.upstream_status !== null ||
      outcome.upstream_message !== null ||
      outcome.upstream_duration_ms !== null);
  return {
    id: intent.id,
    seq: Number(intent.seq),
    time: intent.time,
    requestId: intent.request_id ?? '',
    channel: intent.channel as AuditChannel,
    actor,
    action: intent.action as AuditAction,
    sessionId: intent.session_id,
    reason: intent.reason,
    decision: intent.decision as AuditDecision,
    outcome: (outcome?.outcome ?? null) as AuditOutcome | null,
    errorCode: (outcome?.error_code ?? intent.error_code ?? null) as ErrorCode | null,
    upstream: hasUpstream
      ? {
          status: outcome.upstream_status,
          message: outcome.upstream_message,
          durationMs: outcome.upstream_duration_ms,
        }
      : null,
    parentId: intent.parent_id,
    details,
    outcomeTime: outcome?.time ?? null,
    prevHash: intent.prev_hash,
    hash: intent.hash,
    outcomeSeq: outcome ? Number(outcome.seq) : null,
    outcomeHash: outcome?.hash ?? null,
  };
}
