/**
 * Glob patterns of the policy's `where` clauses and of session filters: `*` is any run of
 * characters, `?` exactly one, everything else literal; matching ignores case. Placeholders
 * `${principal.name}` and `${principal.id}` stand for the caller's own values, taken
 * literally (a `*` in a user name is not a wildcard).
 */
export const PLACEHOLDERS = ['${principal.name}', '${principal.id}'] as const;

/** Values substituted for placeholders. */
export interface PlaceholderValues {
  name: string;
  id: string;
}

const PLACEHOLDER_RE = /\$\{principal\.(name|id)\}/g;
// `${` not followed by a known placeholder: a typo that must not silently match literally.
const UNKNOWN_PLACEHOLDER_RE = /\$\{(?!principal\.(?:name|id)\})/;

export function hasUnknownPlaceholder(pattern: string): boolean {
  return UNKNOWN_PLACEHOLDER_RE.test(pattern);
}

function escapeLiteral(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function globSource(text: string): string {
  let out = '';
  for (const ch of text) {
    if (ch === '*') out += '[\\s\\S]*';
    else if (ch === '?') out += '[\\s\\S]';
    else out += escapeLiteral(ch);
  }
  return out;
}

/** Compiles a pattern for one caller (placeholders filled in, literally). */
export function globRegExp(pattern: string, values?: PlaceholderValues): RegExp {
  let source = '';
  let last = 0;
  for (const m of pattern.matchAll(PLACEHOLDER_RE)) {
    source += globSource(pattern.slice(last, m.index));
    const value = values ? (m[1] === 'name' ? values.name : values.id) : m[0];
    source += escapeLiteral(value);
    last = m.index + m[0].length;
  }
  source += globSource(pattern.slice(last));
  return new RegExp(`^${source}$`, 'iu');
}

/** True when `value` matches one of the compiled patterns; a missing value matches none. */
export function matchesAny(patterns: readonly RegExp[], value: string | null | undefined): boolean {
  if (value === null || value === undefined) return false;
  return patterns.some((p) => p.test(value));
}
