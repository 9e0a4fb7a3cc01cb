/**
 * A real HTTP server that behaves like Segura PAM Core's A2A API as documented (token endpoint,
 * drop, list, get one, the exact error shapes), with fault injection for resilience tests and a
 * /__sim control API for other processes. Test and benchmark tooling only: never in src/.
 */
import { type IncomingMessage, type Server, type ServerResponse, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { TokenStore } from './auth';
import { type ControlTarget, handleControl, isControlPath } from './control-api';
import { FaultQueue } from './faults';
import { readBody, sendReply, splitTarget } from './http-util';
import { OAuth1Verifier } from './oauth1-verify';
import { type ApiRequest, type ApiRoute, SeguraApi, classify } from './segura-api';
import { htmlPage, presetReply, rateLimited, replies, truncatedJson } from './segura-responses';
import { generateSessions } from './seed';
import { SessionStore } from './session-store';
import type {
  Fault,
  FaultMatch,
  RecordedRequest,
  ResolvedOptions,
  SimSession,
  SimulatorOptions,
} from './types';

export type {
  Fault,
  FaultMatch,
  RecordedRequest,
  SeguraErrorPreset,
  SimSession,
  SimulatorOptions,
} from './types';
export { generateSessions } from './seed';

export const DEFAULT_CLIENT_ID = 'sim-client';
export const DEFAULT_CLIENT_SECRET = 'sim-secret';

function normalizePath(p: string): string {
  const trimmed = p.trim().replace(/\/+$/, '');
  return trimmed === '' || trimmed.startsWith('/') ? trimmed : `/${trimmed}`;
}

export function resolveOptions(opts: SimulatorOptions = {}): ResolvedOptions {
  const benchMode = opts.benchMode ?? false;
  const ttl = opts.tokenTtlSeconds ?? 3600;
  if (!(ttl > 0)) throw new Error('tokenTtlSeconds must be > 0');
  return {
    clientId: opts.clientId ?? DEFAULT_CLIENT_ID,
    clientSecret: opts.clientSecret ?? DEFAULT_CLIENT_SECRET,
    tokenTtlSeconds: ttl,
    tokenPath: normalizePath(opts.tokenPath ?? '/iso/oauth2/token') || '/iso/oauth2/token',
    requireTenant: opts.requireTenant,
    oauth1: opts.oauth1,
    prefix: normalizePath(opts.prefix ?? ''),
    language: opts.language ?? 'en',
    unknownSessionAnswer: opts.unknownSessionAnswer ?? 'not-found',
    benchMode,
    listLatencyMs: Math.max(0, opts.listLatencyMs ?? 0),
    recordRequests: opts.recordRequests ?? !benchMode, // bench: no per-request memory
  };
}

interface HeldRequest {
  route: ApiRoute;
  req: ApiRequest;
  res: ServerResponse;
}

export class PamCoreSimulator implements ControlTarget {
  readonly requests: RecordedRequest[] = [];
  private readonly opts: ResolvedOptions;
  private readonly sessions = new SessionStore();
  private readonly tokens: TokenStore;
  private readonly faults = new FaultQueue();
  private readonly api: SeguraApi;
  private readonly timers = new Set<NodeJS.Timeout>();
  private held: HeldRequest[] = [];
  private server: Server | undefined;
  private baseUrl = '';
  private tokenHits = 0;

  constructor(opts: SimulatorOptions = {}) {
    this.opts = resolveOptions(opts);
    this.tokens = new TokenStore(this.opts.tokenTtlSeconds);
    const verifier = this.opts.oauth1 ? new OAuth1Verifier(this.opts.oauth1) : undefined;
    this.api = new SeguraApi(this.opts, this.sessions, this.tokens, verifier, (ms) =>
      this.delay(ms),
    );
    const seed = opts.seed ?? 25;
    this.sessions.replace(typeof seed === 'number' ? generateSessions(seed) : seed);
  }

  /** Resolves to the base URL including the prefix, e.g. http://127.0.0.1:43123/segura. */
  async start(port = 0, host = '127.0.0.1'): Promise<string> {
    if (this.server) throw new Error('simulator already started');
    const server = createServer((req, res) => this.onRequest(req, res));
    server.keepAliveTimeout = 30_000; // longer than undici's default keep-alive, so reuse works
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    const addr = server.address() as AddressInfo;
    const shownHost = addr.family === 'IPv6' ? `[${addr.address}]` : addr.address;
    this.baseUrl = `http://${shownHost}:${addr.port}${this.opts.prefix}`;
    return this.baseUrl;
  }

  /** Closes the server and every socket, including keep-alive and held ('hang') ones. */
  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    this.held = [];
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeAllConnections();
    await closed;
  }

  get url(): string {
    return this.baseUrl;
  }

  // --- sessions ---
  seedSessions(list: SimSession[]): void {
    this.sessions.replace(list);
  }

  addSession(partial?: Partial<SimSession>): SimSession {
    return this.sessions.add(partial);
  }

  getSessions(): SimSession[] {
    return this.sessions.all();
  }

  // --- faults ---
  injectFault(fault: Fault, match?: FaultMatch, times = 1): void {
    this.faults.add(fault, match, times);
  }

  clearFaults(): void {
    this.faults.clear();
  }

  /** Answers, normally, every request held by a 'hang' fault. */
  release(): void {
    const held = this.held;
    this.held = [];
    for (const h of held) void this.answer(h.route, h.req, h.res);
  }

  // --- observation ---
  resetRequests(): void {
    this.requests.length = 0;
  }

  get tokenRequests(): number {
    return this.tokenHits;
  }

  get issuedTokens(): string[] {
    return this.tokens.issued;
  }

  get dropCount(): number {
    return this.api.dropCount;
  }

  revokeTokens(): void {
    this.tokens.revokeAll();
  }

  // --- request handling ---
  private onRequest(req: IncomingMessage, res: ServerResponse): void {
    this.handle(req, res).catch(() => {
      // A simulator bug must still answer something a client can classify.
      sendReply(res, replies.unexpected());
    });
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = await readBody(req);
    const method = (req.method ?? 'GET').toUpperCase();
    const { path, query } = splitTarget(req.url ?? '/');
    if (isControlPath(path)) return sendReply(res, handleControl(this, method, path, body));

    const route = classify(path, this.opts.prefix, this.opts.tokenPath);
    if (route.kind === 'token') this.tokenHits += 1;
    if (this.opts.recordRequests) {
      this.requests.push({
        method,
        path,
        query,
        headers: { ...req.headers },
        body,
        time: Date.now(),
      });
    }
    const apiReq: ApiRequest = { method, path, query, body, headers: req.headers };
    const fault = this.faults.take(method, route.kind);
    if (!fault) return this.answer(route, apiReq, res);
    return this.applyFault(fault, route, apiReq, res);
  }

  private async answer(route: ApiRoute, req: ApiRequest, res: ServerResponse): Promise<void> {
    sendReply(res, await this.api.respond(route, req));
  }

  private async applyFault(
    fault: Fault,
    route: ApiRoute,
    req: ApiRequest,
    res: ServerResponse,
  ): Promise<void> {
    switch (fault.kind) {
      case 'latency':
        await this.delay(fault.ms);
        return this.answer(route, req, res);
      case 'status':
        return sendReply(res, {
          status: fault.status,
          body: fault.body,
          contentType: fault.contentType ?? 'application/json',
        });
      case 'preset':
        return sendReply(res, presetReply(fault.preset));
      case 'html':
        return sendReply(res, htmlPage(fault.status));
      case 'empty':
        return sendReply(res, { status: fault.status, body: '', contentType: 'application/json' });
      case 'truncated':
        return sendReply(res, truncatedJson(fault.status));
      case 'reset':
        // RST rather than FIN, so the client sees ECONNRESET / "socket hang up".
        res.socket?.resetAndDestroy();
        return;
      case 'hang':
        this.held.push({ route, req, res });
        return;
      case 'rate-limited':
        return sendReply(
          res,
          rateLimited(
            fault.retryAfter === undefined ? '5' : fault.retryAfter,
            fault.body ?? 'segura',
          ),
        );
    }
  }

  /** A timer stop() can cancel, so stop() never waits for injected latency. */
  private delay(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const t = setTimeout(() => {
        this.timers.delete(t);
        resolve();
      }, ms);
      this.timers.add(t);
    });
  }
}
