import { createHmac, hash } from 'node:crypto';

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
  // The one-shot form: half the CPU of createHash for an entry's text (no Hash object).
  return hash('sha256', canonical, 'hex');
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
