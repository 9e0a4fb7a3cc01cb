import { foldCodePoint } from './case-fold';

/**
 * Glob patterns of the policy's `where` clauses and of session filters: `*` is any run of
 * characters, `?` exactly one (code point), everything else literal; matching ignores case as a
 * RegExp with flags `iu` would (case-fold.ts). Placeholders `${principal.name}` and
 * `${principal.id}` stand for the caller's own values, taken literally (a `*` in a user name is
 * not a wildcard).
 *
 * Patterns come from callers, so matching must never take more than linear time per pattern
 * character: a compiled pattern is matched by a two-pointer scan that, on a mismatch, only
 * retries the last `*` one position further (no backtracking regular expression). The worst
 * case is O(pattern length x value length); runs of `*` are collapsed first.
 */
export const PLACEHOLDERS = ['${principal.name}', '${principal.id}'] as const;

/** Longest pattern a filter or a policy rule may hold (placeholders count as written). */
export const MAX_PATTERN_LENGTH = 256;

/** Values substituted for placeholders; without a name, a pattern using it matches nothing. */
export interface PlaceholderValues {
  name?: string;
  id: string;
}

/** True when the pattern binds `${principal.name}`. */
export function usesPrincipalName(pattern: string): boolean {
  return pattern.includes('${principal.name}');
}

export interface GlobOptions {
  /** Compare code points as they are instead of ignoring case. */
  caseSensitive?: boolean;
}

const PLACEHOLDER_RE = /\$\{principal\.(name|id)\}/g;
// `${` not followed by a known placeholder: a typo that must not silently match literally.
const UNKNOWN_PLACEHOLDER_RE = /\$\{(?!principal\.(?:name|id)\})/;

export function hasUnknownPlaceholder(pattern: string): boolean {
  return UNKNOWN_PLACEHOLDER_RE.test(pattern);
}

// Tokens of a compiled pattern: a (folded) code point, which is never negative, or these.
const STAR = -1;
const ANY = -2;
const ASTERISK = 0x2a;
const QUESTION_MARK = 0x3f;

/** A pattern compiled once (placeholders filled in), tested against many values. */
export class GlobMatcher {
  /** Matches no value at all: a placeholder with nothing to stand for. */
  static readonly NEVER = new (class extends GlobMatcher {
    override test(): boolean {
      return false;
    }
  })(new Int32Array(0), false);

  constructor(
    private readonly tokens: Int32Array,
    private readonly fold: boolean,
  ) {}

  test(value: string): boolean {
    const n = codePointsOf(value, this.fold);
    const v = scratch;
    const p = this.tokens;
    const m = p.length;
    let pi = 0;
    let vi = 0;
    // The last `*` seen and the value position it currently stands up to.
    let star = -1;
    let starEnd = 0;
    while (vi < n) {
      const t = pi < m ? p[pi] : ANY - 1;
      if (t === ANY || t === v[vi]) {
        pi++;
        vi++;
      } else if (t === STAR) {
        star = pi++;
        starEnd = vi;
      } else if (star >= 0) {
        // Let the last `*` take one more code point and retry what follows it. Earlier stars
        // never need to move: whatever they could take, the last one can take instead.
        pi = star + 1;
        vi = ++starEnd;
      } else {
        return false;
      }
    }
    while (pi < m && p[pi] === STAR) pi++;
    return pi === m;
  }
}

// Code points of the value being tested: reused (JavaScript runs one test at a time), so a
// test allocates nothing once the buffer has grown to the longest value seen.
let scratch = new Int32Array(256);

function codePointsOf(value: string, fold: boolean): number {
  if (scratch.length < value.length) scratch = new Int32Array(value.length);
  let n = 0;
  for (let i = 0; i < value.length; n++) {
    const c = value.codePointAt(i)!;
    i += c > 0xffff ? 2 : 1;
    scratch[n] = fold ? foldCodePoint(c) : c;
  }
  return n;
}

function pushText(tokens: number[], text: string, wildcards: boolean, fold: boolean): void {
  for (let i = 0; i < text.length;) {
    const c = text.codePointAt(i)!;
    i += c > 0xffff ? 2 : 1;
    if (wildcards && c === ASTERISK) {
      if (tokens[tokens.length - 1] !== STAR) tokens.push(STAR); // `**` is `*`
    } else if (wildcards && c === QUESTION_MARK) {
      tokens.push(ANY);
    } else {
      tokens.push(fold ? foldCodePoint(c) : c);
    }
  }
}

/** Compiles a pattern for one caller (placeholders filled in, literally). */
export function compileGlob(
  pattern: string,
  values?: PlaceholderValues,
  options: GlobOptions = {},
): GlobMatcher {
  const fold = !options.caseSensitive;
  const tokens: number[] = [];
  let last = 0;
  if (values) {
    for (const m of pattern.matchAll(PLACEHOLDER_RE)) {
      const value = m[1] === 'name' ? values.name : values.id;
      // No fallback to another claim: the rule does not apply to this caller.
      if (value === undefined) return GlobMatcher.NEVER;
      pushText(tokens, pattern.slice(last, m.index), true, fold);
      pushText(tokens, value, false, fold);
      last = m.index + m[0].length;
    }
  }
  pushText(tokens, pattern.slice(last), true, fold);
  return new GlobMatcher(Int32Array.from(tokens), fold);
}

/** True when `value` matches one of the compiled patterns; a missing value matches none. */
export function matchesAny(
  patterns: readonly GlobMatcher[],
  value: string | null | undefined,
): boolean {
  if (value === null || value === undefined) return false;
  return patterns.some((p) => p.test(value));
}
