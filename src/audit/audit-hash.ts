import { createHash, createHmac } from 'node:crypto';

/** prev_hash of the first chain entry. */
export const GENESIS_HASH = '0'.repeat(64);

/** Stored with every entry so a verifier knows which check applies (see chain-verifier.ts). */
export type HashAlgorithm = 'hmac-sha256' | 'sha256';

export function hashAlgorithmFor(hmacKey: string | undefined): HashAlgorithm {
  return hmacKey ? 'hmac-sha256' : 'sha256';
}

/** Hex digest of the canonical text: HMAC-SHA-256 with the key, plain SHA-256 without. */
export function digest(canonical: string, alg: HashAlgorithm, hmacKey: string | undefined): string {
  if (alg === 'hmac-sha256') {
    if (!hmacKey) throw new Error('an HMAC key is required for hmac-sha256 entries');
    return createHmac('sha256', hmacKey).update(canonical, 'utf8').digest('hex');
  }
  return createHash('sha256').update(canonical, 'utf8').digest('hex');
}

/**
 * Deterministic JSON: object keys sorted, no whitespace, undefined members dropped. The same
 * value always gives the same text, so a hash over it can be recomputed from stored columns.
 */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') {
    return JSON.stringify(value) ?? 'null';
  }
  if (Array.isArray(value)) {
    return `[${value.map((v) => canonicalJson(v)).join(',')}]`;
  }
  const obj = value as Record<string, unknown>;
  const keys = Object.keys(obj)
    .filter((k) => obj[k] !== undefined)
    .sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(obj[k])}`).join(',')}}`;
}

// NUL cannot be stored in PostgreSQL text and lone surrogates are rewritten by UTF-8 encoding;
// either would make a stored value differ from the hashed one and look like tampering.
// eslint-disable-next-line no-control-regex -- NUL is precisely the character to replace
const UNSTORABLE = /\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/** Replaces characters that would not survive a round trip through either store. */
export function storable(text: string): string {
  return text.replace(UNSTORABLE, '\uFFFD');
}

/**
 * Plain JSON data (Dates become strings, functions and undefined vanish) with every string made
 * storable, or null when there is nothing.
 */
export function storableJson(value: unknown): unknown {
  if (value === undefined) return null;
  const plain: unknown = JSON.parse(JSON.stringify(value) ?? 'null');
  return deepStorable(plain);
}

function deepStorable(value: unknown): unknown {
  if (typeof value === 'string') return storable(value);
  if (Array.isArray(value)) return value.map((v) => deepStorable(v));
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[storable(k)] = deepStorable(v);
    return out;
  }
  return value;
}
