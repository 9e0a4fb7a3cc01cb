/**
 * A real local OIDC issuer (oauth2-mock-server: discovery document, JWKS, RS256 tokens) for the
 * demo and the benchmark. oauth2-mock-server ships ES modules only; Node 20.19+ loads them
 * through require().
 */
import type { OAuth2Server } from 'oauth2-mock-server';

export interface LocalIssuer {
  url: string;
  /** Mints an RS256 access token for the gateway's audience with the given claims. */
  token(claims: Record<string, unknown>, expiresInSeconds?: number): Promise<string>;
  stop(): Promise<void>;
}

export const DEMO_AUDIENCE = 'pam-gateway';

export async function startIssuer(port = 0, host = '127.0.0.1'): Promise<LocalIssuer> {
  const { OAuth2Server: Server } =
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    require('oauth2-mock-server') as typeof import('oauth2-mock-server');
  const server: OAuth2Server = new Server();
  await server.issuer.keys.generate('RS256');
  await server.start(port, host);
  const url = server.issuer.url!;
  return {
    url,
    token: (claims, expiresInSeconds = 8 * 3600) =>
      server.issuer.buildToken({
        expiresIn: expiresInSeconds,
        scopesOrTransform: (_header, payload) => {
          payload.aud = DEMO_AUDIENCE;
          // Keycloak's shape, matching AUTH_ROLES_CLAIM=realm_access.roles.
          const { roles, ...rest } = claims;
          Object.assign(payload, rest);
          if (roles !== undefined) payload.realm_access = { roles };
        },
      }),
    stop: () => server.stop(),
  };
}
