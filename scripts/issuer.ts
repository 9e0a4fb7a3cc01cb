/**
 * A real local OIDC issuer (oauth2-mock-server: discovery document, JWKS, RS256 tokens,
 * Authorization Code with PKCE) for the demo, the console's browser tests and the benchmark,
 * with a sign-in page listing the demo users (demo-sign-in.ts). oauth2-mock-server ships ES
 * modules only; Node 20.19+ loads them through require().
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { withSignInStep } from './demo-sign-in';

export interface LocalIssuer {
  url: string;
  /** Mints an RS256 access token for the gateway's audience with the given claims. */
  token(claims: Record<string, unknown>, expiresInSeconds?: number): Promise<string>;
  stop(): Promise<void>;
}

export const DEMO_AUDIENCE = 'pam-gateway';

export async function startIssuer(port = 0, host = '127.0.0.1'): Promise<LocalIssuer> {
  const { OAuth2Issuer, OAuth2Service } =
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    require('oauth2-mock-server') as typeof import('oauth2-mock-server');
  const issuer = new OAuth2Issuer();
  await issuer.keys.generate('RS256');
  const service = new OAuth2Service(issuer);
  const server = createServer(withSignInStep(service, DEMO_AUDIENCE, service.requestHandler));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject).listen(port, host, () => resolve());
  });
  const url = `http://${host}:${(server.address() as AddressInfo).port}`;
  issuer.url = url;
  return {
    url,
    token: (claims, expiresInSeconds = 8 * 3600) =>
      issuer.buildToken({
        expiresIn: expiresInSeconds,
        scopesOrTransform: (_header, payload) => {
          payload.aud = DEMO_AUDIENCE;
          // Keycloak's shape, matching AUTH_ROLES_CLAIM=realm_access.roles.
          const { roles, ...rest } = claims;
          Object.assign(payload, rest);
          if (roles !== undefined) payload.realm_access = { roles };
        },
      }),
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
