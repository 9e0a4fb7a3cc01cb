import { readFileSync } from 'node:fs';
import { checkpointSettings } from './checkpoint-settings';
import { envSchema, FILE_CAPABLE, type RawEnv } from './config.schema';
import { eventsSettingsFrom } from './events-settings';
import { consoleSettingsOf } from './console-settings';
import type { AppConfig, OAuth1Settings, OAuth2Settings } from './settings';

export type {
  PamCoreAuthMode,
  OAuth2Settings,
  OAuth1Settings,
  PamCoreSettings,
  AuthSettings,
  SessionsSettings,
  HttpServerSettings,
  AppConfig,
} from './settings';
export type { EventsSettings } from './events-settings';

export type ConfigResult = { ok: true; config: AppConfig } | { ok: false; errors: string[] };

/** Thrown by {@link loadConfigOrThrow}; its message is one line per problem, never a value. */
export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(problems.join('\n'));
    this.name = 'ConfigError';
  }
}

/** Resolves NAME_FILE into NAME. Both set is an error; an unreadable file is an error. */
export function resolveFiles(
  env: NodeJS.ProcessEnv,
  errors: string[],
  names: readonly string[] = FILE_CAPABLE,
): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = { ...env };
  for (const name of names) {
    const file = env[`${name}_FILE`];
    if (file === undefined || file === '') continue;
    if (env[name] !== undefined && env[name] !== '') {
      errors.push(`${name}_FILE: cannot be set together with ${name}`);
      continue;
    }
    try {
      out[name] = readFileSync(file, 'utf8').trim();
    } catch {
      errors.push(`${name}_FILE: must be a readable file`);
    }
  }
  return out;
}

/** The named settings, all present (else one "is required" line each, and undefined). */
function requireAll<K extends keyof RawEnv>(
  e: RawEnv,
  names: readonly K[],
  why: string,
  errors: string[],
): Record<K, string> | undefined {
  const missing = names.filter((name) => e[name] === undefined);
  for (const name of missing) errors.push(`${name}: is required ${why}`);
  return missing.length === 0 ? (e as unknown as Record<K, string>) : undefined;
}

/** Validates the environment against the configuration contract; never throws. */
export function loadConfig(env: NodeJS.ProcessEnv): ConfigResult {
  const errors: string[] = [];
  const resolved = resolveFiles(env, errors);
  const parsed = envSchema.safeParse(resolved);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const name = String(issue.path[0] ?? 'environment');
      errors.push(`${name}: ${issue.message}`);
    }
    return { ok: false, errors: dedupe(errors) };
  }
  const e = parsed.data;

  let oauth2: OAuth2Settings | undefined;
  let oauth1: OAuth1Settings | undefined;
  if (e.PAM_CORE_AUTH === 'oauth2') {
    const v = requireAll(
      e,
      ['PAM_CORE_CLIENT_ID', 'PAM_CORE_CLIENT_SECRET'],
      'when PAM_CORE_AUTH=oauth2',
      errors,
    );
    if (v) {
      oauth2 = {
        clientId: v.PAM_CORE_CLIENT_ID,
        clientSecret: v.PAM_CORE_CLIENT_SECRET,
        tokenPath: e.PAM_CORE_TOKEN_PATH,
        clientAuth: e.PAM_CORE_TOKEN_CLIENT_AUTH,
        tenant: e.PAM_CORE_TENANT,
      };
    }
  } else {
    const v = requireAll(
      e,
      [
        'PAM_CORE_CONSUMER_KEY',
        'PAM_CORE_CONSUMER_SECRET',
        'PAM_CORE_TOKEN_KEY',
        'PAM_CORE_TOKEN_SECRET',
      ],
      'when PAM_CORE_AUTH=oauth1',
      errors,
    );
    if (v) {
      oauth1 = {
        consumerKey: v.PAM_CORE_CONSUMER_KEY,
        consumerSecret: v.PAM_CORE_CONSUMER_SECRET,
        tokenKey: v.PAM_CORE_TOKEN_KEY,
        tokenSecret: v.PAM_CORE_TOKEN_SECRET,
      };
    }
  }

  let ca: string | undefined;
  if (e.PAM_CORE_CA_FILE) {
    try {
      ca = readFileSync(e.PAM_CORE_CA_FILE, 'utf8');
      if (!ca.includes('-----BEGIN CERTIFICATE-----')) {
        errors.push('PAM_CORE_CA_FILE: must be a PEM file with at least one certificate');
      }
    } catch {
      errors.push('PAM_CORE_CA_FILE: must be a readable PEM file');
    }
  }
  if (e.PAM_CORE_CA_FILE && e.PAM_CORE_TLS_INSECURE) {
    errors.push('PAM_CORE_TLS_INSECURE: cannot be true together with PAM_CORE_CA_FILE');
  }
  const events = eventsSettingsFrom(e, errors);
  const checkpoints = checkpointSettings(e, errors);
  if (errors.length > 0) return { ok: false, errors: dedupe(errors) };

  return {
    ok: true,
    config: {
      env: e.NODE_ENV,
      port: e.PORT,
      host: e.HOST,
      pamCore: {
        baseUrl: e.PAM_CORE_URL.replace(/\/+$/, ''),
        auth: e.PAM_CORE_AUTH,
        oauth2,
        oauth1,
        dropPath: e.PAM_CORE_DROP_PATH,
        sessionsPath: e.PAM_CORE_SESSIONS_PATH.replace(/\/+$/, ''),
        timeoutMs: e.PAM_CORE_TIMEOUT_MS,
        ca,
        tlsInsecure: e.PAM_CORE_TLS_INSECURE,
        maxConcurrency: e.PAM_CORE_MAX_CONCURRENCY,
      },
      auth: {
        issuer: e.AUTH_ISSUER,
        jwksUrl: e.AUTH_JWKS_URL,
        audience: e.AUTH_AUDIENCE,
        rolesClaim: e.AUTH_ROLES_CLAIM,
        usernameClaim: e.AUTH_USERNAME_CLAIM,
        algorithms: e.AUTH_ALGORITHMS,
        clockSkewSeconds: e.AUTH_CLOCK_SKEW_SECONDS,
        apiKeysFile: e.AUTH_API_KEYS_FILE,
        jwksRefreshSeconds: e.AUTH_JWKS_REFRESH_S,
        tokenTypes: e.AUTH_TOKEN_TYPES.length > 0 ? e.AUTH_TOKEN_TYPES : undefined,
      },
      rbac: { policyFile: e.RBAC_POLICY_FILE },
      audit: {
        databaseUrl: e.AUDIT_DATABASE_URL,
        hmacKey: e.AUDIT_HMAC_KEY,
        recoveryGraceMs: e.AUDIT_RECOVERY_GRACE_MS,
      },
      checkpoints,
      redisUrl: e.REDIS_URL,
      redisKeyPrefix: e.REDIS_KEY_PREFIX,
      sessions: {
        cacheTtlMs: e.SESSIONS_CACHE_TTL_MS,
        cacheStaleMaxMs: e.SESSIONS_CACHE_STALE_MAX_MS,
        refreshWaitMs: e.SESSIONS_REFRESH_WAIT_MS,
        bulkConcurrency: e.BULK_CONCURRENCY,
        idempotencyTtlHours: e.IDEMPOTENCY_TTL_HOURS,
      },
      events,
      rateLimit: {
        terminationsPerMinute: e.RATE_LIMIT_TERMINATIONS_PER_MINUTE,
        ipPerMinute: e.RATE_LIMIT_IP_PER_MINUTE,
        readsPerMinute: e.RATE_LIMIT_READS_PER_MINUTE,
        authFailuresPerMinute: e.RATE_LIMIT_AUTH_FAILURES_PER_MINUTE,
      },
      trustProxy: e.TRUST_PROXY,
      corsOrigins: e.CORS_ORIGINS,
      metricsPublic: e.METRICS_PUBLIC,
      apiDocs: e.API_DOCS,
      console: consoleSettingsOf(e),
      logLevel: e.LOG_LEVEL,
      shutdownTimeoutMs: e.SHUTDOWN_TIMEOUT_MS,
      http: {
        requestTimeoutMs: e.HTTP_REQUEST_TIMEOUT_MS,
        keepAliveTimeoutMs: e.HTTP_KEEP_ALIVE_TIMEOUT_MS,
      },
    },
  };
}

/** The one place that reads the process environment. */
export function loadConfigFromProcess(): ConfigResult {
  return loadConfig(process.env);
}

/** Like {@link loadConfig}, for callers that prefer an exception. */
export function loadConfigOrThrow(env: NodeJS.ProcessEnv): AppConfig {
  const r = loadConfig(env);
  if (!r.ok) throw new ConfigError(r.errors);
  return r.config;
}

/** Drops duplicates, and "X: is required" when "X_FILE: …" already explains why X is missing. */
function dedupe(list: string[]): string[] {
  const fileProblems = new Set(
    list.filter((l) => /^[A-Z0-9_]+_FILE: /.test(l)).map((l) => l.split('_FILE:')[0]),
  );
  return [...new Set(list)].filter(
    (l) => !(fileProblems.has(l.split(':')[0]) && l.includes(': is required')),
  );
}
