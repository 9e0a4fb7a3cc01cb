import { mkdtempSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from './app-config';

const base = {
  PAM_CORE_URL: 'https://segura.example.com',
  PAM_CORE_CLIENT_ID: 'client',
  PAM_CORE_CLIENT_SECRET: 'super-secret-value',
  AUTH_ISSUER: 'https://idp.example.com/realms/corp',
  AUTH_AUDIENCE: 'pam-gateway',
  RBAC_POLICY_FILE: './policy.yaml',
};
const SECRET = `whsec_${Buffer.alloc(32, 7).toString('base64')}`;

function errorsOf(env: Record<string, string>): string[] {
  const r = loadConfig({ ...base, ...env });
  if (r.ok) throw new Error('expected configuration errors');
  return r.errors;
}

describe('events settings', () => {
  it('are off unless EVENTS_WEBHOOK_URLS is set', () => {
    const r = loadConfig({ ...base, EVENTS_WEBHOOK_SECRET: 'not checked while off' });
    expect(r.ok && r.config.events).toBeUndefined();
  });

  it('apply the documented defaults', () => {
    const r = loadConfig({
      ...base,
      EVENTS_WEBHOOK_URLS: ' https://siem.example.com/hook?token=t1 , http://10.0.0.5:8080/e ',
      EVENTS_WEBHOOK_SECRET: SECRET,
    });
    if (!r.ok) throw new Error(r.errors.join('\n'));
    expect(r.config.events).toEqual({
      urls: ['https://siem.example.com/hook?token=t1', 'http://10.0.0.5:8080/e'],
      secret: SECRET,
      timeoutMs: 5000,
      maxAgeMs: 72 * 3600_000,
      retryMinMs: 1000,
      retryMaxMs: 600_000,
      pollMs: 1000,
      instance: hostname().replace(/[^A-Za-z0-9._-]/g, '-'),
    });
  });

  it('take the secret and the URLs from files', () => {
    const dir = mkdtempSync(join(tmpdir(), 'pam-gw-events-cfg-'));
    writeFileSync(join(dir, 'secret'), `${SECRET}\n`);
    writeFileSync(join(dir, 'urls'), 'https://a.example.com/h');
    const r = loadConfig({
      ...base,
      EVENTS_WEBHOOK_URLS_FILE: join(dir, 'urls'),
      EVENTS_WEBHOOK_SECRET_FILE: join(dir, 'secret'),
      GATEWAY_INSTANCE: 'gw-eu-1',
    });
    if (!r.ok) throw new Error(r.errors.join('\n'));
    expect(r.config.events).toMatchObject({
      urls: ['https://a.example.com/h'],
      secret: SECRET,
      instance: 'gw-eu-1',
    });
  });

  it('refuse a missing or malformed secret, bad URLs and bad numbers, never echoing a value', () => {
    const url = { EVENTS_WEBHOOK_URLS: 'https://a.example.com/h' };
    expect(errorsOf(url)).toEqual([
      'EVENTS_WEBHOOK_SECRET: is required when EVENTS_WEBHOOK_URLS is set',
    ]);
    const short = `whsec_${Buffer.alloc(8).toString('base64')}`;
    for (const secret of ['s3cr3t-value', short, `whsec_${'!'.repeat(40)}`]) {
      const errors = errorsOf({ ...url, EVENTS_WEBHOOK_SECRET: secret });
      expect(errors).toEqual([
        'EVENTS_WEBHOOK_SECRET: must be whsec_ followed by 24 to 64 bytes in base64',
      ]);
      expect(errors.join('\n')).not.toContain(secret);
    }
    const withSecret = { EVENTS_WEBHOOK_SECRET: SECRET };
    expect(errorsOf({ ...withSecret, EVENTS_WEBHOOK_URLS: 'ftp://a.example.com/h' })).toEqual([
      'EVENTS_WEBHOOK_URLS: must be a comma-separated list of http(s) URLs',
    ]);
    const creds = errorsOf({ ...withSecret, EVENTS_WEBHOOK_URLS: 'https://u:pw@a.example.com/' });
    expect(creds).toEqual([
      'EVENTS_WEBHOOK_URLS: every entry must be an http(s) URL without user:password',
    ]);
    expect(creds.join('\n')).not.toContain('pw@');
    expect(
      errorsOf({
        ...url,
        ...withSecret,
        EVENTS_TIMEOUT_MS: '50',
        EVENTS_MAX_AGE_HOURS: '0',
        GATEWAY_INSTANCE: 'has space',
      }),
    ).toEqual([
      'EVENTS_TIMEOUT_MS: must be a whole number from 100 to 60000',
      'EVENTS_MAX_AGE_HOURS: must be a whole number from 1 to 720',
      'GATEWAY_INSTANCE: must be 1 to 128 letters, digits or "._-"',
    ]);
    expect(
      errorsOf({ ...url, ...withSecret, EVENTS_RETRY_MIN_MS: '5000', EVENTS_RETRY_MAX_MS: '100' }),
    ).toEqual(['EVENTS_RETRY_MIN_MS: must not exceed EVENTS_RETRY_MAX_MS']);
  });
});
