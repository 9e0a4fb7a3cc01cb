import type { Principal } from './principal';

/** The part of a {@link Principal} that comes from the credential (not from the request). */
export type Identity = Pick<Principal, 'id' | 'key' | 'kind' | 'name' | 'username' | 'roles'>;

/** Where the identity's parts are read from (config.auth). */
export interface ClaimNames {
  rolesClaim: string;
  usernameClaim: string;
}

export type Claims = Record<string, unknown>;

const USER_CLAIMS = ['preferred_username', 'email', 'name'] as const;
const CLIENT_CLAIMS = ['client_id', 'clientId', 'azp'] as const;

function str(claims: Claims, name: string): string | undefined {
  const v = claims[name];
  return typeof v === 'string' && v !== '' ? v : undefined;
}

/**
 * Reads the roles at a dot path ("realm_access.roles" for Keycloak, "roles" for Entra, "groups"
 * for Okta). A claim whose full name is the path wins first, so namespaced claims such as
 * "https://example.com/roles" (Auth0) work too. An array gives its string entries; a single
 * string is one role (never split: role names may contain spaces); anything else gives [].
 */
export function rolesFromClaims(claims: Claims, path: string): string[] {
  let value: unknown = Object.hasOwn(claims, path) ? claims[path] : undefined;
  if (value === undefined) {
    value = claims;
    for (const segment of path.split('.')) {
      if (
        value === null ||
        typeof value !== 'object' ||
        Array.isArray(value) ||
        !Object.hasOwn(value, segment)
      ) {
        return [];
      }
      value = (value as Claims)[segment];
    }
  }
  if (typeof value === 'string') return value === '' ? [] : [value];
  if (!Array.isArray(value)) return [];
  return [...new Set(value.filter((r): r is string => typeof r === 'string' && r !== ''))];
}

/**
 * User or service, in this order:
 * 1. an explicit marker: `idtyp` "app"/"user" (Entra), `gty` "client-credentials" (Auth0);
 * 2. `preferred_username` "service-account-…" (Keycloak's client-credentials tokens);
 * 3. any of preferred_username, email, name → user;
 * 4. any of client_id, clientId, azp → service (a client-credentials token);
 * 5. otherwise user.
 */
export function principalKindOf(claims: Claims): Principal['kind'] {
  const idtyp = str(claims, 'idtyp');
  if (idtyp === 'app') return 'service';
  if (idtyp === 'user') return 'user';
  if (str(claims, 'gty') === 'client-credentials') return 'service';
  if (str(claims, 'preferred_username')?.startsWith('service-account-')) return 'service';
  if (USER_CLAIMS.some((c) => str(claims, c) !== undefined)) return 'user';
  if (CLIENT_CLAIMS.some((c) => str(claims, c) !== undefined)) return 'service';
  return 'user';
}

/**
 * preferred_username ?? name ?? email ?? client_id ?? clientId ?? azp ?? sub: a display name
 * for logs and the audit only; policies bind to the username (AUTH_USERNAME_CLAIM) instead.
 */
export function principalNameOf(claims: Claims, sub: string): string {
  for (const c of ['preferred_username', 'name', 'email', 'client_id', 'clientId', 'azp']) {
    const v = str(claims, c);
    if (v !== undefined) return v;
  }
  return sub;
}

/** The per-principal store key of a token verified as issued by `issuer`. */
export function jwtPrincipalKey(issuer: string, sub: string): string {
  return `jwt:${issuer}:${sub}`;
}

/** The per-principal store key of a service key. */
export function apiKeyPrincipalKey(id: string): string {
  return `apikey:${id}`;
}

/**
 * The identity of a verified token; `sub` must already be checked to be a non-empty string and
 * `iss` to be the configured issuer.
 */
export function identityFromClaims(
  claims: Claims & { sub: string; iss: string },
  names: ClaimNames,
): Identity {
  const identity: Identity = {
    id: claims.sub,
    key: jwtPrincipalKey(claims.iss, claims.sub),
    kind: principalKindOf(claims),
    name: principalNameOf(claims, claims.sub),
    roles: rolesFromClaims(claims, names.rolesClaim),
  };
  // Only the named claim, only as given: no fallback, no trimming or case change.
  const username = Object.hasOwn(claims, names.usernameClaim)
    ? str(claims, names.usernameClaim)
    : undefined;
  if (username !== undefined) identity.username = username;
  return identity;
}
