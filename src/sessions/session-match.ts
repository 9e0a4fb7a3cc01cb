import { setImmediate as turn } from 'node:timers/promises';
import type { RemoteSession } from '../pam-core';
import { foldCodePoint } from '../rbac/case-fold';
import { compileGlob } from '../rbac/glob';
import type { SessionScope } from '../rbac/session-scope';
import {
  compareSessions,
  cursorPage,
  type PageRequest,
  type SessionFilter,
  TEXT_FIELDS,
} from './session-query';

type TextField = (typeof TEXT_FIELDS)[number] | 'deviceHost';
const KEYED: readonly TextField[] = [...TEXT_FIELDS, 'deviceHost'];

/**
 * One text field of every session, dictionary-encoded: `values` holds each distinct caseless
 * value once, `codes[i]` is session i's index into it (-1 for none). A filter tests each
 * distinct value once and then reads one integer per session: no session object or string is
 * touched per session (scanning 100,000 scattered strings cost 3.5–7 ms a page on this
 * machine; docs/performance.md).
 */
export interface KeyColumn {
  codes: Int32Array;
  values: string[];
}

/**
 * Each session's text fields in caseless form, one column per field, computed once when a list
 * is cached: a filtered page then compares codes instead of folding 100,000 values per
 * request. `active` is a byte per session (1 active).
 */
export type MatchKeys = Record<TextField, KeyColumn> & { active: Uint8Array };

/**
 * The caseless form: every code point mapped to its case class (case-fold.ts, what `iu` does),
 * with ASCII letters as lower case, so ASCII text is its own `toLowerCase()`.
 */
export function caseless(s: string): string {
  // eslint-disable-next-line no-control-regex
  if (/^[\x00-\x7f]*$/.test(s)) {
    const lower = s.toLowerCase();
    return lower === s ? s : lower;
  }
  let out = '';
  for (const ch of s) {
    const c = foldCodePoint(ch.codePointAt(0)!);
    out += String.fromCodePoint(c >= 0x41 && c <= 0x5a ? c + 0x20 : c);
  }
  return out === s ? s : out;
}

/** The keys of a list, built between turns of the event loop (a few ms per 2,000 sessions). */
export async function matchKeysOf(sessions: readonly RemoteSession[]): Promise<MatchKeys> {
  const n = sessions.length;
  const columns = KEYED.map((k) => ({
    field: k,
    column: { codes: new Int32Array(n), values: [] as string[] },
    index: new Map<string, number>(),
  }));
  const active = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    if (i > 0 && i % 2000 === 0) await turn();
    const s = sessions[i];
    active[i] = s.active ? 1 : 0;
    for (const { field, column, index } of columns) {
      const v = s[field];
      if (v === null) {
        column.codes[i] = -1;
        continue;
      }
      const key = caseless(v);
      let code = index.get(key);
      if (code === undefined) {
        code = column.values.push(key) - 1;
        index.set(key, code);
      }
      column.codes[i] = code;
    }
  }
  return {
    ...(Object.fromEntries(columns.map((c) => [c.field, c.column])) as Record<
      TextField,
      KeyColumn
    >),
    active,
  };
}

/**
 * One text criterion over a column: which of its distinct values match (1) or not (0), tested
 * once per request. `alt`: `device` also matches the host alone.
 */
interface TextTest {
  codes: Int32Array;
  hits: Uint8Array;
  alt: { codes: Int32Array; hits: Uint8Array } | null;
}

/**
 * A glob over caseless values. The common shapes (`admin*`, `*.corp`, `*db*`, a literal) are
 * plain string tests; others use the glob matcher, case-sensitively on the caseless form.
 */
function valueTest(pattern: string): (v: string) => boolean {
  const p = caseless(pattern);
  const inner = p.replace(/^\*+/, '').replace(/\*+$/, '');
  if (!/[*?\uD800-\uDFFF]/.test(inner)) {
    const lead = inner.length < p.length && p.startsWith('*');
    const trail = inner.length < p.length && p.endsWith('*');
    if (lead && trail) return (v) => v.includes(inner);
    if (lead) return (v) => v.endsWith(inner);
    if (trail) return (v) => v.startsWith(inner);
    return (v) => v === inner;
  }
  const glob = compileGlob(p, undefined, { caseSensitive: true });
  return (v) => glob.test(v);
}

function hitsOf(column: KeyColumn, test: (v: string) => boolean): Uint8Array {
  const hits = new Uint8Array(column.values.length);
  for (let c = 0; c < column.values.length; c++) hits[c] = test(column.values[c]) ? 1 : 0;
  return hits;
}

function textTest(pattern: string, column: KeyColumn, alt: KeyColumn | null): TextTest {
  const test = valueTest(pattern);
  return {
    codes: column.codes,
    hits: hitsOf(column, test),
    alt: alt && { codes: alt.codes, hits: hitsOf(alt, test) },
  };
}

const hit = (codes: Int32Array, hits: Uint8Array, i: number): boolean => {
  const c = codes[i];
  return c >= 0 && hits[c] === 1;
};

/**
 * Calls `visit` for each session of a sorted list that matches the filter and the caller's
 * scope, in order. A plain loop over the columns: no closure or array per session.
 */
function forEachMatch(
  sessions: readonly RemoteSession[],
  keys: MatchKeys,
  f: SessionFilter,
  scope: SessionScope,
  visit: (s: RemoteSession, i: number) => void,
): void {
  const tests: TextTest[] = [];
  for (const field of TEXT_FIELDS) {
    const pattern = f[field];
    if (pattern === undefined) continue;
    tests.push(textTest(pattern, keys[field], field === 'device' ? keys.deviceHost : null));
  }
  const { startedAfter: after, startedBefore: before } = f;
  const active = f.active === undefined ? -1 : f.active ? 1 : 0;
  const activeCol = keys.active;
  for (let i = 0; i < sessions.length; i++) {
    if (active >= 0 && activeCol[i] !== active) continue;
    if (!passes(tests, i)) continue;
    const s = sessions[i];
    if (after !== undefined && (s.start === null || s.start < after)) continue;
    if (before !== undefined && (s.start === null || s.start >= before)) continue;
    if (scope.unrestricted || scope.allows(s)) visit(s, i);
  }
}

/** Every test holds for session `i` (a plain loop, where `every` made a closure per session). */
function passes(tests: readonly TextTest[], i: number): boolean {
  for (let k = 0; k < tests.length; k++) {
    const t = tests[k];
    if (!hit(t.codes, t.hits, i) && (t.alt === null || !hit(t.alt.codes, t.alt.hits, i))) {
      return false;
    }
  }
  return true;
}

/**
 * One page of the matching sessions and how many match in all: what
 * `pageOf` gives over the list of every match, without an array of every match (100,000 of them
 * for an unfiltered list). The cursor's place in the sorted list is found by bisection.
 */
export function filteredPage(
  sessions: readonly RemoteSession[],
  keys: MatchKeys,
  f: SessionFilter,
  scope: SessionScope,
  req: PageRequest,
): { nodes: RemoteSession[]; nextCursor: string | null; totalCount: number } {
  const from = req.after ? firstAfter(sessions, req.after) : 0;
  const nodes: RemoteSession[] = [];
  let totalCount = 0;
  let more = false;
  forEachMatch(sessions, keys, f, scope, (s, i) => {
    totalCount++;
    if (i < from) return;
    if (nodes.length < req.first) nodes.push(s);
    else more = true;
  });
  return { ...cursorPage(nodes, more), totalCount };
}

/** The index of the first session after `after` in listing order (the length when none is). */
function firstAfter(
  sorted: readonly RemoteSession[],
  after: Pick<RemoteSession, 'start' | 'sessionId'>,
): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (compareSessions(sorted[mid], after) > 0) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}
