import { type AppConfig, loadConfigOrThrow } from '../../src/config';

/**
 * The smallest valid configuration, for unit specs that build modules: PAM Core on port 9
 * (discard) on loopback, where nothing answers, so any call is refused quickly.
 */
export function unitConfig(extra: NodeJS.ProcessEnv = {}): AppConfig {
  return loadConfigOrThrow({
    PAM_CORE_URL: 'http://127.0.0.1:9/segura',
    PAM_CORE_CLIENT_ID: 'id',
    PAM_CORE_CLIENT_SECRET: 'secret',
    AUTH_ISSUER: 'https://issuer.example',
    AUTH_AUDIENCE: 'aud',
    RBAC_POLICY_FILE: '/dev/null',
    ...extra,
  });
}
