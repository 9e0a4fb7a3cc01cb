/**
 * The token endpoint (league/oauth2-server behaviour) and the API's credential check
 * (Kong in front: no Authorization header means "no Route matched").
 */
import { randomBytes } from 'node:crypto';
import { type OAuth1Verifier, formDecode, parseFormPairs } from './oauth1-verify';
import { type SimReply, json, replies } from './segura-responses';
import type { ResolvedOptions } from './types';

/** Issued access tokens with their real expiry. */
export class TokenStore {
  private readonly valid = new Map<string, number>();
  readonly issued: string[] = [];

  constructor(private readonly ttlSeconds: number) {}

  issue(nowMs = Date.now()): string {
    if (this.valid.size > 10_000) this.prune(nowMs);
    const token = randomBytes(32).toString('base64url'); // 43 chars, opaque
    this.valid.set(token, nowMs + this.ttlSeconds * 1000);
    this.issued.push(token);
    return token;
  }

  isValid(token: string, nowMs = Date.now()): boolean {
    const expiresAt = this.valid.get(token);
    return expiresAt !== undefined && expiresAt > nowMs;
  }

  revokeAll(): void {
    this.valid.clear();
  }

  private prune(nowMs: number): void {
    for (const [token, expiresAt] of this.valid) if (expiresAt <= nowMs) this.valid.delete(token);
  }
}

export interface TokenRequest {
  method: string;
  query: string;
  body: string;
  contentType: string | undefined;
  authorization: string | undefined;
}

function safePairs(text: string): Map<string, string> {
  try {
    return new Map(parseFormPairs(text));
  } catch {
    return new Map();
  }
}

/** RFC 6749 §2.3.1: Basic credentials are form-urlencoded before base64. */
function basicCredentials(header: string | undefined): { id: string; secret: string } | undefined {
  const m = /^\s*Basic\s+([A-Za-z0-9+/=._~-]+)\s*$/i.exec(header ?? '');
  if (!m) return undefined;
  const decoded = Buffer.from(m[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return undefined;
  try {
    return {
      id: formDecode(decoded.slice(0, colon)),
      secret: formDecode(decoded.slice(colon + 1)),
    };
  } catch {
    return undefined;
  }
}

/** POST {prefix}{tokenPath}: client_credentials only, client in the body or HTTP Basic. */
export function handleTokenRequest(
  opts: ResolvedOptions,
  tokens: TokenStore,
  req: TokenRequest,
): SimReply {
  const isForm = (req.contentType ?? '')
    .toLowerCase()
    .startsWith('application/x-www-form-urlencoded');
  const form = req.method === 'POST' && isForm ? safePairs(req.body) : new Map<string, string>();
  // league/oauth2-server picks the grant first, then authenticates the client.
  if (form.get('grant_type') !== 'client_credentials') return replies.unsupportedGrant();

  const basic = basicCredentials(req.authorization);
  // As in league: body parameters win, Basic credentials are the fallback.
  const clientId = form.get('client_id') ?? basic?.id;
  const clientSecret = form.get('client_secret') ?? basic?.secret;
  const tenant = form.get('tenant') ?? safePairs(req.query).get('tenant');
  const ok =
    clientId === opts.clientId &&
    clientSecret === opts.clientSecret &&
    (opts.requireTenant === undefined || tenant === opts.requireTenant);
  if (!ok) {
    const reply = replies.clientAuthFailed();
    if (basic) reply.headers = { 'www-authenticate': 'Basic realm="OAuth"' };
    return reply;
  }
  const accessToken = tokens.issue();
  return json(
    200,
    {
      token_type: 'Bearer',
      expires_in: Math.ceil(opts.tokenTtlSeconds),
      access_token: accessToken,
    },
    { 'cache-control': 'no-store', pragma: 'no-cache' },
  );
}

export interface ApiAuthRequest {
  method: string;
  host: string;
  path: string;
  query: string;
  body: string;
  contentType: string | undefined;
  authorization: string | undefined;
}

/** null when the request may proceed, else the exact rejection Segura/Kong gives. */
export function authorizeApiRequest(
  tokens: TokenStore,
  verifier: OAuth1Verifier | undefined,
  req: ApiAuthRequest,
): SimReply | null {
  const auth = (req.authorization ?? '').trim();
  if (auth === '') return replies.noRoute();
  const bearer = /^Bearer\s+(\S+)$/i.exec(auth);
  if (bearer) return tokens.isValid(bearer[1]) ? null : replies.accessDenied();
  if (/^OAuth\s/i.test(auth)) {
    if (!verifier) return replies.invalidSignature();
    const result = verifier.verify({
      method: req.method,
      scheme: 'http',
      host: req.host,
      path: req.path,
      query: req.query,
      authorization: auth,
      contentType: req.contentType,
      body: req.body,
    });
    return result.ok ? null : replies.invalidSignature();
  }
  return replies.accessDenied();
}
