/**
 * The console's Content-Security-Policy: its own scripts and styles only (no inline script or
 * style, no eval), API calls to this gateway, and OIDC calls (discovery, token, renewal) to the
 * issuer's origin. Nothing may frame it.
 */
export function consoleCsp(issuer: string): string {
  const issuerOrigin = new URL(issuer).origin;
  return [
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "font-src 'self'",
    `connect-src 'self' ${issuerOrigin}`,
    "manifest-src 'self'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
}

/** Hashed assets are cached for a year; everything else is revalidated on every load. */
export const CACHE_IMMUTABLE = 'public, max-age=31536000, immutable';
export const CACHE_REVALIDATE = 'no-cache';
