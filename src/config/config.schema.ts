import { z } from 'zod';
import {
  bool,
  int,
  optionalInt,
  httpUrl,
  optionalHttpUrl,
  optionalString,
  commaList,
  path,
  requiredText,
  textWithDefault,
} from './schema-fields';
import { consoleClientIdSchema, consoleScopesSchema } from './console-settings';

export { commaList } from './schema-fields';

/**
 * The raw environment contract (docs/configuration.md). Every key is a string
 * as it comes from the environment; transforms turn them into typed values.
 */
export const envSchema = z.object({
  NODE_ENV: z
    .enum(['development', 'production', 'test'], {
      message: 'must be development, production or test',
    })
    .optional()
    .default('development'),
  PORT: int(3000, 0, 65535),
  HOST: z
    .string()
    .optional()
    .transform((v) => (v === undefined || v === '' ? '0.0.0.0' : v)),

  PAM_CORE_URL: httpUrl(),
  PAM_CORE_AUTH: z
    .enum(['oauth2', 'oauth1'], { message: 'must be oauth2 or oauth1' })
    .optional()
    .default('oauth2'),
  PAM_CORE_CLIENT_ID: optionalString,
  PAM_CORE_CLIENT_SECRET: optionalString,
  PAM_CORE_TOKEN_PATH: path('/iso/oauth2/token'),
  PAM_CORE_TOKEN_CLIENT_AUTH: z
    .enum(['body', 'basic'], { message: 'must be body or basic' })
    .optional()
    .default('body'),
  PAM_CORE_TENANT: optionalString,
  PAM_CORE_CONSUMER_KEY: optionalString,
  PAM_CORE_CONSUMER_SECRET: optionalString,
  PAM_CORE_TOKEN_KEY: optionalString,
  PAM_CORE_TOKEN_SECRET: optionalString,
  PAM_CORE_DROP_PATH: path('/api/pam/session/drop/{sessionId}', true),
  PAM_CORE_SESSIONS_PATH: path('/api/session/remotesessions'),
  PAM_CORE_TIMEOUT_MS: int(10000, 100, 600000),
  PAM_CORE_CA_FILE: optionalString,
  PAM_CORE_TLS_INSECURE: bool(false),
  PAM_CORE_MAX_CONCURRENCY: int(64, 1, 10000),

  AUTH_ISSUER: httpUrl(),
  AUTH_JWKS_URL: optionalHttpUrl,
  AUTH_AUDIENCE: requiredText('is required (the expected "aud" of caller tokens)'),
  AUTH_ROLES_CLAIM: textWithDefault(
    'roles',
    /^[A-Za-z0-9_:/-]+(\.[A-Za-z0-9_:/-]+)*$/,
    'must be a dot path such as realm_access.roles',
  ),
  // The one claim `\${principal.name}` stands for: a stable identifier, never a display name.
  AUTH_USERNAME_CLAIM: z
    .string()
    .optional()
    .transform((v) => (v === undefined || v.trim() === '' ? 'preferred_username' : v.trim()))
    .refine(
      (v) => /^[A-Za-z0-9_:/.-]+$/.test(v),
      'must be a claim name such as preferred_username',
    ),
  AUTH_ALGORITHMS: z
    .string()
    .optional()
    .transform((v) => (v === undefined || v === '' ? 'RS256,ES256,PS256' : v))
    .transform((v) =>
      v
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean),
    )
    .refine(
      (algs) => algs.length > 0 && algs.every((a) => /^(RS|PS|ES)(256|384|512)$|^EdDSA$/.test(a)),
      'must list asymmetric algorithms only (RS256, PS256, ES256, EdDSA, ...)',
    ),
  AUTH_CLOCK_SKEW_SECONDS: int(30, 0, 300),
  AUTH_API_KEYS_FILE: optionalString,
  AUTH_JWKS_REFRESH_S: int(300, 1, 86400),
  AUTH_TOKEN_TYPES: commaList(
    /^[A-Za-z0-9!#$&^_.+-]+(\/[A-Za-z0-9!#$&^_.+-]+)?$/,
    'must be a comma-separated list of JOSE "typ" values such as at+jwt',
  ),

  RBAC_POLICY_FILE: requiredText('is required (path to the YAML or JSON policy)'),

  AUDIT_DATABASE_URL: textWithDefault(
    'sqlite:./data/audit.db',
    /^(sqlite:|postgres(ql)?:\/\/)./,
    'must be sqlite:<path> or postgres://…',
  ),
  AUDIT_HMAC_KEY: optionalString,
  AUDIT_RECOVERY_GRACE_MS: optionalInt(0, 7 * 24 * 3600_000),
  AUDIT_CHECKPOINT_KEY: optionalString,
  AUDIT_CHECKPOINT_DIR: optionalString,
  AUDIT_CHECKPOINT_INTERVAL_S: int(60, 1, 86400),

  REDIS_URL: z
    .string()
    .optional()
    .transform((v) => (v === '' ? undefined : v))
    .refine(
      (v) => v === undefined || /^rediss?:\/\/.+/.test(v),
      'must be a redis:// or rediss:// URL',
    ),
  REDIS_KEY_PREFIX: z
    .string()
    .optional()
    .transform((v) => (v === undefined ? 'pam-gateway:' : v.trim()))
    .refine(
      (v) => /^[A-Za-z0-9:._-]{0,64}$/.test(v),
      'must be at most 64 letters, digits or ":._-"',
    ),
  RATE_LIMIT_TERMINATIONS_PER_MINUTE: int(60, 0, 1000000),
  RATE_LIMIT_IP_PER_MINUTE: int(600, 0, 10000000),
  RATE_LIMIT_READS_PER_MINUTE: int(600, 0, 10000000),
  RATE_LIMIT_AUTH_FAILURES_PER_MINUTE: int(120, 0, 1000000),
  TRUST_PROXY: z
    .string()
    .optional()
    .transform((v) => (v === undefined || v === '' ? undefined : v.trim()))
    .refine(
      (v) =>
        v === undefined || /^(\d{1,2}|loopback|uniquelocal|linklocal|[0-9a-fA-F.:/, ]+)$/.test(v),
      'must be a hop count, loopback/uniquelocal/linklocal, or a comma-separated list of addresses/CIDRs',
    ),
  CORS_ORIGINS: commaList(
    /^https?:\/\/[^/\s]+$/,
    'must be a comma-separated list of origins such as https://app.example.com',
  ),
  METRICS_PUBLIC: bool(false),
  API_DOCS: bool(true),
  CONSOLE: bool(true),
  CONSOLE_OIDC_CLIENT_ID: consoleClientIdSchema,
  CONSOLE_OIDC_SCOPES: consoleScopesSchema,
  LOG_LEVEL: z
    .enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], {
      message: 'must be one of fatal, error, warn, info, debug, trace, silent',
    })
    .optional()
    .default('info'),
  SHUTDOWN_TIMEOUT_MS: int(15000, 0, 600000),
  HTTP_REQUEST_TIMEOUT_MS: int(10000, 1000, 600000),
  HTTP_KEEP_ALIVE_TIMEOUT_MS: int(5000, 1000, 3600000),

  SESSIONS_CACHE_TTL_MS: int(15000, 0, 3600000),
  SESSIONS_CACHE_STALE_MAX_MS: int(600000, 0, 86400000),
  SESSIONS_REFRESH_WAIT_MS: int(2000, 0, 600000),
  BULK_CONCURRENCY: int(16, 1, 64),
  IDEMPOTENCY_TTL_HOURS: int(24, 1, 720),

  // Events to webhooks (events-settings.ts checks the URLs and the secret).
  EVENTS_WEBHOOK_URLS: commaList(
    /^https?:\/\/\S+$/i,
    'must be a comma-separated list of http(s) URLs',
  ),
  EVENTS_WEBHOOK_SECRET: optionalString,
  EVENTS_TIMEOUT_MS: int(5000, 100, 60000),
  EVENTS_MAX_AGE_HOURS: int(72, 1, 720),
  EVENTS_RETRY_MIN_MS: int(1000, 10, 600000),
  EVENTS_RETRY_MAX_MS: int(600000, 10, 86400000),
  EVENTS_POLL_MS: int(1000, 10, 600000),
  GATEWAY_INSTANCE: optionalString.refine(
    (v) => v === undefined || /^[A-Za-z0-9._-]{1,128}$/.test(v),
    'must be 1 to 128 letters, digits or "._-"',
  ),
});

export type RawEnv = z.infer<typeof envSchema>;

/** Settings that may be given as NAME_FILE (a path whose contents are the value). */
export const FILE_CAPABLE = [
  'PAM_CORE_CLIENT_ID',
  'PAM_CORE_CLIENT_SECRET',
  'PAM_CORE_CONSUMER_KEY',
  'PAM_CORE_CONSUMER_SECRET',
  'PAM_CORE_TOKEN_KEY',
  'PAM_CORE_TOKEN_SECRET',
  'AUDIT_HMAC_KEY',
  'AUDIT_DATABASE_URL',
  'REDIS_URL',
  'EVENTS_WEBHOOK_SECRET',
  'EVENTS_WEBHOOK_URLS',
  'AUDIT_CHECKPOINT_KEY',
] as const;

/** Values never echoed in error messages. */
export const SECRET_KEYS: ReadonlySet<string> = new Set([
  'PAM_CORE_CLIENT_SECRET',
  'PAM_CORE_CONSUMER_SECRET',
  'PAM_CORE_TOKEN_SECRET',
  'AUDIT_HMAC_KEY',
  'AUDIT_DATABASE_URL',
  'REDIS_URL',
  'EVENTS_WEBHOOK_SECRET',
  'EVENTS_WEBHOOK_URLS',
  'AUDIT_CHECKPOINT_KEY',
]);
