import { setImmediate as turn } from 'node:timers/promises';
import type { RemoteSession } from '../pam-core';
import { foldCodePoint } from '../rbac/case-fold';
import { compileGlob } from '../rbac/glob';
import type { SessionScope } from '../rbac/session-scope';
import { type SessionFilter, TEXT_FIELDS } from './session-query';

type TextField = (typeof TEXT_FIELDS)[number] | 'deviceHost';
const KEYED: readonly TextField[] = [...TEXT_FIELDS, 'deviceHost'];

/**
 * Each session's text fields in caseless form, one column per field, computed once when a list
 * is cached: a filtered page then compares strings instead of folding 100,000 values per
 * request. A value already in that form (most are) is the session's own string, not a copy.
 */
export type MatchKeys = Record<TextField, (string | null)[]>;

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
  const keys = Object.fromEntries(KEYED.map((k) => [k, new Array(sessions.length)])) as MatchKeys;
  for (let i = 0; i < sessions.length; i++) {
    if (i > 0 && i % 2000 === 0) await turn();
    const s = sessions[i];
    for (const k of KEYED) {
      const v = s[k];
      keys[k][i] = v === null ? null : caseless(v);
    }
  }
  return keys;
}

/**
 * A glob over caseless values. The common shapes (`admin*`, `*.corp`, `*db*`, a literal) are
 * plain string tests; others use the glob matcher, case-sensitively on the caseless form.
 */
function compileCaseless(pattern: string): (v: string) => boolean {
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

/** The sessions of a sorted list that match the filter and the caller's scope, in order. */
export function filterSessions(
  sessions: readonly RemoteSession[],
  keys: MatchKeys,
  f: SessionFilter,
  scope: SessionScope,
): RemoteSession[] {
  const tests: Array<(i: number) => boolean> = [];
  for (const field of TEXT_FIELDS) {
    const pattern = f[field];
    if (pattern === undefined) continue;
    const m = compileCaseless(pattern);
    const col = keys[field];
    if (field === 'device') {
      const host = keys.deviceHost;
      tests.push((i) => (col[i] !== null && m(col[i])) || (host[i] !== null && m(host[i])));
    } else tests.push((i) => col[i] !== null && m(col[i]));
  }
  const { active, startedAfter: after, startedBefore: before } = f;
  const out: RemoteSession[] = [];
  for (let i = 0; i < sessions.length; i++) {
    const s = sessions[i];
    if (active !== undefined && s.active !== active) continue;
    if (after !== undefined && (s.start === null || s.start < after)) continue;
    if (before !== undefined && (s.start === null || s.start >= before)) continue;
    if (!tests.every((t) => t(i))) continue;
    if (scope.unrestricted || scope.allows(s)) out.push(s);
  }
  return out;
}
