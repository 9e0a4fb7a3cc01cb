import { createPublicKey, type JsonWebKey, type KeyObject } from 'node:crypto';
import { logSafe } from './auth-rejection';

/** A JWKS larger than this is refused (real ones are a few kB; x5c chains make them bigger). */
export const MAX_JWKS_BYTES = 1024 * 1024;
/** A JWKS listing more keys than this is refused (issuers publish a handful). */
export const MAX_JWKS_KEYS = 100;

/** One verification key of the issuer, parsed once. */
export interface HeldKey {
  kid: string;
  /** The JWK's `alg`, when it names one: the key may be used with that algorithm only. */
  alg?: string;
  key: KeyObject;
  /** The JWK's public material, to tell an unchanged key from a replaced one. */
  material: string;
}

export interface KeySet {
  keys: ReadonlyMap<string, HeldKey>;
  /** Entries left out, with why (for the log). */
  skipped: string[];
}

// The members that make up each key type's public key (RFC 7518 §6).
const PUBLIC_MEMBERS: Record<string, readonly string[]> = {
  RSA: ['n', 'e'],
  EC: ['crv', 'x', 'y'],
  OKP: ['crv', 'x'],
};
// Present only in private or symmetric keys: a JWKS that publishes them is broken.
const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k'];

/**
 * The signing keys of a JWKS document (RFC 7517 §5). Keys without a `kid`, for another `use`
 * or without `verify` in `key_ops`, of other types, with private members or that do not parse
 * are left out; the first of several keys with one `kid` wins. Throws when the document itself
 * is unusable: not a key set, more than {@link MAX_JWKS_KEYS} keys, or no usable key at all.
 * A key of `previous` with the same `kid` and material is taken over as it is (its KeyObject
 * is not parsed again).
 */
export function keySetOf(doc: unknown, previous?: ReadonlyMap<string, HeldKey>): KeySet {
  const list = isObject(doc) ? doc.keys : undefined;
  if (!Array.isArray(list)) throw new Error('the JWKS has no "keys" list');
  if (list.length > MAX_JWKS_KEYS) {
    throw new Error(`the JWKS lists more than ${MAX_JWKS_KEYS} keys (${list.length})`);
  }
  const keys = new Map<string, HeldKey>();
  const skipped: string[] = [];
  list.forEach((entry: unknown, i) => {
    const kidOf = isObject(entry) && typeof entry.kid === 'string' ? entry.kid : undefined;
    const label = kidOf === undefined ? `#${i}` : logSafe(kidOf, 64);
    const why = unusable(entry);
    if (why !== undefined) return void skipped.push(`${label}: ${why}`);
    const jwk = entry as Record<string, unknown> & { kid: string; kty: string };
    if (keys.has(jwk.kid)) return void skipped.push(`${label}: duplicate kid`);
    const pub: Record<string, unknown> = { kty: jwk.kty };
    for (const m of PUBLIC_MEMBERS[jwk.kty]) pub[m] = jwk[m];
    const alg = typeof jwk.alg === 'string' ? jwk.alg : undefined;
    const material = JSON.stringify([pub, alg]);
    const before = previous?.get(jwk.kid);
    if (before && before.material === material) return void keys.set(jwk.kid, before);
    try {
      const key = createPublicKey({ key: pub as JsonWebKey, format: 'jwk' });
      keys.set(jwk.kid, { kid: jwk.kid, alg, key, material });
    } catch {
      skipped.push(`${label}: not a valid ${jwk.kty} public key`);
    }
  });
  if (keys.size === 0) throw new Error('the JWKS has no usable signing key');
  return { keys, skipped };
}

/** Why a JWKS entry cannot serve as a signing key, or undefined when it can. */
function unusable(entry: unknown): string | undefined {
  if (!isObject(entry)) return 'not an object';
  if (typeof entry.kid !== 'string' || entry.kid === '') return 'no kid';
  if (typeof entry.kty !== 'string' || !Object.hasOwn(PUBLIC_MEMBERS, entry.kty)) {
    return `key type ${logSafe(entry.kty)} not supported`;
  }
  if (entry.use !== undefined && entry.use !== 'sig') return `use is ${logSafe(entry.use)}`;
  if (
    entry.key_ops !== undefined &&
    !(Array.isArray(entry.key_ops) && entry.key_ops.includes('verify'))
  ) {
    return 'key_ops does not include verify';
  }
  if (entry.alg !== undefined && typeof entry.alg !== 'string') return 'alg is not a string';
  if (PRIVATE_MEMBERS.some((m) => Object.hasOwn(entry, m))) return 'has private key members';
  if (PUBLIC_MEMBERS[entry.kty].some((m) => typeof entry[m] !== 'string')) {
    return 'public key members missing';
  }
  return undefined;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
