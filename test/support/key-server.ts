import { generateKeyPair, type KeyObject, randomUUID, sign } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { promisify } from 'node:util';
import type { IssuerHandle } from './oidc-issuer';

type Json = Record<string, unknown>;

/** How the JWKS endpoint answers. */
export type JwksMode =
  /** The current key set. */
  | 'ok'
  /** HTTP 503. */
  | 'error'
  /** Headers never come; held until the mode changes or the server stops. */
  | 'hang'
  /** 200 with 2 MiB of JSON (an oversized document). */
  | 'huge'
  /** 200 with 101 valid keys (more than any issuer needs). */
  | 'many';

/**
 * A small OIDC issuer of the test's own on loopback: discovery document, JWKS and RS256 tokens,
 * with keys the test adds, removes and rotates, a count of every request per path, and a JWKS
 * endpoint that can fail, hang or misbehave. It implements IssuerHandle, so the gateway harness
 * takes it where it takes the oauth2-mock-server issuer.
 */
export interface KeyServer extends IssuerHandle {
  /** GETs of the JWKS endpoint so far (answered or not). */
  readonly jwksRequests: number;
  readonly discoveryRequests: number;
  mode: JwksMode;
  /** Generates an RS256 key and publishes it; `token()` keeps signing with the first key. */
  addKey(): Promise<string>;
  /** Stops publishing a key (tokens can still be signed with it). */
  removeKey(kid: string): void;
  /** A token signed with key `kid` (default: the first key). */
  tokenWith(kid: string, opts?: { payload?: Json; header?: Json; expiresIn?: number }): string;
  /** Resolves once the JWKS endpoint has seen `count` requests in total; rejects after `ms`. */
  waitForJwksRequests(count: number, ms?: number): Promise<void>;
}

interface HeldKey {
  kid: string;
  privateKey: KeyObject;
  publicJwk: Json;
}

const generate = promisify(generateKeyPair);

async function newKey(): Promise<HeldKey> {
  const { privateKey, publicKey } = await generate('rsa', { modulusLength: 2048 });
  const kid = randomUUID();
  return {
    kid,
    privateKey,
    publicJwk: { ...publicKey.export({ format: 'jwk' }), kid, alg: 'RS256', use: 'sig' },
  };
}

const b64 = (v: Json): string => Buffer.from(JSON.stringify(v)).toString('base64url');

function merge(target: Json, changes: Json | undefined): Json {
  for (const [k, v] of Object.entries(changes ?? {})) {
    if (v === null) delete target[k];
    else target[k] = v;
  }
  return target;
}

export async function startKeyServer(): Promise<KeyServer> {
  const keys = new Map<string, HeldKey>();
  const published = new Set<string>();
  const first = await newKey();
  keys.set(first.kid, first);
  published.add(first.kid);
  const counts = { jwks: 0, discovery: 0 };
  const hanging = new Set<ServerResponse>();
  let mode: JwksMode = 'ok';
  let url = '';

  const jwksBody = (): string => {
    if (mode === 'huge') {
      const filler = 'x'.repeat(2 * 1024 * 1024);
      return JSON.stringify({ keys: [first.publicJwk], filler });
    }
    if (mode === 'many') {
      const many = Array.from({ length: 101 }, (_, i) => ({
        ...first.publicJwk,
        kid: i === 0 ? first.kid : `${first.kid}-${i}`,
      }));
      return JSON.stringify({ keys: many });
    }
    return JSON.stringify({ keys: [...published].map((kid) => keys.get(kid)!.publicJwk) });
  };

  const handle = (req: IncomingMessage, res: ServerResponse): void => {
    const path = (req.url ?? '').split('?')[0];
    if (path === '/.well-known/openid-configuration') {
      counts.discovery++;
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ issuer: url, jwks_uri: `${url}/jwks` }));
      return;
    }
    if (path !== '/jwks') {
      res.statusCode = 404;
      res.end();
      return;
    }
    counts.jwks++;
    if (mode === 'hang') {
      hanging.add(res);
      res.once('close', () => hanging.delete(res));
      return;
    }
    if (mode === 'error') {
      res.statusCode = 503;
      res.end('{"error":"unavailable"}');
      return;
    }
    res.setHeader('content-type', 'application/json');
    res.end(jwksBody());
  };

  const server = createServer(handle);
  const listen = (port: number) =>
    new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => {
        server.off('error', reject);
        resolve();
      });
    });
  const close = () =>
    new Promise<void>((resolve) => {
      for (const res of hanging) res.destroy();
      hanging.clear();
      server.close(() => resolve());
      server.closeAllConnections();
    });
  await listen(0);
  const port = (server.address() as AddressInfo).port;
  url = `http://127.0.0.1:${port}`;

  const tokenWith: KeyServer['tokenWith'] = (kid, opts = {}) => {
    const key = keys.get(kid);
    if (!key) throw new Error(`no key ${kid}`);
    const now = Math.floor(Date.now() / 1000);
    const header = merge({ alg: 'RS256', typ: 'JWT', kid }, opts.header);
    const payload = merge(
      { iss: url, iat: now, nbf: now, exp: now + (opts.expiresIn ?? 300), jti: randomUUID() },
      opts.payload,
    );
    const input = `${b64(header)}.${b64(payload)}`;
    return `${input}.${sign('sha256', Buffer.from(input), key.privateKey).toString('base64url')}`;
  };

  return {
    url,
    kid: first.kid,
    privateJwk: { ...first.privateKey.export({ format: 'jwk' }), kid: first.kid, alg: 'RS256' },
    publicJwk: first.publicJwk,
    get jwksRequests() {
      return counts.jwks;
    },
    get discoveryRequests() {
      return counts.discovery;
    },
    get mode() {
      return mode;
    },
    set mode(next: JwksMode) {
      mode = next;
      if (next !== 'hang') {
        for (const res of hanging) {
          res.statusCode = 503;
          res.end();
        }
        hanging.clear();
      }
    },
    async addKey() {
      const key = await newKey();
      keys.set(key.kid, key);
      published.add(key.kid);
      return key.kid;
    },
    removeKey(kid) {
      published.delete(kid);
    },
    tokenWith,
    token: (opts) => Promise.resolve(tokenWith(first.kid, opts)),
    async waitForJwksRequests(count, ms = 10_000) {
      // Counted in timer ticks, not Date.now(): a test may move the wall clock.
      for (let waited = 0; counts.jwks < count; waited += 25) {
        if (waited >= ms) {
          throw new Error(`JWKS requests: ${counts.jwks} after ${ms} ms, expected ${count}`);
        }
        await new Promise((r) => setTimeout(r, 25));
      }
    },
    pause: close,
    resume: () => listen(port),
    stop: close,
  };
}
