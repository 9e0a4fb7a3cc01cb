import { GatewayError } from '../errors';
import type { RemoteSession } from '../pam-core';
import {
  compileGlob,
  type GlobMatcher,
  hasUnknownPlaceholder,
  MAX_PATTERN_LENGTH,
} from '../rbac/glob';

/** Criteria of a listing or a bulk termination; every given one must hold. */
export interface SessionFilter {
  active?: boolean;
  /** Glob patterns (`*`, `?`), case-insensitive. */
  user?: string;
  /** Matches "host:port" or the host alone. */
  device?: string;
  protocol?: string;
  originIp?: string;
  credential?: string;
  /** Segura's wall-clock time, "YYYY-MM-DDTHH:MM:SS", inclusive. */
  startedAfter?: string;
  /** Exclusive. */
  startedBefore?: string;
}

export const TEXT_FIELDS = ['user', 'device', 'protocol', 'originIp', 'credential'] as const;
export const FILTER_FIELDS = [...TEXT_FIELDS, 'active', 'startedAfter', 'startedBefore'] as const;
export const MAX_PAGE_SIZE = 500;
export const DEFAULT_PAGE_SIZE = 50;

export function bad(field: string, detail: string): GatewayError {
  const message = `Invalid ${field}: ${detail}`;
  return new GatewayError('BAD_USER_INPUT', message, { field, detail: message });
}

// Segura's times carry no zone (they are its local time), so filters take the same form.
const NAIVE_TIME = /^(\d{4}-\d{2}-\d{2})(?:[T ](\d{2}:\d{2})(:\d{2})?)?$/;

function naiveTime(field: string, v: unknown): string | undefined {
  if (v === undefined || v === null) return undefined;
  const m = typeof v === 'string' ? NAIVE_TIME.exec(v) : null;
  if (!m) {
    throw bad(
      field,
      'must be Segura wall-clock time without zone: YYYY-MM-DD, YYYY-MM-DDTHH:MM or YYYY-MM-DDTHH:MM:SS',
    );
  }
  return `${m[1]}T${m[2] ?? '00:00'}${m[3] ?? ':00'}`;
}

function pattern(field: string, v: unknown): string | undefined {
  if (v === undefined || v === null) return undefined;
  if (
    typeof v !== 'string' ||
    v.length === 0 ||
    v.length > MAX_PATTERN_LENGTH ||
    hasUnknownPlaceholder(v)
  ) {
    throw bad(
      field,
      `must be a pattern of 1 to ${MAX_PATTERN_LENGTH} characters (* and ? are wildcards)`,
    );
  }
  return v;
}

function flag(field: string, v: unknown): boolean | undefined {
  if (v === undefined || v === null) return undefined;
  if (v === true || v === 'true') return true;
  if (v === false || v === 'false') return false;
  throw bad(field, 'must be true or false');
}

/** Validates a filter object (GraphQL input or REST query values); unknown keys are refused. */
export function parseFilter(raw: unknown, extraKeys: readonly string[] = []): SessionFilter {
  if (raw === undefined || raw === null) return {};
  if (typeof raw !== 'object' || Array.isArray(raw)) throw bad('filter', 'must be an object');
  const r = raw as Record<string, unknown>;
  const known: readonly string[] = [...FILTER_FIELDS, ...extraKeys];
  const unknown = Object.keys(r).find((k) => !known.includes(k) && r[k] !== undefined);
  if (unknown !== undefined) throw bad(unknown.slice(0, 40), 'is not a known filter field');
  const f: SessionFilter = { active: flag('active', r.active) };
  for (const k of TEXT_FIELDS) f[k] = pattern(k, r[k]);
  f.startedAfter = naiveTime('startedAfter', r.startedAfter);
  f.startedBefore = naiveTime('startedBefore', r.startedBefore);
  return dropUndefined(f);
}

function dropUndefined<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}

/** A predicate for the filter, compiled once for a whole list. */
export function compileFilter(f: SessionFilter): (s: RemoteSession) => boolean {
  const glob = Object.fromEntries(
    TEXT_FIELDS.filter((k) => f[k] !== undefined).map((k) => [k, compileGlob(f[k]!)]),
  ) as Partial<Record<(typeof TEXT_FIELDS)[number], GlobMatcher>>;
  const test = (g: GlobMatcher | undefined, v: string | null) => !g || (v !== null && g.test(v));
  return (s) =>
    (f.active === undefined || s.active === f.active) &&
    test(glob.user, s.user) &&
    (!glob.device || test(glob.device, s.device) || test(glob.device, s.deviceHost)) &&
    test(glob.protocol, s.protocol) &&
    test(glob.originIp, s.originIp) &&
    test(glob.credential, s.credential) &&
    (f.startedAfter === undefined || (s.start !== null && s.start >= f.startedAfter)) &&
    (f.startedBefore === undefined || (s.start !== null && s.start < f.startedBefore));
}

/** Listing order: newest start first (sessions without a start last), then session id. */
export function compareSessions(
  a: Pick<RemoteSession, 'start' | 'sessionId'>,
  b: Pick<RemoteSession, 'start' | 'sessionId'>,
): number {
  const sa = a.start ?? '';
  const sb = b.start ?? '';
  if (sa !== sb) return sa < sb ? 1 : -1;
  return a.sessionId < b.sessionId ? -1 : a.sessionId > b.sessionId ? 1 : 0;
}

/** Page size and cursor as the caller's channel names them (GraphQL first/after, REST limit/cursor). */
export interface PageNames {
  first: string;
  after: string;
}

export interface PageRequest {
  first: number;
  after: Pick<RemoteSession, 'start' | 'sessionId'> | null;
}

export function parsePage(first: unknown, after: unknown, names: PageNames): PageRequest {
  const n = first === undefined || first === null ? DEFAULT_PAGE_SIZE : first;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 1 || n > MAX_PAGE_SIZE) {
    throw bad(names.first, `must be a whole number from 1 to ${MAX_PAGE_SIZE}`);
  }
  if (after === undefined || after === null) return { first: n, after: null };
  const key = typeof after === 'string' ? decodeCursor(after) : null;
  if (!key) throw bad(names.after, 'must be a nextCursor of an earlier page');
  return { first: n, after: key };
}

/**
 * Keyset pagination over the sorted list: a cursor names the last session shown, so pages stay
 * consistent when the cached list is refreshed between them.
 */
export function pageOf(
  sorted: RemoteSession[],
  req: PageRequest,
): { nodes: RemoteSession[]; nextCursor: string | null } {
  const start = req.after ? sorted.findIndex((s) => compareSessions(s, req.after!) > 0) : 0;
  if (start < 0) return { nodes: [], nextCursor: null };
  const nodes = sorted.slice(start, start + req.first);
  const more = start + req.first < sorted.length;
  return { nodes, nextCursor: more ? encodeCursor(nodes[nodes.length - 1]) : null };
}

function encodeCursor(s: Pick<RemoteSession, 'start' | 'sessionId'>): string {
  return Buffer.from(JSON.stringify([s.start ?? '', s.sessionId]), 'utf8').toString('base64url');
}

function decodeCursor(cursor: string): Pick<RemoteSession, 'start' | 'sessionId'> | null {
  if (cursor.length > 512) return null;
  try {
    const v: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (!Array.isArray(v) || v.length !== 2) return null;
    const [start, sessionId] = v as unknown[];
    if (typeof start !== 'string' || typeof sessionId !== 'string') return null;
    return { start: start === '' ? null : start, sessionId };
  } catch {
    return null;
  }
}

/** REST query of GET /api/v1/sessions: filter fields plus limit and cursor, each given once. */
export function restListQuery(query: Record<string, unknown>): {
  filter: Record<string, string>;
  first?: number;
  after?: string;
} {
  const filter: Record<string, string> = {};
  let first: number | undefined;
  let after: string | undefined;
  for (const [key, value] of Object.entries(query)) {
    if (typeof value !== 'string')
      throw bad(key.slice(0, 40), 'must be given once, as a plain value');
    if (key === 'limit') first = /^\d{1,6}$/.test(value) ? Number(value) : NaN;
    else if (key === 'cursor') after = value;
    else if ((FILTER_FIELDS as readonly string[]).includes(key)) filter[key] = value;
    else throw bad(key.slice(0, 40), 'is not a known query parameter');
  }
  return { filter, first, after };
}
