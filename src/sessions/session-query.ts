import type { RemoteSession } from '../pam-core';
import { compareSessions } from '../pam-core/session-normaliser';
import { compileGlob, type GlobMatcher } from '../rbac/glob';

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

/** Listing order: newest start first, then session id (shared with the list thread). */
export { compareSessions };

export interface PageRequest {
  first: number;
  after: Pick<RemoteSession, 'start' | 'sessionId'> | null;
}

/** The page a validated listing asks for. */
export function pageRequest(first: number, after: string | null): PageRequest {
  return { first, after: after === null ? null : decodeCursor(after) };
}

/** True for a cursor an earlier page returned (its nextCursor). */
export function isSessionCursor(cursor: string): boolean {
  return decodeCursor(cursor) !== null;
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
  return cursorPage(nodes, start + req.first < sorted.length);
}

/** A page's nodes with the cursor to the next page, when there is `more`. */
export function cursorPage(
  nodes: RemoteSession[],
  more: boolean,
): { nodes: RemoteSession[]; nextCursor: string | null } {
  return {
    nodes,
    nextCursor: more && nodes.length > 0 ? encodeCursor(nodes[nodes.length - 1]) : null,
  };
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
