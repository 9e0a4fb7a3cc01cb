import { performance } from 'node:perf_hooks';
import type { HttpService } from '@nestjs/axios';
import { isAxiosError, type AxiosResponse } from 'axios';
import { firstValueFrom } from 'rxjs';
import type { PamCoreSettings } from '../config';
import { NEVER_CANCELLED, type UndiciTransportOptions } from '../http';
import type { TransportFailure, UpstreamAnswer } from './upstream-answer';

export interface UpstreamRequest {
  method: 'GET' | 'HEAD' | 'POST' | 'DELETE';
  url: string;
  headers: Record<string, string>;
  body?: string;
  /** Bound for headers and body together. */
  timeoutMs: number;
  maxBodyBytes: number;
  /** The body as bytes (`bodyBytes`), for a thread to decode: a large list's text is not decoded here. */
  binary?: boolean;
}

const NOT_SENT = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EAI_NODATA',
  'EAI_NONAME',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EADDRNOTAVAIL',
  'UND_ERR_CONNECT_TIMEOUT',
]);
const TIMEOUT = new Set(['UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT', 'ETIMEDOUT']);
const RESET = new Set(['UND_ERR_SOCKET', 'ECONNRESET', 'EPIPE', 'UND_ERR_CLOSED', 'ECONNABORTED']);
const TLS = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'HOSTNAME_MISMATCH',
  'EPROTO',
]);

/** Error codes of an error, its causes and (for happy-eyeballs AggregateErrors) its members. */
function errorCodes(err: unknown, depth = 0): string[] {
  if (depth > 4 || typeof err !== 'object' || err === null) return [];
  const e = err as { code?: unknown; cause?: unknown; errors?: unknown };
  const own = typeof e.code === 'string' ? [e.code] : [];
  const members = Array.isArray(e.errors) ? e.errors.flatMap((m) => errorCodes(m, depth + 1)) : [];
  return [...own, ...errorCodes(e.cause, depth + 1), ...members];
}

/** Maps an HTTP client error to what it means for the request's fate. */
export function transportFailureOf(err: unknown): TransportFailure {
  const codes = errorCodes(err);
  if (codes.some((c) => TIMEOUT.has(c))) return 'timeout';
  if (codes.some((c) => RESET.has(c))) return 'reset';
  if (codes.some((c) => TLS.has(c) || /^(ERR_TLS_|ERR_SSL_|CERT_)/.test(c))) return 'tls';
  if (
    codes.some(
      (c) =>
        c.startsWith('HPE_') || c.startsWith('UND_ERR_RES_') || c === 'UND_ERR_HEADERS_OVERFLOW',
    )
  ) {
    return 'protocol';
  }
  if (codes.length > 0 && codes.every((c) => NOT_SENT.has(c))) return 'not-sent';
  return 'other';
}

/** The transport of Segura's HttpService: one pool, Segura's TLS settings. */
export function pamCoreTransport(settings: PamCoreSettings): UndiciTransportOptions {
  return {
    ca: settings.ca,
    tlsInsecure: settings.tlsInsecure,
    connections: settings.maxConcurrency,
    timeoutMs: settings.timeoutMs,
  };
}

/**
 * The one HTTP exchange of pam-core, over the module's HttpService (axios on the undici
 * adapter). It never throws for network trouble; it reports what happened as an
 * {@link UpstreamAnswer}, every status included.
 */
export class UpstreamHttp {
  constructor(private readonly http: HttpService) {}

  async send(req: UpstreamRequest): Promise<UpstreamAnswer> {
    const started = performance.now();
    const elapsed = (): number => Math.round(performance.now() - started);
    let res: AxiosResponse<string | Buffer>;
    try {
      res = await firstValueFrom(
        this.http.request<string | Buffer>({
          method: req.method,
          url: req.url,
          headers: req.headers,
          data: req.body,
          timeout: req.timeoutMs,
          maxContentLength: req.maxBodyBytes,
          ...(req.binary ? { responseType: 'arraybuffer' as const } : {}),
          // Bounded by `timeout`, never abandoned: no per-call token to cancel afterwards.
          cancelToken: NEVER_CANCELLED,
        }),
      );
    } catch (err) {
      const failure = transportFailureOf(err);
      const partial = isAxiosError<string | Buffer>(err) ? err.response : undefined;
      // No headers, or a reset or timeout after them: UPSTREAM_UNAVAILABLE / TIMEOUT
      // (docs/errors.md), with the status when there was one.
      if (!partial || failure === 'timeout' || failure === 'reset') {
        return { kind: 'transport', failure, status: partial?.status, durationMs: elapsed() };
      }
      // Headers came but the body broke off or was too large: the answer exists, unread.
      return answerOf(partial, false, elapsed());
    }
    return answerOf(res, true, elapsed());
  }
}

function answerOf(
  res: AxiosResponse<string | Buffer>,
  complete: boolean,
  durationMs: number,
): UpstreamAnswer {
  const headers = res.headers as Record<string, unknown>;
  return {
    kind: 'response',
    status: res.status,
    contentType: firstHeader(headers['content-type']),
    bodyText: typeof res.data === 'string' ? res.data : '',
    ...(Buffer.isBuffer(res.data) ? { bodyBytes: res.data } : {}),
    complete,
    retryAfter: firstHeader(headers['retry-after']),
    durationMs,
  };
}

function firstHeader(value: unknown): string | undefined {
  const first: unknown = Array.isArray(value) ? value[0] : value;
  return typeof first === 'string' ? first : undefined;
}
