/** Shared by the pam-core e2e tests: a real PamCoreClient pointed at a real simulator. */
import { Logger } from '@nestjs/common';
import { loadConfigOrThrow } from '../../src/config';
import { GatewayError } from '../../src/errors';
import { undiciHttpService } from '../../src/http';
import { PamCoreClient, PamCorePolicyOptions } from '../../src/pam-core';
import type { PamCoreObserver } from '../../src/pam-core';
import { pamCoreTransport } from '../../src/pam-core/upstream-http';

export const OAUTH1 = {
  consumerKey: 'sim-consumer',
  consumerSecret: 'sim-consumer-secret',
  tokenKey: 'sim-token',
  tokenSecret: 'sim-token-secret',
};

export function oauth1Env(creds = OAUTH1): Record<string, string> {
  return {
    PAM_CORE_AUTH: 'oauth1',
    PAM_CORE_CONSUMER_KEY: creds.consumerKey,
    PAM_CORE_CONSUMER_SECRET: creds.consumerSecret,
    PAM_CORE_TOKEN_KEY: creds.tokenKey,
    PAM_CORE_TOKEN_SECRET: creds.tokenSecret,
  };
}

/** Quick retries so tests do not wait on production backoff numbers. */
export const FAST: PamCorePolicyOptions = { retryInitialDelayMs: 1, retryMaxDelayMs: 10 };

export function makeClient(
  url: string,
  env: Record<string, string> = {},
  policy: PamCorePolicyOptions = {},
  observer?: PamCoreObserver,
): PamCoreClient {
  const config = loadConfigOrThrow({
    PAM_CORE_URL: url,
    PAM_CORE_CLIENT_ID: 'sim-client',
    PAM_CORE_CLIENT_SECRET: 'sim-secret',
    AUTH_ISSUER: 'https://issuer.example',
    AUTH_AUDIENCE: 'pam-gateway',
    RBAC_POLICY_FILE: '/dev/null',
    ...env,
  });
  // The HttpService PamCoreModule would give it: Segura's TLS settings, its own pool.
  const http = undiciHttpService(pamCoreTransport(config.pamCore));
  return new PamCoreClient(config, http, observer, { ...FAST, ...policy });
}

/** The GatewayError a promise rejects with (fails the test if it resolves or throws anything else). */
export async function caught(p: Promise<unknown>): Promise<GatewayError> {
  try {
    await p;
  } catch (err) {
    if (err instanceof GatewayError) return err;
    throw err;
  }
  throw new Error('expected a GatewayError');
}

export function quietLogs(): void {
  Logger.overrideLogger(['error']);
}
