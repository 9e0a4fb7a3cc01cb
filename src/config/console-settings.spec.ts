import { loadConfig } from './app-config';

const base = {
  PAM_CORE_URL: 'https://segura.example.com',
  PAM_CORE_CLIENT_ID: 'client',
  PAM_CORE_CLIENT_SECRET: 'secret',
  AUTH_ISSUER: 'https://idp.example.com/realms/corp',
  AUTH_AUDIENCE: 'pam-gateway',
  RBAC_POLICY_FILE: './policy.yaml',
};

function consoleOf(env: Record<string, string>) {
  const r = loadConfig({ ...base, ...env });
  if (!r.ok) throw new Error(r.errors.join('\n'));
  return r.config.console;
}

function errorsOf(env: Record<string, string>): string[] {
  const r = loadConfig({ ...base, ...env });
  return r.ok ? [] : r.errors;
}

describe('console settings', () => {
  it('is on by default but has no client id, so it is not served', () => {
    expect(consoleOf({})).toEqual({ enabled: true, scopes: 'openid' });
  });

  it('takes the client id and scopes, deduplicated', () => {
    expect(
      consoleOf({
        CONSOLE_OIDC_CLIENT_ID: ' pam-console ',
        CONSOLE_OIDC_SCOPES: 'openid  profile openid',
      }),
    ).toEqual({ enabled: true, clientId: 'pam-console', scopes: 'openid profile' });
  });

  it('can be turned off', () => {
    expect(consoleOf({ CONSOLE: 'false', CONSOLE_OIDC_CLIENT_ID: 'c' }).enabled).toBe(false);
  });

  it('refuses bad values by name, without echoing them', () => {
    expect(errorsOf({ CONSOLE: 'maybe' })).toEqual(['CONSOLE: must be true or false']);
    expect(errorsOf({ CONSOLE_OIDC_CLIENT_ID: 'a b' })).toEqual([
      'CONSOLE_OIDC_CLIENT_ID: must be 1 to 255 printable characters without spaces',
    ]);
    expect(errorsOf({ CONSOLE_OIDC_SCOPES: 'profile' })).toEqual([
      'CONSOLE_OIDC_SCOPES: must include openid',
    ]);
    expect(errorsOf({ CONSOLE_OIDC_SCOPES: 'openid "x"' })).toEqual([
      'CONSOLE_OIDC_SCOPES: must be up to 20 space-separated OAuth scopes',
    ]);
  });
});
