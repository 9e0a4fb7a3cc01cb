import { request } from 'undici';

export interface IssuerGetOptions {
  /** Largest body accepted; a bigger one is cut off and refused, never buffered whole. */
  maxBytes: number;
  /** Bound for the whole exchange, connection to last byte. */
  timeoutMs: number;
  /** Cancels the request (module shutdown). */
  signal?: AbortSignal;
}

/**
 * GETs a JSON document from the issuer (discovery document, JWKS). Throws an Error whose message
 * names the URL (without credentials or query) and what went wrong, never the body.
 */
export async function getIssuerJson(url: string, opts: IssuerGetOptions): Promise<unknown> {
  const where = urlForLog(url);
  const deadline = AbortSignal.timeout(opts.timeoutMs);
  const signal = opts.signal ? AbortSignal.any([opts.signal, deadline]) : deadline;
  let text: string;
  try {
    const res = await request(url, {
      method: 'GET',
      headers: { accept: 'application/json' },
      headersTimeout: opts.timeoutMs,
      bodyTimeout: opts.timeoutMs,
      signal,
    });
    if (res.statusCode !== 200) {
      discard(res.body);
      throw new IssuerAnswerError(`${where} answered HTTP ${res.statusCode}`);
    }
    const tooLarge = `${where} answered with a document larger than ${opts.maxBytes} bytes`;
    const declared = Number(res.headers['content-length']);
    if (declared > opts.maxBytes) {
      discard(res.body);
      throw new IssuerAnswerError(tooLarge);
    }
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of res.body as AsyncIterable<Buffer>) {
      size += chunk.length;
      if (size > opts.maxBytes) {
        discard(res.body);
        throw new IssuerAnswerError(tooLarge);
      }
      chunks.push(chunk);
    }
    text = Buffer.concat(chunks).toString('utf8');
  } catch (err) {
    if (err instanceof IssuerAnswerError) throw err;
    throw new Error(`${where} unreachable: ${describeTransportError(err, signal, opts.timeoutMs)}`);
  }
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

class IssuerAnswerError extends Error {}

/** Drops a body unread: the connection is closed, and the abort it reports is expected. */
function discard(body: NodeJS.ReadableStream & { destroy(): void }): void {
  body.on('error', () => undefined);
  body.destroy();
}

function describeTransportError(err: unknown, signal: AbortSignal, timeoutMs: number): string {
  if (signal.aborted) {
    const reason: unknown = signal.reason;
    return reason instanceof Error && reason.name === 'TimeoutError'
      ? `no complete answer within ${timeoutMs} ms`
      : 'request cancelled';
  }
  const e = err as { code?: unknown; message?: unknown } | null;
  const code = typeof e?.code === 'string' ? e.code : undefined;
  const message = typeof e?.message === 'string' ? e.message : String(err);
  return code && !message.includes(code) ? `${code} ${message}` : message;
}
