import { GatewayError } from '../errors';

/** What a caller may pass as a session id: Segura's hashes (40 hex), UUIDs, never a path. */
export const SESSION_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_-]{0,127}$/;

/** True when `id` is a string the gateway will forward to Segura. */
export function isValidSessionId(id: unknown): id is string {
  return typeof id === 'string' && SESSION_ID_PATTERN.test(id);
}

/** Throws BAD_USER_INPUT (field `id`) unless `id` is valid; called before any network activity. */
export function assertValidSessionId(id: unknown): asserts id is string {
  if (!isValidSessionId(id)) {
    throw new GatewayError('BAD_USER_INPUT', 'Invalid session id', {
      field: 'id',
      detail: 'id must be 1 to 128 letters, digits, "_" or "-", starting with a letter or digit',
    });
  }
}
