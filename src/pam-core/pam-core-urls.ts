import { assertValidSessionId } from './session-id';

/**
 * Joins the configured base URL and an API path, keeping any path prefix of the base
 * (Segura is often published under a sub-path; `new URL(path, base)` would drop it).
 */
export function joinUrl(baseUrl: string, path: string): string {
  const base = baseUrl.replace(/\/+$/, '');
  const tail = path.startsWith('/') ? path : `/${path}`;
  return `${base}${tail}`;
}

/** URL of the drop endpoint for one session; validates the id before anything else. */
export function dropUrl(baseUrl: string, dropPathTemplate: string, sessionId: string): string {
  assertValidSessionId(sessionId);
  // encodeURIComponent is a no-op for valid ids; it stays as a second line of defence.
  const path = dropPathTemplate.split('{sessionId}').join(encodeURIComponent(sessionId));
  return joinUrl(baseUrl, path);
}

/** URL of the session list. */
export function sessionsUrl(baseUrl: string, sessionsPath: string): string {
  return joinUrl(baseUrl, sessionsPath.replace(/\/+$/, ''));
}

/** URL of one session (`…/remotesessions/{id}`); validates the id before anything else. */
export function sessionUrl(baseUrl: string, sessionsPath: string, sessionId: string): string {
  assertValidSessionId(sessionId);
  return `${sessionsUrl(baseUrl, sessionsPath)}/${encodeURIComponent(sessionId)}`;
}
