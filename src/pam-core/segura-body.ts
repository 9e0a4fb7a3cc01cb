/**
 * Reading Segura's answers: its envelope `{code, response:{…}, exception?}`, the older short
 * envelope `{status, mensagem, erro, message, error}`, OAuth errors `{error, error_description}`
 * and the API gateway's `{message, request_id}`. Everything here treats the body as untrusted.
 */

import { isObject, type JsonObject } from './session-normaliser';

export { isObject, parseBody } from './session-normaliser';
export type { JsonObject, ParsedBody } from './session-normaliser';

/** What a body says, independent of its shape. */
export interface BodyFacts {
  /** Segura's error flag (`error`/`erro`), when the body carries one. */
  errorFlag?: boolean;
  /** Candidate messages, English fields first (`message` is preferred over `mensagem`). */
  messages: string[];
  /** `exception.code` (e.g. 1002) when present. */
  exceptionCode?: number;
  /** OAuth error code (`invalid_client`, `access_denied`, …) when the body is an OAuth error. */
  oauthError?: string;
}

const MAX_MESSAGE = 200;

const SECRET_VALUE =
  /\b(password|passwd|pwd|secret|client_secret|token|access_token|api[_-]?key)(\s*[:=]\s*)("[^"]*"|'[^']*'|[^\s,;&)]+)/gi;

function flag(v: unknown): boolean | undefined {
  if (typeof v === 'boolean') return v;
  if (v === 'true' || v === 1) return true;
  if (v === 'false' || v === 0) return false;
  return undefined;
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' && v.trim() !== '' ? v : undefined;
}

/** Extracts the error flag, messages and codes from any of the known shapes. */
export function bodyFacts(body: JsonObject): BodyFacts {
  const response = isObject(body.response) ? body.response : {};
  const exception = isObject(body.exception) ? body.exception : {};
  const oauthError = str(body.error);
  const errorFlag =
    flag(response.error) ?? flag(response.erro) ?? flag(body.error) ?? flag(body.erro);
  const candidates = [
    response.message,
    exception.message,
    body.message,
    body.error_description,
    response.mensagem,
    body.mensagem,
    response.detail,
    exception.detail,
    body.detail,
  ];
  const exceptionCode =
    typeof exception.code === 'number'
      ? exception.code
      : typeof exception.code === 'string' && /^\d+$/.test(exception.code)
        ? Number(exception.code)
        : undefined;
  return {
    errorFlag,
    messages: candidates.map(str).filter((m): m is string => m !== undefined),
    exceptionCode,
    oauthError:
      oauthError !== undefined && /^[a-z_]{1,64}$/.test(oauthError) ? oauthError : undefined,
  };
}

/**
 * Makes an untrusted upstream text safe for the debug log (segura-texts.ts: callers and the
 * audit record only ever get documented or generic texts): printable ASCII and Latin-1 only,
 * no control characters, token-like runs and `password=…`-style values redacted, at most 200
 * characters.
 */
export function cleanMessage(raw: string | undefined): string | undefined {
  if (raw === undefined) return undefined;
  let s = raw.normalize('NFC').replace(/[^\x20-\x7E\u00A0-\u00FF]/g, ' ');
  // A bearer token or JWT echoed back must not travel further (40-hex session ids stay).
  s = s.replace(/[A-Za-z0-9+/_.~=-]{48,}/g, '[redacted]');
  // A credential written as key=value or key: value, whatever its length.
  s = s.replace(SECRET_VALUE, '$1$2[redacted]');
  s = s.replace(/\s+/g, ' ').trim();
  if (s.length > MAX_MESSAGE) s = `${s.slice(0, MAX_MESSAGE - 3).trimEnd()}...`;
  return s === '' ? undefined : s;
}

/** Lower-case, single-spaced, without trailing punctuation: for matching documented texts. */
export function normaliseForMatch(s: string): string {
  return s
    .toLowerCase()
    .replace(/\s+/g, ' ')
    .trim()
    .replace(/[.!\s]+$/, '');
}
