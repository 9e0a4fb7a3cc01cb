import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from './app-config';

const base = {
  PAM_CORE_URL: 'https://segura.example.com/segura/',
  PAM_CORE_CLIENT_ID: 'client',
  PAM_CORE_CLIENT_SECRET: 'super-secret-value',
  AUTH_ISSUER: 'https://idp.example.com/realms/corp',
  AUTH_AUDIENCE: 'pam-gateway',
  RBAC_POLICY_FILE: './policy.yaml',
};

function errorsOf(env: Record<string, string>): string[] {
  const r = loadConfig(env);
  if (r.ok) throw new Error('expected configuration errors');
  return r.errors;
}

describe('loadConfig', () => {
  it('applies the documented defaults', () => {
    const r = loadConfig(base);
    if (!r.ok) throw new Error(r.errors.join('\n'));
    const c = r.config;
    expect(c.port).toBe(3000);
    expect(c.host).toBe('0.0.0.0');
    expect(c.pamCore.baseUrl).toBe('https://segura.example.com/segura');
    expect(c.pamCore.auth).toBe('oauth2');
    expect(c.pamCore.oauth2).toEqual({
      clientId: 'client',
      clientSecret: 'super-secret-value',
      tokenPath: '/iso/oauth2/token',
      clientAuth: 'body',
      tenant: undefined,
    });
    expect(c.pamCore.dropPath).toBe('/api/pam/session/drop/{sessionId}');
    expect(c.pamCore.sessionsPath).toBe('/api/session/remotesessions');
    expect(c.pamCore.timeoutMs).toBe(10000);
    expect(c.pamCore.tlsInsecure).toBe(false);
    expect(c.auth.rolesClaim).toBe('roles');
    expect(c.auth.algorithms).toEqual(['RS256', 'ES256', 'PS256']);
    expect(c.audit.databaseUrl).toBe('sqlite:./data/audit.db');
    expect(c.rateLimit.terminationsPerMinute).toBe(60);
    expect(c.corsOrigins).toEqual([]);
    expect(c.metricsPublic).toBe(false);
    expect(c.logLevel).toBe('info');
  });

  it('limits reads per principal: 600 a minute by default, 0 turns it off', () => {
    const unset = loadConfig(base);
    expect(unset.ok && unset.config.rateLimit.readsPerMinute).toBe(600);
    const off = loadConfig({ ...base, RATE_LIMIT_READS_PER_MINUTE: '0' });
    expect(off.ok && off.config.rateLimit.readsPerMinute).toBe(0);
    expect(errorsOf({ ...base, RATE_LIMIT_READS_PER_MINUTE: '-1' })).toEqual([
      'RATE_LIMIT_READS_PER_MINUTE: must be a whole number from 0 to 10000000',
    ]);
  });

  it('leaves the audit recovery grace to the store engine unless AUDIT_RECOVERY_GRACE_MS is set', () => {
    const unset = loadConfig(base);
    expect(unset.ok && unset.config.audit.recoveryGraceMs).toBeUndefined();
    const zero = loadConfig({ ...base, AUDIT_RECOVERY_GRACE_MS: '0' });
    expect(zero.ok && zero.config.audit.recoveryGraceMs).toBe(0);
    expect(errorsOf({ ...base, AUDIT_RECOVERY_GRACE_MS: '15m' })).toEqual([
      'AUDIT_RECOVERY_GRACE_MS: must be a whole number from 0 to 604800000',
    ]);
  });

  it('applies the session discovery defaults and bounds', () => {
    const r = loadConfig(base);
    expect(r.ok && r.config.sessions).toEqual({
      cacheTtlMs: 15000,
      cacheStaleMaxMs: 600000,
      refreshWaitMs: 2000,
      bulkConcurrency: 16,
      idempotencyTtlHours: 24,
    });
    expect(r.ok && r.config.redisKeyPrefix).toBe('pam-gateway:');
    expect(
      errorsOf({
        ...base,
        BULK_CONCURRENCY: '0',
        IDEMPOTENCY_TTL_HOURS: '1y',
        REDIS_KEY_PREFIX: 'a b',
      }),
    ).toEqual([
      'REDIS_KEY_PREFIX: must be at most 64 letters, digits or ":._-"',
      'BULK_CONCURRENCY: must be a whole number from 1 to 64',
      'IDEMPOTENCY_TTL_HOURS: must be a whole number from 1 to 720',
    ]);
  });

  it('applies the HTTP server deadlines and their bounds', () => {
    const r = loadConfig(base);
    expect(r.ok && r.config.http).toEqual({ requestTimeoutMs: 10000, keepAliveTimeoutMs: 5000 });
    const set = loadConfig({
      ...base,
      HTTP_REQUEST_TIMEOUT_MS: '2500',
      HTTP_KEEP_ALIVE_TIMEOUT_MS: '65000',
    });
    expect(set.ok && set.config.http).toEqual({
      requestTimeoutMs: 2500,
      keepAliveTimeoutMs: 65000,
    });
    // 0 would mean "no deadline" to Node: refused, as are values below the once-a-second check.
    expect(
      errorsOf({ ...base, HTTP_REQUEST_TIMEOUT_MS: '0', HTTP_KEEP_ALIVE_TIMEOUT_MS: '999' }),
    ).toEqual([
      'HTTP_REQUEST_TIMEOUT_MS: must be a whole number from 1000 to 600000',
      'HTTP_KEEP_ALIVE_TIMEOUT_MS: must be a whole number from 1000 to 3600000',
    ]);
  });

  it('refreshes the signing keys every 300 s unless AUTH_JWKS_REFRESH_S says otherwise', () => {
    const r = loadConfig(base);
    expect(r.ok && r.config.auth.jwksRefreshSeconds).toBe(300);
    const set = loadConfig({ ...base, AUTH_JWKS_REFRESH_S: '60' });
    expect(set.ok && set.config.auth.jwksRefreshSeconds).toBe(60);
    expect(errorsOf({ ...base, AUTH_JWKS_REFRESH_S: '0' })).toEqual([
      'AUTH_JWKS_REFRESH_S: must be a whole number from 1 to 86400',
    ]);
  });

  it('accepts any token typ unless AUTH_TOKEN_TYPES lists some', () => {
    const r = loadConfig(base);
    expect(r.ok && r.config.auth.tokenTypes).toBeUndefined();
    const blank = loadConfig({ ...base, AUTH_TOKEN_TYPES: ' , ' });
    expect(blank.ok && blank.config.auth.tokenTypes).toBeUndefined();
    const set = loadConfig({ ...base, AUTH_TOKEN_TYPES: ' at+jwt, application/JWT ,' });
    expect(set.ok && set.config.auth.tokenTypes).toEqual(['at+jwt', 'application/JWT']);
    for (const bad of ['at+jwt,at jwt', 'application/at+jwt/x', 'at+jwt;v=1']) {
      expect(errorsOf({ ...base, AUTH_TOKEN_TYPES: bad })).toEqual([
        'AUTH_TOKEN_TYPES: must be a comma-separated list of JOSE "typ" values such as at+jwt',
      ]);
    }
  });

  it('binds ${principal.name} to preferred_username unless AUTH_USERNAME_CLAIM names another claim', () => {
    const r = loadConfig(base);
    expect(r.ok && r.config.auth.usernameClaim).toBe('preferred_username');
    const blank = loadConfig({ ...base, AUTH_USERNAME_CLAIM: ' ' });
    expect(blank.ok && blank.config.auth.usernameClaim).toBe('preferred_username');
    const upn = loadConfig({ ...base, AUTH_USERNAME_CLAIM: 'upn' });
    expect(upn.ok && upn.config.auth.usernameClaim).toBe('upn');
    expect(errorsOf({ ...base, AUTH_USERNAME_CLAIM: 'user name' })).toEqual([
      'AUTH_USERNAME_CLAIM: must be a claim name such as preferred_username',
    ]);
  });

  it('limits failed authentications to 120 per IP and minute unless told otherwise', () => {
    const r = loadConfig(base);
    expect(r.ok && r.config.rateLimit.authFailuresPerMinute).toBe(120);
    const off = loadConfig({ ...base, RATE_LIMIT_AUTH_FAILURES_PER_MINUTE: '0' });
    expect(off.ok && off.config.rateLimit.authFailuresPerMinute).toBe(0);
    expect(errorsOf({ ...base, RATE_LIMIT_AUTH_FAILURES_PER_MINUTE: '-1' })).toEqual([
      'RATE_LIMIT_AUTH_FAILURES_PER_MINUTE: must be a whole number from 0 to 1000000',
    ]);
  });

  it('names every missing required variable on its own line', () => {
    const errors = errorsOf({});
    expect(errors).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^PAM_CORE_URL: /),
        expect.stringMatching(/^AUTH_ISSUER: /),
        expect.stringMatching(/^AUTH_AUDIENCE: /),
        expect.stringMatching(/^RBAC_POLICY_FILE: /),
      ]),
    );
  });

  it.each([
    ['PAM_CORE_URL', 'ftp://x', 'PAM_CORE_URL: must be an http(s) URL'],
    ['PAM_CORE_URL', 'not a url', 'PAM_CORE_URL: must be an http(s) URL'],
    ['PAM_CORE_AUTH', 'basic', 'PAM_CORE_AUTH: must be oauth2 or oauth1'],
    ['PAM_CORE_TOKEN_CLIENT_AUTH', 'header', 'PAM_CORE_TOKEN_CLIENT_AUTH: must be body or basic'],
    [
      'PAM_CORE_TIMEOUT_MS',
      '10s',
      'PAM_CORE_TIMEOUT_MS: must be a whole number from 100 to 600000',
    ],
    ['PAM_CORE_TLS_INSECURE', 'maybe', 'PAM_CORE_TLS_INSECURE: must be true or false'],
    [
      'PAM_CORE_DROP_PATH',
      '/api/drop',
      'PAM_CORE_DROP_PATH: must contain the placeholder {sessionId}',
    ],
    ['PORT', '70000', 'PORT: must be a whole number from 0 to 65535'],
    [
      'AUTH_ALGORITHMS',
      'HS256',
      'AUTH_ALGORITHMS: must list asymmetric algorithms only (RS256, PS256, ES256, EdDSA, ...)',
    ],
    [
      'AUDIT_DATABASE_URL',
      'mysql://x',
      'AUDIT_DATABASE_URL: must be sqlite:<path> or postgres://…',
    ],
    ['REDIS_URL', 'localhost:6379', 'REDIS_URL: must be a redis:// or rediss:// URL'],
    [
      'CORS_ORIGINS',
      'https://ok.example.com,*',
      'CORS_ORIGINS: must be a comma-separated list of origins such as https://app.example.com',
    ],
    [
      'LOG_LEVEL',
      'loud',
      'LOG_LEVEL: must be one of fatal, error, warn, info, debug, trace, silent',
    ],
  ])('%s=%s is refused with a clear line', (name, value, line) => {
    expect(errorsOf({ ...base, [name]: value })).toContain(line);
  });

  it('requires the credentials of the chosen auth mode', () => {
    expect(errorsOf({ ...base, PAM_CORE_CLIENT_SECRET: '' })).toEqual([
      'PAM_CORE_CLIENT_SECRET: is required when PAM_CORE_AUTH=oauth2',
    ]);
    const errors = errorsOf({ ...base, PAM_CORE_AUTH: 'oauth1' });
    expect(errors).toEqual([
      'PAM_CORE_CONSUMER_KEY: is required when PAM_CORE_AUTH=oauth1',
      'PAM_CORE_CONSUMER_SECRET: is required when PAM_CORE_AUTH=oauth1',
      'PAM_CORE_TOKEN_KEY: is required when PAM_CORE_AUTH=oauth1',
      'PAM_CORE_TOKEN_SECRET: is required when PAM_CORE_AUTH=oauth1',
    ]);
  });

  it('reads secrets from NAME_FILE and never echoes a value', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cfg-'));
    const file = join(dir, 'secret');
    writeFileSync(file, 'from-file-secret\n');
    const env: Record<string, string> = { ...base, PAM_CORE_CLIENT_SECRET_FILE: file };
    delete env.PAM_CORE_CLIENT_SECRET;
    const r = loadConfig(env);
    if (!r.ok) throw new Error(r.errors.join('\n'));
    expect(r.config.pamCore.oauth2?.clientSecret).toBe('from-file-secret');

    expect(errorsOf({ ...base, PAM_CORE_CLIENT_SECRET_FILE: file })).toEqual([
      'PAM_CORE_CLIENT_SECRET_FILE: cannot be set together with PAM_CORE_CLIENT_SECRET',
    ]);
    const missing = errorsOf({ ...env, PAM_CORE_CLIENT_SECRET_FILE: join(dir, 'nope') });
    expect(missing).toEqual(['PAM_CORE_CLIENT_SECRET_FILE: must be a readable file']);
    const all = errorsOf({
      ...base,
      PAM_CORE_URL: 'super-secret-value',
      AUDIT_DATABASE_URL: 'mysql://u:p4ss@h/db',
    });
    expect(all.join('\n')).not.toContain('super-secret-value');
    expect(all.join('\n')).not.toContain('p4ss');
  });

  it('loads a CA bundle and refuses it together with TLS_INSECURE', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cfg-'));
    const ca = join(dir, 'ca.pem');
    writeFileSync(ca, '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n');
    const r = loadConfig({ ...base, PAM_CORE_CA_FILE: ca });
    expect(r.ok && r.config.pamCore.ca).toContain('BEGIN CERTIFICATE');
    expect(errorsOf({ ...base, PAM_CORE_CA_FILE: ca, PAM_CORE_TLS_INSECURE: 'true' })).toEqual([
      'PAM_CORE_TLS_INSECURE: cannot be true together with PAM_CORE_CA_FILE',
    ]);
    const notPem = join(dir, 'x.txt');
    writeFileSync(notPem, 'hello');
    expect(errorsOf({ ...base, PAM_CORE_CA_FILE: notPem })).toEqual([
      'PAM_CORE_CA_FILE: must be a PEM file with at least one certificate',
    ]);
  });

  it('serves the API docs unless API_DOCS is false, parsed like the other booleans', () => {
    const docs = (v?: string) => {
      const r = loadConfig(v === undefined ? base : { ...base, API_DOCS: v });
      if (!r.ok) throw new Error(r.errors.join('\n'));
      return r.config.apiDocs;
    };
    expect(docs()).toBe(true);
    expect(docs('false')).toBe(false);
    expect(docs('0')).toBe(false);
    expect(docs('TRUE')).toBe(true);
    expect(errorsOf({ ...base, API_DOCS: 'off-ish' })).toEqual(['API_DOCS: must be true or false']);
  });

  it('parses lists and booleans', () => {
    const r = loadConfig({
      ...base,
      CORS_ORIGINS: 'https://a.example.com, http://localhost:5173',
      METRICS_PUBLIC: 'true',
      AUTH_ALGORITHMS: 'ES256,EdDSA',
    });
    if (!r.ok) throw new Error(r.errors.join('\n'));
    expect(r.config.corsOrigins).toEqual(['https://a.example.com', 'http://localhost:5173']);
    expect(r.config.metricsPublic).toBe(true);
    expect(r.config.auth.algorithms).toEqual(['ES256', 'EdDSA']);
  });
});
