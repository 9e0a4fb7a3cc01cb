/** Routing and normal (fault-free) behaviour of the simulated Segura API. */
import type { IncomingHttpHeaders } from 'node:http';
import { type TokenStore, authorizeApiRequest, handleTokenRequest } from './auth';
import type { RouteKind } from './faults';
import type { OAuth1Verifier } from './oauth1-verify';
import {
  type SimReply,
  envelope,
  formatSeguraTime,
  json,
  replies,
  sessionItem,
} from './segura-responses';
import type { SessionStore } from './session-store';
import type { ResolvedOptions } from './types';

export interface ApiRoute {
  kind: RouteKind;
  /** Raw (still percent-encoded) path segment for drop/get. */
  rawId?: string;
  /** False when the path is not under the configured prefix at all. */
  underPrefix: boolean;
}

export interface ApiRequest {
  method: string;
  path: string;
  query: string;
  body: string;
  headers: IncomingHttpHeaders;
}

// Current, v3.33 and legacy ("iso") spellings of the same endpoints.
const DROP_RE = /^\/(?:api\/pam|iso)\/session\/drop\/([^/]+)$/;
const LIST_RE = /^\/(?:api|api\/pam|iso)\/session\/remotesessions\/?$/;
const GET_RE = /^\/(?:api|api\/pam|iso)\/session\/remotesessions\/([^/]+)$/;
// Segura's ids: 40 hex in the docs; one API description shows UUIDs.
const WELL_FORMED_ID_RE =
  /^(?:[0-9a-f]{8,64}|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/i;

export function classify(path: string, prefix: string, tokenPath: string): ApiRoute {
  if (prefix !== '' && !path.startsWith(`${prefix}/`)) return { kind: 'other', underPrefix: false };
  const rest = path.slice(prefix.length);
  if (rest === tokenPath) return { kind: 'token', underPrefix: true };
  let m = DROP_RE.exec(rest);
  if (m) return { kind: 'drop', rawId: m[1], underPrefix: true };
  if (LIST_RE.test(rest)) return { kind: 'list', underPrefix: true };
  m = GET_RE.exec(rest);
  if (m) return { kind: 'get', rawId: m[1], underPrefix: true };
  return { kind: 'other', underPrefix: true };
}

/** Decodes a path segment exactly once; undefined when the escapes are malformed. */
function decodeSegment(raw: string): string | undefined {
  try {
    return decodeURIComponent(raw);
  } catch {
    return undefined;
  }
}

function header(headers: IncomingHttpHeaders, name: string): string | undefined {
  const v = headers[name];
  return Array.isArray(v) ? v[0] : v;
}

export class SeguraApi {
  dropCount = 0;

  constructor(
    private readonly opts: ResolvedOptions,
    private readonly sessions: SessionStore,
    private readonly tokens: TokenStore,
    private readonly verifier: OAuth1Verifier | undefined,
    private readonly delay: (ms: number) => Promise<void>,
  ) {}

  async respond(route: ApiRoute, req: ApiRequest): Promise<SimReply> {
    if (route.kind === 'token') {
      return handleTokenRequest(this.opts, this.tokens, {
        method: req.method,
        query: req.query,
        body: req.body,
        contentType: header(req.headers, 'content-type'),
        authorization: header(req.headers, 'authorization'),
      });
    }
    // Outside the prefix the API gateway has no route at all.
    if (!route.underPrefix) return replies.noRoute();
    const denied = authorizeApiRequest(this.tokens, this.verifier, {
      method: req.method,
      host: header(req.headers, 'host') ?? '',
      path: req.path,
      query: req.query,
      body: req.body,
      contentType: header(req.headers, 'content-type'),
      authorization: header(req.headers, 'authorization'),
    });
    if (denied) return denied;
    switch (route.kind) {
      case 'drop':
        return req.method === 'DELETE'
          ? this.drop(route.rawId ?? '')
          : replies.resourceNotFound(false);
      case 'list':
        if (req.method !== 'GET') return replies.resourceNotFound(false);
        if (this.opts.listLatencyMs > 0) await this.delay(this.opts.listLatencyMs);
        return this.list();
      case 'get':
        return req.method === 'GET'
          ? this.getOne(route.rawId ?? '')
          : replies.resourceNotFound(false);
      case 'other':
        return replies.resourceNotFound(false);
    }
  }

  private drop(rawId: string): SimReply {
    const id = decodeSegment(rawId);
    const session = id === undefined ? undefined : this.sessions.find(id);
    if (session) {
      // Segura cannot drop what already ended: the documented 500 "droping" (sic) error.
      if (session.end !== '') return replies.dropFailed();
      session.end = formatSeguraTime(Date.now());
      this.dropCount += 1;
      return replies.dropSuccess(this.opts.language);
    }
    if (this.opts.benchMode) {
      this.dropCount += 1;
      return replies.dropSuccess(this.opts.language);
    }
    return this.opts.unknownSessionAnswer === 'drop-failed'
      ? replies.dropFailed()
      : replies.resourceNotFound(true);
  }

  private list(): SimReply {
    const now = Date.now();
    const items = this.sessions.view().map((s) => sessionItem(s, this.opts.language, now));
    return json(200, { ...envelope(200, { tenant: 'Segura' }), remote_sessions: items });
  }

  private getOne(rawId: string): SimReply {
    const id = decodeSegment(rawId);
    const session = id === undefined ? undefined : this.sessions.find(id);
    if (session) {
      const item = sessionItem(session, this.opts.language, Date.now());
      return json(200, { ...envelope(200, { tenant: 'Segura' }), remote_session: [item] });
    }
    return id !== undefined && WELL_FORMED_ID_RE.test(id)
      ? replies.sessionNotFound()
      : replies.unexpectedIdentifier();
  }
}
