import { GatewayError } from '../errors';
import { isValidSessionId } from './session-normaliser';

/** The pattern and its test live with the list normaliser, which the list thread runs too. */
export { SESSION_ID_PATTERN, isValidSessionId } from './session-normaliser';

/** Throws BAD_USER_INPUT (field `id`) unless `id` is valid; called before any network activity. */
export function assertValidSessionId(id: unknown): asserts id is string {
  if (!isValidSessionId(id)) {
    throw new GatewayError('BAD_USER_INPUT', 'Invalid session id', {
      field: 'id',
      detail: 'id must be 1 to 128 letters, digits, "_" or "-", starting with a letter or digit',
    });
  }
}
