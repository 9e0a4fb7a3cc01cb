import type { HttpService } from '@nestjs/axios';
import { AxiosError, isCancel } from 'axios';
import { firstValueFrom } from 'rxjs';
import type { UndiciTransportOptions } from '../http';

export interface IssuerGetOptions {
  /** Largest body accepted; a bigger one is cut off and refused, never buffered whole. */
  maxBytes: number;
  /** Bound for the whole exchange, connection to last byte. */
  timeoutMs: number;
  /** Cancels the request (module shutdown). */
  signal?: AbortSignal;
}

/** The issuer's pool: the system's trust store, connect bound as for the calls. */
export const ISSUER_TRANSPORT: UndiciTransportOptions = { timeoutMs: 5000 };

/**
 * GETs a JSON document from the issuer (discovery document, JWKS) over AuthModule's
 * HttpService. Throws an Error whose message names the URL (without credentials or query) and
 * what went wrong, never the body.
 */
export async function getIssuerJson(
  http: HttpService,
  url: string,
  opts: IssuerGetOptions,
): Promise<unknown> {
  const where = urlForLog(url);
  let status: number;
  let text: string;
  try {
    const res = await firstValueFrom(
      http.get<string>(url, {
        headers: { accept: 'application/json' },
        timeout: opts.timeoutMs,
        maxContentLength: opts.maxBytes,
        signal: opts.signal,
      }),
    );
    status = res.status;
    text = res.data;
  } catch (err) {
    // Headers came: a refusal is named by its status, whatever happened to its body.
    const answered = err instanceof AxiosError ? err.response?.status : undefined;
    if (answered !== undefined && answered !== 200) {
      throw new Error(`${where} answered HTTP ${answered}`);
    }
    if (answered === 200 && (err as AxiosError).code === AxiosError.ERR_BAD_RESPONSE) {
      throw new Error(`${where} answered with a document larger than ${opts.maxBytes} bytes`);
    }
    throw new Error(`${where} unreachable: ${describeTransportError(err, opts.timeoutMs)}`);
  }
  if (status !== 200) throw new Error(`${where} answered HTTP ${status}`);
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new Error(`${where} did not return JSON`);
  }
}

/** A URL as it may appear in a log line: no user info, no query, no fragment. */
export function urlForLog(url: string): string {
  try {
    const u = new URL(url);
    return `${u.origin}${u.pathname}`;
  } catch {
    return '(invalid URL)';
  }
}

function describeTransportError(err: unknown, timeoutMs: number): string {
  if (isCancel(err)) return 'request cancelled';
  if (err instanceof AxiosError && err.code === AxiosError.ETIMEDOUT) {
    return `no complete answer within ${timeoutMs} ms`;
  }
  // The transport's own error (the adapter keeps it as the cause).
  const cause: unknown = err instanceof AxiosError && err.cause ? err.cause : err;
  const e = cause as { code?: unknown; message?: unknown } | null;
  const code = typeof e?.code === 'string' ? e.code : undefined;
  const message = typeof e?.message === 'string' ? e.message : String(cause);
  return code && !message.includes(code) ? `${code} ${message}` : message;
}
