/** Public types of the PAM Core simulator (re-exported by pam-core-simulator.ts). */

export interface SimSession {
  /** Segura's record number (a string), not what drop takes. */
  id: string;
  /** The hash drop takes: 40 hex characters in Segura's docs. */
  sessionId: string;
  user: string;
  originIp: string;
  credential: string;
  /** "host:port" */
  device: string;
  protocol: string;
  proxy: string;
  /** "YYYY-MM-DD HH:MM:SS" (UTC in the simulator; Segura sends no zone). */
  start: string;
  /** "" while active. */
  end: string;
  itsm: string | null;
}

export type SeguraErrorPreset =
  | 'not-found'
  | 'unexpected'
  | 'not-authorized'
  | 'drop-failed'
  | 'client-auth'
  | 'invalid-signature'
  | 'no-route'
  | 'timeout-message'
  | 'legacy-short-envelope-error'
  | 'oauth-invalid-client';

export type Fault =
  | { kind: 'latency'; ms: number }
  | { kind: 'status'; status: number; body: string; contentType?: string }
  | { kind: 'preset'; preset: SeguraErrorPreset }
  | { kind: 'html'; status: number }
  | { kind: 'empty'; status: number }
  | { kind: 'truncated'; status: number }
  | { kind: 'reset' }
  | { kind: 'hang' }
  /**
   * Segura's API v2 answer to a client calling too often: 429 with `Retry-After` (sent as given,
   * default "5"; null sends none) and X-RateLimit-* headers; body the v2 envelope ("segura",
   * default) or empty, as a proxy in front of Segura might answer.
   */
  | { kind: 'rate-limited'; retryAfter?: string | null; body?: 'segura' | 'empty' };

export type FaultPath = 'token' | 'drop' | 'list' | 'get' | 'any';

export interface FaultMatch {
  method?: string;
  path?: FaultPath;
}

export interface RecordedRequest {
  method: string;
  /** As received, including the prefix, raw (not decoded), without the query. */
  path: string;
  /** Raw query string without the leading "?" ("" when none). */
  query: string;
  headers: Record<string, string | string[] | undefined>;
  body: string;
  /** Epoch milliseconds when the request was fully read. */
  time: number;
}

export interface OAuth1Credentials {
  consumerKey: string;
  consumerSecret: string;
  tokenKey: string;
  tokenSecret: string;
}

export interface SimulatorOptions {
  clientId?: string;
  clientSecret?: string;
  tokenTtlSeconds?: number;
  tokenPath?: string;
  requireTenant?: string;
  oauth1?: OAuth1Credentials;
  prefix?: string;
  seed?: number | SimSession[];
  language?: 'en' | 'pt';
  unknownSessionAnswer?: 'not-found' | 'drop-failed';
  benchMode?: boolean;
  listLatencyMs?: number;
  recordRequests?: boolean;
}

/** Options after defaults were applied. */
export interface ResolvedOptions {
  clientId: string;
  clientSecret: string;
  tokenTtlSeconds: number;
  tokenPath: string;
  requireTenant: string | undefined;
  oauth1: OAuth1Credentials | undefined;
  prefix: string;
  language: 'en' | 'pt';
  unknownSessionAnswer: 'not-found' | 'drop-failed';
  benchMode: boolean;
  listLatencyMs: number;
  recordRequests: boolean;
}
