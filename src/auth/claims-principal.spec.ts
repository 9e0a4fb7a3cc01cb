import {
  identityFromClaims,
  principalKindOf,
  principalNameOf,
  rolesFromClaims,
} from './claims-principal';

describe('rolesFromClaims', () => {
  it('reads a top-level array', () => {
    expect(rolesFromClaims({ roles: ['a', 'b'] }, 'roles')).toEqual(['a', 'b']);
  });

  it('follows a nested dot path (Keycloak realm_access.roles)', () => {
    const claims = { realm_access: { roles: ['session-operator', 'offline_access'] } };
    expect(rolesFromClaims(claims, 'realm_access.roles')).toEqual([
      'session-operator',
      'offline_access',
    ]);
  });

  it('takes a single string as one role, without splitting it', () => {
    expect(rolesFromClaims({ roles: 'session-operator' }, 'roles')).toEqual(['session-operator']);
    expect(rolesFromClaims({ roles: 'two words' }, 'roles')).toEqual(['two words']);
  });

  it('gives no roles when the claim is missing, empty or of another type', () => {
    expect(rolesFromClaims({}, 'roles')).toEqual([]);
    expect(rolesFromClaims({ roles: '' }, 'roles')).toEqual([]);
    expect(rolesFromClaims({ roles: { admin: true } }, 'roles')).toEqual([]);
    expect(rolesFromClaims({ roles: 7 }, 'roles')).toEqual([]);
    expect(rolesFromClaims({ realm_access: 'x' }, 'realm_access.roles')).toEqual([]);
    expect(rolesFromClaims({ realm_access: null }, 'realm_access.roles')).toEqual([]);
    expect(rolesFromClaims({ realm_access: [['a']] }, 'realm_access.0')).toEqual([]);
  });

  it('keeps only non-empty strings from an array, once each', () => {
    expect(rolesFromClaims({ groups: ['a', 1, null, '', 'a', { b: 1 }, 'c'] }, 'groups')).toEqual([
      'a',
      'c',
    ]);
  });

  it('prefers a claim literally named by the whole path (namespaced claims)', () => {
    const claims = {
      'https://example.com/roles': ['auditor'],
      https: { '//example': { 'com/roles': ['nope'] } },
    };
    expect(rolesFromClaims(claims, 'https://example.com/roles')).toEqual(['auditor']);
  });

  it('does not walk into inherited properties', () => {
    expect(rolesFromClaims({}, 'constructor.name')).toEqual([]);
    expect(rolesFromClaims({}, '__proto__')).toEqual([]);
  });
});

describe('principalKindOf', () => {
  it('a token with user claims is a user, even when it has azp (the login client)', () => {
    expect(principalKindOf({ preferred_username: 'alice', azp: 'web-app' })).toBe('user');
    expect(principalKindOf({ email: 'a@example.com', client_id: 'x' })).toBe('user');
    expect(principalKindOf({ name: 'Alice' })).toBe('user');
  });

  it('a client-credentials token (client claims, no user claims) is a service', () => {
    expect(principalKindOf({ client_id: 'billing' })).toBe('service');
    expect(principalKindOf({ clientId: 'billing' })).toBe('service');
    expect(principalKindOf({ azp: 'billing' })).toBe('service');
  });

  it('honours explicit markers first', () => {
    expect(principalKindOf({ idtyp: 'app', name: 'Reporting App' })).toBe('service');
    expect(principalKindOf({ idtyp: 'user', azp: 'web' })).toBe('user');
    expect(principalKindOf({ gty: 'client-credentials', name: 'svc' })).toBe('service');
    expect(
      principalKindOf({ preferred_username: 'service-account-billing', client_id: 'billing' }),
    ).toBe('service');
  });

  it('defaults to user when nothing says otherwise', () => {
    expect(principalKindOf({ sub: 'x' })).toBe('user');
    expect(principalKindOf({ client_id: '' })).toBe('user');
  });
});

describe('principalNameOf', () => {
  it('picks the first present of preferred_username, name, email, client_id, clientId, azp, sub', () => {
    const all = {
      preferred_username: 'p',
      name: 'n',
      email: 'e',
      client_id: 'c',
      clientId: 'ci',
      azp: 'a',
    };
    expect(principalNameOf(all, 's')).toBe('p');
    expect(principalNameOf({ ...all, preferred_username: undefined }, 's')).toBe('n');
    expect(principalNameOf({ email: 'e', client_id: 'c' }, 's')).toBe('e');
    expect(principalNameOf({ client_id: 'c', azp: 'a' }, 's')).toBe('c');
    expect(principalNameOf({ clientId: 'ci', azp: 'a' }, 's')).toBe('ci');
    expect(principalNameOf({ azp: 'a' }, 's')).toBe('a');
    expect(principalNameOf({ name: 42 }, 's')).toBe('s');
  });
});

describe('identityFromClaims', () => {
  it('builds id, kind, name and roles', () => {
    expect(
      identityFromClaims(
        {
          iss: 'https://idp.example',
          sub: 'svc-7',
          azp: 'reporting',
          realm_access: { roles: ['auditor'] },
        },
        { rolesClaim: 'realm_access.roles', usernameClaim: 'preferred_username' },
      ),
    ).toEqual({
      id: 'svc-7',
      key: 'jwt:https://idp.example:svc-7',
      kind: 'service',
      name: 'reporting',
      roles: ['auditor'],
    });
  });

  // Changed on purpose (issue 13): the bound username no longer falls back to name/email.
  it('binds the username to the configured claim only, as given, with no fallback', () => {
    const names = { rolesClaim: 'roles', usernameClaim: 'preferred_username' };
    const of = (claims: Record<string, unknown>) =>
      identityFromClaims({ iss: 'https://idp.example', sub: 's', ...claims }, names);
    expect(of({ preferred_username: 'J.Silva', name: 'x' })).toMatchObject({
      name: 'J.Silva',
      username: 'J.Silva',
    });
    for (const claims of [
      { name: 'n', email: 'e@x' },
      { preferred_username: '' },
      { preferred_username: 7 },
    ]) {
      const identity = of(claims);
      expect(identity).not.toHaveProperty('username');
    }
    expect(of({ name: 'n' }).name).toBe('n'); // the display fallback stays
    const upn = identityFromClaims(
      { iss: 'i', sub: 's', upn: 'jsilva@corp', preferred_username: 'p' },
      { rolesClaim: 'roles', usernameClaim: 'upn' },
    );
    expect(upn.username).toBe('jsilva@corp');
    expect(
      identityFromClaims(
        { iss: 'i', sub: 's' },
        { rolesClaim: 'roles', usernameClaim: 'toString' },
      ),
    ).not.toHaveProperty('username');
  });
});
