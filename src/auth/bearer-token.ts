import { AuthRejection } from './auth-rejection';

// Three base64url segments; the signature may be empty (alg "none"), which later checks reject.
const BEARER = /^Bearer +([A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*)$/i;

/**
 * The JWT of an `Authorization: Bearer <jwt>` header, or null. The guard and the passport
 * strategy both use this function so they always agree on which string is the token.
 */
export function bearerTokenFrom(authorization: string | undefined): string | null {
  if (authorization === undefined) return null;
  const m = BEARER.exec(authorization.trim());
  return m ? m[1] : null;
}

export interface JwtHeader {
  alg?: unknown;
  kid?: unknown;
  [name: string]: unknown;
}

/** Decodes (does not verify) a compact JWT's header, to pick the key before verification. */
export function readJwtHeader(token: string): JwtHeader {
  const dot = token.indexOf('.');
  try {
    const header: unknown = JSON.parse(
      Buffer.from(token.slice(0, dot), 'base64url').toString('utf8'),
    );
    if (header !== null && typeof header === 'object' && !Array.isArray(header)) {
      return header as JwtHeader;
    }
  } catch {
    // fall through: not JSON
  }
  throw new AuthRejection('jwt rejected: malformed header');
}
