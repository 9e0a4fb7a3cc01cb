import { recordableText } from '../audit/audit-text';
import { GatewayError } from '../errors';
import { isValidSessionId } from '../pam-core';

export const REASON_MAX_LENGTH = 500;

export interface TerminateInput {
  sessionId: string;
  reason?: string;
}

/**
 * Validates a termination request. The id is checked first, before anything else happens;
 * reason is trimmed, at most 500 characters, required when the policy says so.
 */
export function parseTerminateInput(
  id: unknown,
  reason: unknown,
  requireReason: boolean,
): TerminateInput {
  if (typeof id !== 'string' || !isValidSessionId(id)) {
    throw new GatewayError('BAD_USER_INPUT', 'Invalid session id', {
      field: 'id',
      detail: 'id must match ^[A-Za-z0-9][A-Za-z0-9_-]{0,127}$',
    });
  }
  return { sessionId: id, reason: parseReason(reason, requireReason) };
}

/** reason: trimmed, at most 500 characters, required when the policy says so; '' is none. */
export function parseReason(reason: unknown, requireReason: boolean): string | undefined {
  let trimmed: string | undefined;
  if (reason !== undefined && reason !== null) {
    if (typeof reason !== 'string') {
      throw new GatewayError('BAD_USER_INPUT', 'Invalid reason', {
        field: 'reason',
        detail: 'reason must be a string',
      });
    }
    trimmed = reason.trim();
    if (trimmed.length > REASON_MAX_LENGTH) {
      throw new GatewayError('BAD_USER_INPUT', 'Reason too long', {
        field: 'reason',
        detail: `reason must be at most ${REASON_MAX_LENGTH} characters`,
      });
    }
    if (trimmed === '') trimmed = undefined;
  }
  if (requireReason && trimmed === undefined) {
    throw new GatewayError('BAD_USER_INPUT', 'Reason required', {
      field: 'reason',
      detail: 'reason is required by policy',
    });
  }
  return trimmed;
}

/** REST body: absent, or a JSON object whose only known field is `reason`. */
export function parseTerminateBody(body: unknown): { reason?: unknown } {
  return parseJsonBody(body, ['reason']);
}

/** A REST JSON body: absent (empty object), or an object with only the `known` fields. */
export function parseJsonBody(body: unknown, known: readonly string[]): Record<string, unknown> {
  if (body === undefined || body === null) return {};
  if (typeof body !== 'object' || Array.isArray(body)) {
    throw new GatewayError('BAD_USER_INPUT', 'Invalid body', {
      field: 'body',
      detail: 'body must be a JSON object',
    });
  }
  const unknownKeys = Object.keys(body).filter((k) => !known.includes(k));
  if (unknownKeys.length > 0) {
    const name = recordableText(unknownKeys[0], 40);
    const accepted = known.map((k) => `"${k}"`).join(', ');
    throw new GatewayError('BAD_USER_INPUT', 'Unknown field', {
      field: name,
      detail: `unknown field "${name}"; only ${accepted} ${known.length === 1 ? 'is' : 'are'} accepted`,
    });
  }
  return body as Record<string, unknown>;
}
