import type { Logger } from '@nestjs/common';
import { type ErrorCode, titleFor } from '../errors';
import { cleanMessage, normaliseForMatch } from './segura-body';

/**
 * The only texts of Segura (and of its token server and the API gateway in front of it) that
 * may reach a caller or an audit record: the documented ones (segura-pam-core.md: the drop's
 * error table, the success texts, the get-one errors, Kong's texts). Anything else Segura sends
 * is replaced by the gateway's generic message for the code, because an unexpected text can be
 * anything: a review saw SQL, a server file path and a password-like string come through.
 */
const SUCCESS_TEXTS = [
  'Session dropped successfully',
  'Sessão encerrada com sucesso',
  'Sessão interrompida com sucesso',
] as const;

const ERROR_TEXTS = [
  'Resource sub not found',
  'Unexpected error.',
  'You are not authorized to access this resource.',
  'An error occurred while droping session.', // sic, as Segura spells it
  'Client authentication failed',
  'Invalid signature',
  // Kong's spelling first: the error table's "No route matched with those values." is the same text.
  'no Route matched with those values',
  'Request timed out.',
  '1002: Session not found',
  '1003: Unexpected identifier type',
  // Kong's own texts when Segura behind it is slow or gone.
  'The upstream server is timing out',
  'failure to get a peer from the ring-balancer',
  'name resolution failed',
] as const;

/** Normalised form → the documented spelling relayed for it. */
function byNormalForm(texts: readonly string[]): ReadonlyMap<string, string> {
  const map = new Map<string, string>();
  for (const t of texts) if (!map.has(normaliseForMatch(t))) map.set(normaliseForMatch(t), t);
  return map;
}

/** The caller sees English: the Portuguese success texts are relayed as the English one. */
const SUCCESS: ReadonlyMap<string, string> = new Map(
  SUCCESS_TEXTS.map((t) => [normaliseForMatch(t), SUCCESS_TEXTS[0]]),
);
const DOCUMENTED = byNormalForm([...SUCCESS_TEXTS, ...ERROR_TEXTS]);

/** What the gateway says instead of a text outside the documented set. */
export function genericMessage(code: ErrorCode): string {
  switch (code) {
    case 'SESSION_NOT_FOUND':
      return 'Segura does not know this session';
    case 'BAD_USER_INPUT':
      return 'Segura refused the session id';
    case 'TERMINATION_FAILED':
      return 'Segura could not drop the session';
    case 'UPSTREAM_AUTH_FAILED':
      return 'Segura rejected the gateway credentials';
    case 'UPSTREAM_FORBIDDEN':
      return 'Segura denied the gateway access';
    case 'UPSTREAM_TIMEOUT':
      return 'Segura did not answer in time';
    case 'UPSTREAM_UNAVAILABLE':
      return 'Segura is unavailable';
    case 'UPSTREAM_ERROR':
      return 'Segura answered with an unexpected error';
    default:
      return titleFor(code);
  }
}

export interface RelayedText {
  /** The documented spelling of the first candidate that is a documented text (English for a success). */
  documented?: string;
  /** The first candidate, cleaned, when it is not documented: for the debug log only. */
  unrecognised?: string;
}

/**
 * Sorts Segura's candidate messages (English fields first, see bodyFacts): matched whole, on
 * the normalised form the classifier uses, so a documented phrase inside a longer text does
 * not pass.
 */
export function relayedText(messages: readonly string[], kind: 'success' | 'error'): RelayedText {
  const allowed = kind === 'success' ? SUCCESS : DOCUMENTED;
  let documented: string | undefined;
  for (const m of messages) {
    documented = allowed.get(normaliseForMatch(m));
    if (documented !== undefined) break;
  }
  const first = messages[0];
  const known = first !== undefined && allowed.has(normaliseForMatch(first));
  return { documented, unrecognised: known ? undefined : cleanMessage(first) };
}

/**
 * The one place an unrecognised Segura text goes: a debug line, already bounded to 200
 * characters with token-like runs and `password=…` values redacted (cleanMessage).
 */
export function logUnrecognised(
  logger: Pick<Logger, 'debug'>,
  operation: string,
  c: { unrecognised?: string; status?: number },
): void {
  if (c.unrecognised === undefined) return;
  logger.debug(
    { operation, status: c.status, upstreamText: c.unrecognised },
    `PAM Core ${operation} answered a text outside the documented set; callers and the audit record get the generic message`,
  );
}
