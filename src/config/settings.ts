/** The typed configuration the gateway runs on: what loadConfig (app-config.ts) returns. */
import type { EventsSettings } from './events-settings';
import type { CheckpointSettings } from './checkpoint-settings';
import type { ConsoleSettings } from './console-settings';

export type PamCoreAuthMode = 'oauth2' | 'oauth1';

export interface OAuth2Settings {
  clientId: string;
  clientSecret: string;
  tokenPath: string;
  clientAuth: 'body' | 'basic';
  tenant?: string;
}

export interface OAuth1Settings {
  consumerKey: string;
  consumerSecret: string;
  tokenKey: string;
  tokenSecret: string;
}

export interface PamCoreSettings {
  /** Base URL without a trailing slash; a path prefix is kept. */
  baseUrl: string;
  auth: PamCoreAuthMode;
  oauth2?: OAuth2Settings;
  oauth1?: OAuth1Settings;
  /** Template containing {sessionId}. */
  dropPath: string;
  sessionsPath: string;
  timeoutMs: number;
  /** PEM contents of PAM_CORE_CA_FILE, when given. */
  ca?: string;
  tlsInsecure: boolean;
  maxConcurrency: number;
}

export interface AuthSettings {
  issuer: string;
  jwksUrl?: string;
  audience: string;
  rolesClaim: string;
  /** The claim `${principal.name}` is bound to (AUTH_USERNAME_CLAIM); no fallback. */
  usernameClaim: string;
  algorithms: string[];
  clockSkewSeconds: number;
  apiKeysFile?: string;
  /** Background refresh period of the issuer's key set. */
  jwksRefreshSeconds: number;
  /** Allowed JOSE header `typ` values as configured; undefined: any `typ` (or none). */
  tokenTypes?: string[];
}

/** Session discovery and incident response (README, "Finding and ending many sessions"). */
export interface SessionsSettings {
  /** How long a fetched session list is served without asking Segura again. */
  cacheTtlMs: number;
  /** Oldest list still served (marked stale) while Segura is slow or failing. */
  cacheStaleMaxMs: number;
  /** How long a reader waits for a refresh before it gets the stale list. */
  refreshWaitMs: number;
  /** Drops of one bulk request in flight at once. */
  bulkConcurrency: number;
  idempotencyTtlHours: number;
}

/** The HTTP server's own deadlines (README, "Protecting itself"). */
export interface HttpServerSettings {
  /** A request's line, headers and body must all have arrived within this; else 408. */
  requestTimeoutMs: number;
  /** An idle keep-alive connection is closed after this. */
  keepAliveTimeoutMs: number;
}

export interface AppConfig {
  env: 'development' | 'production' | 'test';
  port: number;
  host: string;
  pamCore: PamCoreSettings;
  auth: AuthSettings;
  rbac: { policyFile: string };
  audit: {
    databaseUrl: string;
    hmacKey?: string;
    /**
     * Open intents younger than this are left alone by startup recovery (and, on PostgreSQL,
     * the periodic sweep); unset: 0 on SQLite, 15 minutes on PostgreSQL.
     */
    recoveryGraceMs?: number;
  };
  /** Signed audit checkpoints; absent unless AUDIT_CHECKPOINT_KEY is set. */
  checkpoints?: CheckpointSettings;
  redisUrl?: string;
  /** Prefix of every key this gateway writes to Redis (several deployments may share one). */
  redisKeyPrefix: string;
  sessions: SessionsSettings;
  /** Audit events to webhooks; absent unless EVENTS_WEBHOOK_URLS is set. */
  events?: EventsSettings;
  rateLimit: {
    terminationsPerMinute: number;
    ipPerMinute: number;
    /** Listings, single reads and audit reads, per principal; a separate count from terminations. */
    readsPerMinute: number;
    /** Failed authentications per client IP and minute; 0: no limit. */
    authFailuresPerMinute: number;
  };
  /** Proxies trusted for X-Forwarded-For (Fastify's trustProxy); unset: req.ip is the socket peer. */
  trustProxy?: string;
  corsOrigins: string[];
  metricsPublic: boolean;
  /** Serve the OpenAPI document (/api/docs-json) and its UI (/api/docs). */
  apiDocs: boolean;
  console: ConsoleSettings;
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  shutdownTimeoutMs: number;
  http: HttpServerSettings;
}
