import { loadConfigOrThrow } from '../config';
import { GatewayError } from '../errors';
import { describeStartupError } from './startup-error';

const config = loadConfigOrThrow({
  PAM_CORE_URL: 'https://segura.example.com',
  PAM_CORE_CLIENT_ID: 'client',
  PAM_CORE_CLIENT_SECRET: 'client-secret-value',
  AUTH_ISSUER: 'https://idp.example.com',
  AUTH_AUDIENCE: 'pam-gateway',
  RBAC_POLICY_FILE: './policy.yaml',
  AUDIT_DATABASE_URL: 'postgres://pam:db-p%40ss-word@db.internal:5432/audit',
  AUDIT_HMAC_KEY: 'hmac-key-value',
});

describe('describeStartupError', () => {
  it('joins the error with its causes on one line', () => {
    const err = new GatewayError('AUDIT_UNAVAILABLE', 'The audit store cannot be opened', {
      cause: new Error('connect ECONNREFUSED\n  127.0.0.1:5432'),
    });
    expect(describeStartupError(err, config)).toBe(
      'The audit store cannot be opened: connect ECONNREFUSED 127.0.0.1:5432',
    );
  });

  it('blanks any secret of the configuration a driver may have echoed', () => {
    const err = new Error('password authentication failed', {
      cause: new Error(
        'at postgres://pam:db-p%40ss-word@db.internal:5432/audit with db-p@ss-word, client-secret-value, hmac-key-value',
      ),
    });
    const line = describeStartupError(err, config);
    for (const secret of [
      'db-p@ss-word',
      'db-p%40ss-word',
      'client-secret-value',
      'hmac-key-value',
    ]) {
      expect(line).not.toContain(secret);
    }
    expect(line).toContain('[redacted]');
  });

  it('copes with things that are not errors', () => {
    expect(describeStartupError('boom', config)).toBe('boom');
    expect(describeStartupError(undefined, config)).toBe('unknown error');
  });
});
