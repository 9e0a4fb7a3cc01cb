import { AuthRejection, logSafe } from './auth-rejection';
import type { JwtHeader } from './bearer-token';

/** What a JWT header must satisfy before any key is looked up for it. */
export interface HeaderPolicy {
  algorithms: ReadonlySet<string>;
  /** Allowed `typ` values, normalised by {@link normaliseTokenType}; undefined: any. */
  tokenTypes?: ReadonlySet<string>;
}

export function headerPolicy(auth: { algorithms: string[]; tokenTypes?: string[] }): HeaderPolicy {
  return {
    algorithms: new Set(auth.algorithms),
    tokenTypes: auth.tokenTypes && new Set(auth.tokenTypes.map(normaliseTokenType)),
  };
}

/**
 * A `typ` value in a comparable form. Media types compare case-insensitively, and RFC 7515
 * §4.1.9 has recipients read a value without "/" as "application/<value>", so `at+jwt`,
 * `AT+JWT` and `application/at+jwt` are one type (RFC 9068 §4 names the first and the last).
 */
export function normaliseTokenType(typ: string): string {
  const t = typ.trim().toLowerCase();
  return t.includes('/') ? t : `application/${t}`;
}

/**
 * Checks a (not yet verified) JWT header: an allowed `alg`, a `kid`, no `crit`, and, when
 * AUTH_TOKEN_TYPES is set, a listed `typ`. Throws AuthRejection; returns `alg` and `kid`.
 */
export function checkJwtHeader(
  header: JwtHeader,
  policy: HeaderPolicy,
): { alg: string; kid: string } {
  const { alg, kid } = header;
  if (typeof alg !== 'string' || !policy.algorithms.has(alg)) {
    throw new AuthRejection(`jwt rejected: algorithm not allowed (${logSafe(alg)})`);
  }
  if (typeof kid !== 'string' || kid === '') {
    throw new AuthRejection('jwt rejected: no kid in header');
  }
  // RFC 7515 §4.1.11: extensions listed in crit must be understood, or the JWS is invalid.
  // The gateway implements none; an empty or non-list crit is malformed (same section).
  if (Object.hasOwn(header, 'crit')) {
    const crit = header.crit;
    if (Array.isArray(crit) && crit.length > 0 && crit.every((c) => typeof c === 'string')) {
      throw new AuthRejection(
        `jwt rejected: crit names extensions the gateway does not implement (${logSafe(crit.join(','))})`,
      );
    }
    throw new AuthRejection('jwt rejected: malformed crit header');
  }
  if (policy.tokenTypes) {
    const typ = header.typ;
    if (typ === undefined) throw new AuthRejection('jwt rejected: no typ in header');
    if (typeof typ !== 'string' || !policy.tokenTypes.has(normaliseTokenType(typ))) {
      throw new AuthRejection(`jwt rejected: typ not allowed (${logSafe(typ)})`);
    }
  }
  return { alg, kid };
}
