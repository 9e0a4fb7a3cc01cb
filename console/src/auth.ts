import { type User, UserManager, WebStorageStateStore } from 'oidc-client-ts';
import { BASE, type ConsoleConfig } from './settings';

export const CALLBACK_PATH = `${BASE}/callback`;

/**
 * Authorization Code with PKCE (S256) through oidc-client-ts; tokens in sessionStorage (gone
 * with the tab). Renewal uses the refresh token before the access token expires.
 */
export function createUserManager(config: ConsoleConfig): UserManager {
  const origin = window.location.origin;
  return new UserManager({
    authority: config.issuer,
    client_id: config.clientId,
    scope: config.scopes,
    redirect_uri: origin + CALLBACK_PATH,
    post_logout_redirect_uri: `${origin}${BASE}/`,
    response_type: 'code',
    automaticSilentRenew: true,
    // Without a refresh token a renewal would need an iframe at the issuer; the CSP allows none.
    silentRequestTimeoutInSeconds: 10,
    userStore: new WebStorageStateStore({ store: window.sessionStorage }),
    stateStore: new WebStorageStateStore({ store: window.sessionStorage }),
  });
}

/** Where the user was before signing in, carried through the issuer in the state. */
export async function signIn(manager: UserManager): Promise<void> {
  const here = window.location.pathname + window.location.search;
  await manager.signinRedirect({ state: here.startsWith(BASE) ? here : `${BASE}/` });
}

/** Completes a sign-in on the callback page; returns where to go next. */
export async function completeSignIn(manager: UserManager): Promise<string> {
  const user: User = await manager.signinRedirectCallback();
  const next = typeof user.state === 'string' ? user.state : `${BASE}/`;
  return next.startsWith(`${BASE}/`) && !next.startsWith(CALLBACK_PATH) ? next : `${BASE}/`;
}
