/**
 * The one sanitiser for text a caller controls that the gateway records: audit entries (every
 * path: allowed, denied, invalid, reads, bulk parents) and the log lines that carry the same
 * values. Recorded text is printable and bounded, so a reason cannot forge log lines, hide or
 * reorder what an auditor sees, or make a record arbitrarily large.
 */

import { MAX_PATTERN_LENGTH } from '../rbac/glob';

/**
 * Longest recorded value of each caller-controlled field, in characters (code points). The
 * input rules take their bounds from here (a valid reason or key is recorded uncut), and a
 * recorded filter value keeps a whole filter pattern.
 */
export const AUDIT_TEXT_BOUNDS = {
  reason: 500,
  sessionId: 128,
  /** Each value of a recorded filter, and any other text in a record's details. */
  filterValue: MAX_PATTERN_LENGTH,
  userAgent: 256,
  requestId: 128,
  idempotencyKey: 128,
} as const;

export type BoundedField = keyof typeof AUDIT_TEXT_BOUNDS;

/** Ends a value that was cut: it then holds its bound minus one characters and this mark. */
export const CUT_MARK = '\u2026';

/** What each unprintable character becomes. */
export const REPLACEMENT = '\uFFFD';

// C0 controls and DEL (ESC sequences, CR/LF log forging, NUL, which PostgreSQL cannot store),
// C1 controls (NEL is a line break to some readers, CSI starts escape sequences), the bidi
// marks, embeddings, overrides and isolates (U+061C, U+200E/F, U+202A-E, U+2066-9: they reorder
// what a reader sees), the line and paragraph separators (line breaks to JavaScript and many
// viewers) and lone surrogates (not valid text; UTF-8 storage would rewrite them, which would
// break the hash chain).
const UNPRINTABLE =
  // eslint-disable-next-line no-control-regex -- control characters are what this replaces
  /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/**
 * `text` with every unprintable character replaced by U+FFFD and, past `max` characters (code
 * points: a surrogate pair is never split), cut to its first max-1 characters plus `…`, so the
 * result never has more than `max` characters.
 */
export function recordableText(text: string, max?: number): string {
  const clean = text.replace(UNPRINTABLE, REPLACEMENT);
  // UTF-16 length bounds the number of code points, so most values need no counting.
  if (max === undefined || clean.length <= max) return clean;
  const chars = Array.from(clean);
  return chars.length <= max ? clean : `${chars.slice(0, max - 1).join('')}${CUT_MARK}`;
}

/** {@link recordableText} with the bound of a named field; non-strings are nothing. */
export function recordable(value: unknown, field: BoundedField): string | undefined {
  return typeof value === 'string' ? recordableText(value, AUDIT_TEXT_BOUNDS[field]) : undefined;
}

/**
 * A record's structured details as plain JSON (Dates become strings, functions and undefined
 * vanish) with every key and string made recordable: `idempotencyKey` at its bound, any other
 * text (filter values, cursors, field names) at the filter-value bound. Null when empty.
 */
export function recordableDetails(value: unknown): unknown {
  if (value === undefined) return null;
  const plain: unknown = JSON.parse(JSON.stringify(value) ?? 'null');
  if (plain === null || typeof plain !== 'object' || Array.isArray(plain)) return deep(plain);
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(plain)) {
    const key = recordableText(k, AUDIT_TEXT_BOUNDS.filterValue);
    out[key] =
      k === 'idempotencyKey' && typeof v === 'string'
        ? recordableText(v, AUDIT_TEXT_BOUNDS.idempotencyKey)
        : deep(v);
  }
  return out;
}

function deep(value: unknown): unknown {
  if (typeof value === 'string') return recordableText(value, AUDIT_TEXT_BOUNDS.filterValue);
  if (Array.isArray(value)) return value.map((v) => deep(v));
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      out[recordableText(k, AUDIT_TEXT_BOUNDS.filterValue)] = deep(v);
    }
    return out;
  }
  return value;
}
