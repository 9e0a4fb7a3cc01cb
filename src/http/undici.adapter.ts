import { rootCertificates } from 'node:tls';
import axios, {
  AxiosError,
  CanceledError,
  type AxiosAdapter,
  type AxiosInstance,
  type AxiosResponse,
  type AxiosRequestConfig,
  type InternalAxiosRequestConfig,
} from 'axios';
import { Agent, request } from 'undici';

/**
 * The gateway's upstream transport: axios (the interface, through @nestjs/axios) on a
 * keep-alive undici pool. Axios's own Node adapter costs about twice the CPU per call here.
 * The only file in src/ that imports undici.
 */
export interface UndiciTransportOptions {
  /** A private CA (PEM), added to the public roots (as NODE_EXTRA_CA_CERTS does). */
  ca?: string;
  /** Skips certificate verification (PAM_CORE_TLS_INSECURE; its owner warns). */
  tlsInsecure?: boolean;
  /** Connections per origin; unlimited when absent. */
  connections?: number;
  /** Bound for a call that names no `timeout`, and the connect bound (at most 5 s). */
  timeoutMs: number;
}

export interface UndiciAdapter extends AxiosAdapter {
  /** Lets in-flight calls finish, then closes the pool; destroys what is still open after `graceMs`. */
  close(graceMs: number): Promise<void>;
}

/** What axios would otherwise do per call and these clients do not need. */
const LEAN: AxiosRequestConfig = {
  // Every status is an answer: the callers classify them.
  validateStatus: () => true,
  maxRedirects: 0,
  transformRequest: [],
  transformResponse: [],
  responseType: 'text',
  // undici never decompresses and the gateway asks for no encoding.
  decompress: false,
  proxy: false,
};

/**
 * A cancel token that never fires, for hot paths that never unsubscribe early. HttpService
 * otherwise makes a token per call and cancels it once the call is over, which builds a
 * CanceledError with a stack trace every time (7% of the client's CPU per call, profiled).
 * Cancel those calls with `signal` instead.
 */
export const NEVER_CANCELLED = new axios.CancelToken(() => undefined);

/** Axios defaults for an instance on `adapter` (HttpModule.register / registerAsync). */
export function axiosDefaultsOn(adapter: UndiciAdapter): AxiosRequestConfig {
  return { ...LEAN, adapter };
}

/** Closes the pool behind an axios instance when it is one of ours (a test double is left alone). */
export async function closeTransportOf(instance: AxiosInstance, graceMs: number): Promise<void> {
  const adapter: unknown = instance?.defaults?.adapter;
  if (typeof adapter === 'function' && 'close' in adapter) {
    await (adapter as UndiciAdapter).close(graceMs);
  }
}

/**
 * An axios adapter over one undici Agent. Reads the body as text (as bytes with responseType
 * 'arraybuffer'), whatever the status. Failures
 * reject with an AxiosError whose `code` is the transport's own (ECONNREFUSED, UND_ERR_SOCKET…;
 * ETIMEDOUT when `timeout` ran out; the cause chain kept), so callers can tell what was sent.
 * When the headers had arrived, the error carries `response` with the status and the text read
 * so far: `''` when the body exceeded `maxContentLength` (code ERR_BAD_RESPONSE, never buffered
 * whole), else the part before it broke off. Not supported: baseURL, params, non-string bodies.
 */
export function undiciAdapter(opts: UndiciTransportOptions): UndiciAdapter {
  const agent = new Agent({
    ...(opts.connections !== undefined ? { connections: opts.connections } : {}),
    keepAliveTimeout: 4_000,
    keepAliveMaxTimeout: 60_000,
    headersTimeout: opts.timeoutMs,
    bodyTimeout: opts.timeoutMs,
    connect: {
      // Shorter than the call timeout so an unreachable host is reported as "not sent".
      timeout: Math.min(opts.timeoutMs, 5_000),
      rejectUnauthorized: !opts.tlsInsecure,
      ...(opts.ca ? { ca: [...rootCertificates, opts.ca] } : {}),
    },
  });

  const adapter = (config: InternalAxiosRequestConfig): Promise<AxiosResponse<string | Buffer>> =>
    exchange(agent, config, opts.timeoutMs);

  const close = async (graceMs: number): Promise<void> => {
    if (agent.destroyed || agent.closed) return;
    let timer: NodeJS.Timeout | undefined;
    const grace = new Promise<'late'>((resolve) => {
      timer = setTimeout(() => resolve('late'), graceMs);
    });
    const closing = agent.close().then(() => 'closed' as const);
    const outcome = await Promise.race([closing, grace]);
    clearTimeout(timer);
    if (outcome === 'late') await agent.destroy();
  };

  return Object.assign(adapter, { close });
}

async function exchange(
  agent: Agent,
  config: InternalAxiosRequestConfig,
  defaultTimeoutMs: number,
): Promise<AxiosResponse<string | Buffer>> {
  const body = config.data as unknown;
  if (config.baseURL || config.params || !config.url) {
    throw new AxiosError('absolute url only (no baseURL, no params)', 'ERR_BAD_OPTION', config);
  }
  if (body !== undefined && body !== null && typeof body !== 'string') {
    throw new AxiosError('the body must be a string', 'ERR_BAD_OPTION', config);
  }
  const timeoutMs = config.timeout || defaultTimeoutMs;
  const max =
    config.maxContentLength !== undefined && config.maxContentLength >= 0
      ? config.maxContentLength
      : Infinity;

  const controller = new AbortController();
  let timedOut = false;
  let cancelled = false;
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort();
  }, timeoutMs);
  const cancel = (): void => {
    cancelled = true;
    controller.abort();
  };
  const signal = config.signal as AbortSignal | undefined;
  if (signal?.aborted) cancel();
  signal?.addEventListener('abort', cancel);
  const token = config.cancelToken === NEVER_CANCELLED ? undefined : config.cancelToken;
  token?.subscribe(cancel);

  // Why it failed, in axios's terms; `response` when the headers had come.
  const failure = (err: unknown, response?: AxiosResponse<string | Buffer>): AxiosError => {
    if (cancelled) return new CanceledError(undefined, config);
    const code = timedOut ? 'ETIMEDOUT' : codeOf(err);
    const message = timedOut
      ? `timeout of ${timeoutMs}ms exceeded`
      : err instanceof Error
        ? err.message
        : String(err);
    const e = new AxiosError(message, code, config, undefined, response);
    if (err instanceof Error) e.cause = err;
    return e;
  };

  try {
    let res: Awaited<ReturnType<typeof request>>;
    try {
      res = await request(config.url, {
        dispatcher: agent,
        method: (config.method ?? 'get').toUpperCase() as 'GET',
        headers: config.headers.toJSON() as Record<string, string>,
        body: body ?? undefined,
        signal: controller.signal,
        headersTimeout: timeoutMs,
        bodyTimeout: timeoutMs,
      });
    } catch (err) {
      throw failure(err);
    }
    const answer = (data: string | Buffer): AxiosResponse<string | Buffer> => ({
      data,
      status: res.statusCode,
      statusText: '',
      headers: res.headers,
      config,
    });

    // 'arraybuffer': the bytes, undecoded, in a Buffer of their own (transferable to a thread).
    const data = config.responseType === 'arraybuffer' ? bytes : text;
    const declared = Number(res.headers['content-length']);
    if (declared > max) {
      discard(res.body);
      throw tooLarge(max, config, answer(''));
    }
    const chunks: Buffer[] = [];
    try {
      await readBody(res.body, max, chunks);
    } catch (err) {
      discard(res.body);
      if (err instanceof BodyTooLarge) throw tooLarge(max, config, answer(''));
      throw failure(err, answer(data(chunks)));
    }
    return answer(data(chunks));
  } finally {
    clearTimeout(timer);
    signal?.removeEventListener('abort', cancel);
    token?.unsubscribe(cancel);
  }
}

function tooLarge(
  max: number,
  config: InternalAxiosRequestConfig,
  response: AxiosResponse<string | Buffer>,
): AxiosError {
  return new AxiosError(
    `maxContentLength size of ${max} exceeded`,
    AxiosError.ERR_BAD_RESPONSE,
    config,
    undefined,
    response,
  );
}

/** The body passed maxContentLength (only readBody makes it; the caller answers tooLarge). */
class BodyTooLarge extends Error {}

/**
 * Collects the body into `chunks` (what arrived before a failure stays there). Stream events,
 * not `for await`: the async iterator costs a few promises per chunk, measured at about a
 * tenth of the adapter's CPU per call (docs/performance.md). Rejects with BodyTooLarge past `max`.
 */
function readBody(body: NodeJS.ReadableStream, max: number, chunks: Buffer[]): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    let size = 0;
    const onData = (chunk: Buffer): void => {
      size += chunk.length;
      if (size > max) {
        body.removeListener('data', onData);
        reject(new BodyTooLarge());
        return;
      }
      chunks.push(chunk);
    };
    let ended = false;
    body.on('data', onData);
    body.once('end', () => {
      ended = true;
      resolve();
    });
    body.once('error', reject);
    // Closed without an end or an error: cut off (settling twice is a no-op).
    body.once('close', () => {
      if (!ended)
        reject(Object.assign(new Error('premature close'), { code: 'ERR_STREAM_PREMATURE_CLOSE' }));
    });
  });
}

/** Stateless between calls (no `stream` option), so one decoder serves them all. */
const UTF8 = new TextDecoder('utf-8');

function text(chunks: Buffer[]): string {
  return UTF8.decode(chunks.length === 1 ? chunks[0] : Buffer.concat(chunks));
}

function bytes(chunks: Buffer[]): Buffer {
  let size = 0;
  for (const c of chunks) size += c.length;
  const out = Buffer.allocUnsafeSlow(size);
  let at = 0;
  for (const c of chunks) at += c.copy(out, at);
  return out.subarray(0, at);
}

function codeOf(err: unknown): string | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

/** Drops a body unread: the connection is closed, and the abort it reports is expected. */
function discard(body: NodeJS.ReadableStream & { destroy(): void }): void {
  body.on('error', () => undefined);
  body.destroy();
}
