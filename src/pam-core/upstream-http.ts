import { rootCertificates } from 'node:tls';
import { performance } from 'node:perf_hooks';
import { Agent, request } from 'undici';
import type { TransportFailure, UpstreamAnswer } from './upstream-answer';

export interface UpstreamHttpSettings {
  ca?: string;
  tlsInsecure: boolean;
  maxConcurrency: number;
  timeoutMs: number;
}

export interface UpstreamRequest {
  method: 'GET' | 'HEAD' | 'POST' | 'DELETE';
  url: string;
  headers: Record<string, string>;
  body?: string;
  /** Bound for headers and body together. */
  timeoutMs: number;
  maxBodyBytes: number;
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

type ReadResult = { text: string; complete: boolean } | { failure: TransportFailure };

/**
 * The one HTTP client of pam-core: a keep-alive undici Agent with Segura's TLS settings.
 * It never throws for network trouble; it reports what happened as an {@link UpstreamAnswer}.
 */
export class UpstreamHttp {
  private readonly agent: Agent;

  constructor(settings: UpstreamHttpSettings) {
    this.agent = new Agent({
      connections: settings.maxConcurrency,
      keepAliveTimeout: 4_000,
      keepAliveMaxTimeout: 60_000,
      headersTimeout: settings.timeoutMs,
      bodyTimeout: settings.timeoutMs,
      connect: {
        // Shorter than the call timeout so an unreachable host is reported as "not sent".
        timeout: Math.min(settings.timeoutMs, 5_000),
        rejectUnauthorized: !settings.tlsInsecure,
        // A private CA is added to, not substituted for, the public roots (as NODE_EXTRA_CA_CERTS does).
        ...(settings.ca ? { ca: [...rootCertificates, settings.ca] } : {}),
      },
    });
  }

  async send(req: UpstreamRequest): Promise<UpstreamAnswer> {
    const started = performance.now();
    const elapsed = (): number => Math.round(performance.now() - started);
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), req.timeoutMs);
    try {
      let res: Awaited<ReturnType<typeof request>>;
      try {
        res = await request(req.url, {
          dispatcher: this.agent,
          method: req.method,
          headers: req.headers,
          body: req.body,
          signal: controller.signal,
          headersTimeout: req.timeoutMs,
          bodyTimeout: req.timeoutMs,
        });
      } catch (err) {
        const failure = controller.signal.aborted ? 'timeout' : transportFailureOf(err);
        return { kind: 'transport', failure, durationMs: elapsed() };
      }
      const contentType = firstHeader(res.headers['content-type']);
      const retryAfter = firstHeader(res.headers['retry-after']);
      const read = await readLimited(res.body, req.maxBodyBytes, controller.signal);
      if ('failure' in read) {
        return {
          kind: 'transport',
          failure: read.failure,
          status: res.statusCode,
          durationMs: elapsed(),
        };
      }
      return {
        kind: 'response',
        status: res.statusCode,
        contentType,
        bodyText: read.text,
        complete: read.complete,
        retryAfter,
        durationMs: elapsed(),
      };
    } finally {
      clearTimeout(timer);
    }
  }

  /**
   * Lets in-flight requests finish (each is bounded by its timeout), then closes the
   * keep-alive connections; anything still open after `graceMs` is destroyed.
   */
  async close(graceMs: number): Promise<void> {
    if (this.agent.destroyed) return;
    let timer: NodeJS.Timeout | undefined;
    const grace = new Promise<'late'>((resolve) => {
      timer = setTimeout(() => resolve('late'), graceMs);
    });
    const closing = this.agent.close().then(() => 'closed' as const);
    const outcome = await Promise.race([closing, grace]);
    clearTimeout(timer);
    if (outcome === 'late') await this.agent.destroy();
  }
}

function firstHeader(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

/** Reads at most `max` bytes; always consumes or destroys the body so no socket leaks. */
async function readLimited(
  body: AsyncIterable<Buffer> & { destroy(err?: Error): unknown },
  max: number,
  signal: AbortSignal,
): Promise<ReadResult> {
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of body) {
      size += chunk.length;
      if (size > max) {
        body.destroy();
        return { text: '', complete: false };
      }
      chunks.push(chunk);
    }
    return { text: new TextDecoder('utf-8').decode(Buffer.concat(chunks)), complete: true };
  } catch (err) {
    body.destroy();
    if (signal.aborted) return { failure: 'timeout' };
    const failure = transportFailureOf(err);
    // A reset is UPSTREAM_UNAVAILABLE (docs/errors.md), whether before or after the headers.
    if (failure === 'timeout' || failure === 'reset') return { failure };
    // Headers came but the body broke off: the answer exists but cannot be read.
    return { text: new TextDecoder('utf-8').decode(Buffer.concat(chunks)), complete: false };
  }
}
