/**
 * Exact response shapes of Segura PAM Core and of the API gateway (Kong) in front of it,
 * as documented in docs/segura.md. Kept in one place so tests and the
 * simulator agree byte for byte.
 */
import { randomBytes } from 'node:crypto';
import { STATUS_CODES } from 'node:http';
import type { SeguraErrorPreset, SimSession } from './types';

/** A complete answer: status, exact body text and content type. */
export interface SimReply {
  status: number;
  body: string;
  contentType: string;
  headers?: Record<string, string>;
}

export const JSON_TYPE = 'application/json';

export const MSG = {
  dropOk: 'Session dropped successfully',
  dropOkPt: 'Sessão encerrada com sucesso',
  dropOkPtLegacy: 'Sessão interrompida com sucesso',
  resourceNotFound: 'Resource sub not found',
  unexpected: 'Unexpected error.',
  notAuthorized: 'You are not authorized to access this resource.',
  dropFailed: 'An error occurred while droping session.', // sic, as Segura spells it
  sessionNotFound: '1002: Session not found',
  unexpectedIdentifier: '1003: Unexpected identifier type',
  clientAuthFailed: 'Client authentication failed',
  unsupportedGrant: 'The authorization grant type is not supported by the authorization server.',
  accessDenied: 'The resource owner or authorization server denied the request.',
  invalidSignature: 'Invalid signature',
  noRoute: 'no Route matched with those values',
  timedOut: 'Request timed out.',
} as const;

/** Portuguese twins for the envelope's `mensagem` (Segura duplicates every field). */
const PT: Record<string, string> = {
  [MSG.dropOk]: MSG.dropOkPt,
  [MSG.resourceNotFound]: 'Recurso sub não encontrado',
  [MSG.unexpected]: 'Erro inesperado.',
  [MSG.notAuthorized]: 'Você não tem autorização para acessar este recurso.',
  [MSG.dropFailed]: 'Ocorreu um erro ao derrubar a sessão.',
  [MSG.sessionNotFound]: '1002: Sessão não encontrada',
  [MSG.unexpectedIdentifier]: '1003: Tipo de identificador inesperado',
};

export interface SeguraException {
  code: number;
  message: string;
  detail: null;
}

export interface EnvelopeExtras {
  message?: string;
  mensagem?: string;
  exception?: SeguraException;
  tenant?: string;
}

/** Segura's envelope; `response` duplicates each field in Portuguese. */
export function envelope(status: number, extras: EnvelopeExtras = {}): Record<string, unknown> {
  const error = status >= 400;
  const message = extras.message ?? '';
  const mensagem = extras.mensagem ?? PT[message] ?? message;
  const errorCode = extras.exception?.code ?? (error ? status : 0);
  const out: Record<string, unknown> = {
    code: status,
    response: {
      status,
      message,
      error,
      error_code: errorCode,
      detail: '',
      mensagem,
      erro: error,
      cod_erro: errorCode,
    },
  };
  if (extras.exception) out.exception = extras.exception;
  if (extras.tenant !== undefined) out.tenant = extras.tenant;
  return out;
}

export function json(status: number, body: unknown, headers?: Record<string, string>): SimReply {
  return { status, body: JSON.stringify(body), contentType: JSON_TYPE, headers };
}

function exception(message: string): SeguraException {
  return { code: Number(message.slice(0, 4)), message, detail: null };
}

export function envelopeError(status: number, message: string, withException?: string): SimReply {
  return json(
    status,
    envelope(status, { message, exception: withException ? exception(withException) : undefined }),
  );
}

export const replies = {
  dropSuccess: (language: 'en' | 'pt'): SimReply =>
    language === 'pt'
      ? json(200, envelope(200, { message: MSG.dropOkPtLegacy, mensagem: MSG.dropOkPtLegacy }))
      : json(200, envelope(200, { message: MSG.dropOk })),
  /** Unknown session on drop, or a wrong URL under the API. */
  resourceNotFound: (withException = true): SimReply =>
    envelopeError(404, MSG.resourceNotFound, withException ? MSG.sessionNotFound : undefined),
  unexpected: (): SimReply => envelopeError(500, MSG.unexpected),
  notAuthorized: (): SimReply => envelopeError(500, MSG.notAuthorized),
  dropFailed: (): SimReply => envelopeError(500, MSG.dropFailed),
  sessionNotFound: (): SimReply => envelopeError(400, MSG.sessionNotFound, MSG.sessionNotFound),
  unexpectedIdentifier: (): SimReply =>
    envelopeError(400, MSG.unexpectedIdentifier, MSG.unexpectedIdentifier),
  clientAuthFailed: (): SimReply =>
    json(401, {
      error: 'invalid_client',
      error_description: MSG.clientAuthFailed,
      message: MSG.clientAuthFailed,
    }),
  unsupportedGrant: (): SimReply =>
    json(400, {
      error: 'unsupported_grant_type',
      error_description: MSG.unsupportedGrant,
      message: MSG.unsupportedGrant,
    }),
  accessDenied: (): SimReply =>
    json(401, {
      error: 'access_denied',
      error_description: MSG.accessDenied,
      hint: 'Access token could not be verified',
      message: MSG.accessDenied,
    }),
  invalidSignature: (): SimReply => json(401, { message: MSG.invalidSignature }),
  noRoute: (): SimReply =>
    json(404, { message: MSG.noRoute, request_id: randomBytes(16).toString('hex') }),
  timedOut: (): SimReply => json(504, { message: MSG.timedOut }),
  legacyShortError: (): SimReply =>
    json(500, {
      status: 500,
      mensagem: 'Erro inesperado.',
      erro: true,
      message: MSG.unexpected,
      error: true,
    }),
};

export function presetReply(preset: SeguraErrorPreset): SimReply {
  switch (preset) {
    case 'not-found':
      return replies.resourceNotFound(true);
    case 'unexpected':
      return replies.unexpected();
    case 'not-authorized':
      return replies.notAuthorized();
    case 'drop-failed':
      return replies.dropFailed();
    case 'client-auth':
    case 'oauth-invalid-client':
      return replies.clientAuthFailed();
    case 'invalid-signature':
      return replies.invalidSignature();
    case 'no-route':
      return replies.noRoute();
    case 'timeout-message':
      return replies.timedOut();
    case 'legacy-short-envelope-error':
      return replies.legacyShortError();
  }
}

/**
 * Segura's API v2 answer to a client over its rate limit (docs/segura.md, "Rate limiting and
 * other v2 conventions"): 429, `Retry-After` unless null, X-RateLimit-* headers, the envelope
 * or nothing.
 */
export function rateLimited(retryAfter: string | null, body: 'segura' | 'empty'): SimReply {
  const headers: Record<string, string> = {
    'x-ratelimit-limit': '60',
    'x-ratelimit-remaining': '0',
  };
  if (retryAfter !== null) headers['retry-after'] = retryAfter;
  if (body === 'empty') return { status: 429, body: '', contentType: '', headers };
  const reply = json(
    429,
    envelope(429, { message: 'Too Many Requests', mensagem: 'Muitas requisições' }),
  );
  return { ...reply, headers };
}

/** An error page as nginx (a reverse proxy in front of Segura) renders it. */
export function htmlPage(status: number): SimReply {
  const title = `${status} ${STATUS_CODES[status] ?? 'Error'}`;
  const body =
    `<html>\r\n<head><title>${title}</title></head>\r\n<body>\r\n` +
    `<center><h1>${title}</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n`;
  return { status, body, contentType: 'text/html; charset=utf-8' };
}

/** A well-formed HTTP answer whose JSON body stops half way. */
export function truncatedJson(status: number): SimReply {
  const full =
    status >= 400
      ? JSON.stringify(envelope(status, { message: MSG.unexpected }))
      : JSON.stringify(envelope(status, { message: MSG.dropOk }));
  return { status, body: full.slice(0, Math.floor(full.length / 2)), contentType: JSON_TYPE };
}

// --- time formatting: Segura sends naive "YYYY-MM-DD HH:MM:SS"; the simulator uses UTC ---

const pad = (n: number): string => String(n).padStart(2, '0');

export function formatSeguraTime(ms: number): string {
  const d = new Date(ms);
  return (
    `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ` +
    `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`
  );
}

export function parseSeguraTime(s: string): number {
  return Date.parse(`${s.replace(' ', 'T')}Z`);
}

/** "HH:MM:SS" elapsed time (hours may exceed 24). */
export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.floor(seconds));
  return `${pad(Math.floor(s / 3600))}:${pad(Math.floor((s % 3600) / 60))}:${pad(s % 60)}`;
}

/** One entry of `remote_sessions` / `remote_session`, in the configured key language. */
export function sessionItem(
  s: SimSession,
  language: 'en' | 'pt',
  nowMs: number,
): Record<string, unknown> {
  const startMs = parseSeguraTime(s.start);
  const endMs = s.end === '' ? nowMs : parseSeguraTime(s.end);
  const time =
    Number.isFinite(startMs) && Number.isFinite(endMs)
      ? formatDuration((endMs - startMs) / 1000)
      : '00:00:00';
  const pt = language === 'pt';
  return {
    id: s.id,
    user: s.user,
    origin_ip: s.originIp,
    [pt ? 'credencial' : 'credential']: s.credential,
    [pt ? 'dispositivo' : 'device']: s.device,
    protocol: s.protocol,
    proxy: s.proxy,
    session_id: s.sessionId,
    start: s.start,
    end: s.end,
    time,
    prevent_purge: pt ? 'Não' : 'No',
    request: null,
    ITSM: s.itsm,
  };
}
