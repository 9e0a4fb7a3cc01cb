import { Logger } from '@nestjs/common';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Principal } from '../auth/principal';
import type { AppConfig } from '../config/app-config';
import { loadPolicyFile } from './policy.loader';
import { RbacService } from './rbac.service';

Logger.overrideLogger(false);
const dir = mkdtempSync(join(tmpdir(), 'rbac-spec-'));
function serviceFor(policy: string): RbacService {
  const policyFile = join(dir, `${Math.random().toString(36).slice(2)}.yaml`);
  writeFileSync(policyFile, policy);
  return new RbacService({ rbac: { policyFile } } as AppConfig, loadPolicyFile(policyFile));
}
const who = (roles: string[]): Principal => ({
  id: 'p',
  key: 'jwt:https://idp.example:p',
  kind: 'user',
  name: 'p',
  roles,
  ip: '127.0.0.1',
});

const POLICY = `roles:
  session-operator: [session:terminate, session:read]
  session-viewer: [session:read]
  auditor: [audit:read]
  empty: []
`;

describe('RbacService', () => {
  const rbac = serviceFor(POLICY);

  it('grants what one of the roles grants', () => {
    expect(rbac.can(who(['session-viewer']), 'session:read')).toBe(true);
    expect(rbac.can(who(['auditor', 'session-operator']), 'session:terminate')).toBe(true);
  });

  it('denies by default: no roles, unknown roles, roles without the permission', () => {
    expect(rbac.can(who([]), 'session:read')).toBe(false);
    expect(rbac.can(who(['admin', 'root', 'Session-Operator']), 'session:terminate')).toBe(false);
    expect(rbac.can(who(['session-viewer', 'empty']), 'session:terminate')).toBe(false);
  });

  it('grants nothing through role names that exist on every object', () => {
    for (const role of ['constructor', '__proto__', 'toString', 'hasOwnProperty']) {
      expect(rbac.can(who([role]), 'session:read')).toBe(false);
    }
  });

  it('lets an unscoped grant cover every session', () => {
    const dc = { protocol: 'rdp', device: 'dc01.corp.local:3389', user: 'x', credential: 'y' };
    expect(rbac.can(who(['session-viewer']), 'session:read', dc)).toBe(true);
    expect(rbac.can(who(['session-viewer']), 'session:terminate', dc)).toBe(false);
    expect(rbac.scopeOf(who(['session-operator']), 'session:terminate').unrestricted).toBe(true);
  });

  it('lists a principal’s permissions in canonical order', () => {
    expect(rbac.permissionsOf(who(['auditor', 'session-operator']))).toEqual([
      'session:terminate',
      'session:read',
      'audit:read',
    ]);
    expect(rbac.permissionsOf(who(['nobody']))).toEqual([]);
  });

  it('refuses to start with an invalid policy', () => {
    expect(() => serviceFor('roles:\n  x: [everything]\n')).toThrow(
      /Invalid RBAC policy file .*unknown permission "everything"/s,
    );
  });
});

describe('RbacService scoped rules', () => {
  const rbac = serviceFor(`roles:
  session-operator: [session:terminate, session:read]
  dc-team:
    - permission: session:terminate
      where: { protocol: [rdp], device: "dc*.corp.local:*" }
    - permission: session:read
      where: { device: "dc*.corp.local" }
  ssh-team:
    - permission: session:terminate
      where: { protocol: ssh }
    - permission: session:terminate
      where: { credential: "svc-?" }
  self-service:
    - permission: session:terminate
      where: { user: "\${principal.name}" }
  ops-exact:
    - permission: session:terminate
      where: { user: "Ops-*" }
      caseSensitive: true
`);
  const dc = { protocol: 'RDP', device: 'DC01.corp.local:3389', deviceHost: 'DC01.corp.local' };

  it('needs every key of a rule to match, ignoring case', () => {
    expect(rbac.can(who(['dc-team']), 'session:terminate', dc)).toBe(true);
    expect(rbac.can(who(['dc-team']), 'session:terminate', { ...dc, protocol: 'ssh' })).toBe(false);
    expect(
      rbac.can(who(['dc-team']), 'session:terminate', { ...dc, device: 'web01.corp.local:3389' }),
    ).toBe(false);
  });

  it('matches a device pattern against host:port or the host alone', () => {
    expect(rbac.can(who(['dc-team']), 'session:read', dc)).toBe(true);
    expect(rbac.can(who(['dc-team']), 'session:read', { device: 'dc9.corp.local:22' })).toBe(false);
    expect(
      rbac.can(who(['dc-team']), 'session:read', {
        device: 'dc9.corp.local:22',
        deviceHost: 'dc9.corp.local',
      }),
    ).toBe(true);
  });

  it('ORs several rules for one permission; ? is exactly one character', () => {
    const team = who(['ssh-team']);
    expect(rbac.can(team, 'session:terminate', { protocol: 'ssh' })).toBe(true);
    expect(rbac.can(team, 'session:terminate', { protocol: 'rdp', credential: 'svc-1' })).toBe(
      true,
    );
    expect(rbac.can(team, 'session:terminate', { protocol: 'rdp', credential: 'svc-12' })).toBe(
      false,
    );
    expect(rbac.can(team, 'session:terminate', { protocol: null })).toBe(false);
  });

  // Changed on purpose (issue 13): the placeholder binds the username only, with exact case;
  // `admin-x` used to reach `ADMIN-X`'s sessions and the display name used to be bound.
  it("fills ${principal.name} with the caller's username, literally and with exact case", () => {
    const self = (username: string): Principal => ({ ...who(['self-service']), username });
    expect(rbac.can(self('admin-x'), 'session:terminate', { user: 'admin-x' })).toBe(true);
    expect(rbac.can(self('admin-x'), 'session:terminate', { user: 'ADMIN-X' })).toBe(false);
    expect(rbac.can(self('admin-x'), 'session:terminate', { user: 'admin-y' })).toBe(false);
    expect(rbac.can(self('*'), 'session:terminate', { user: 'admin-y' })).toBe(false);
  });

  it('binds nothing to ${principal.name} for a caller without a username (no fallback to name)', () => {
    const display = { ...who(['self-service']), name: 'admin-x' };
    expect(rbac.can(display, 'session:terminate', { user: 'admin-x' })).toBe(false);
    expect(rbac.scopeOf(display, 'session:terminate').allows({ user: 'admin-x' })).toBe(false);
  });

  it('matches a caseSensitive rule with exact case; other rules still ignore case', () => {
    expect(rbac.can(who(['ops-exact']), 'session:terminate', { user: 'Ops-db' })).toBe(true);
    expect(rbac.can(who(['ops-exact']), 'session:terminate', { user: 'ops-db' })).toBe(false);
    expect(rbac.can(who(['ssh-team']), 'session:terminate', { protocol: 'SSH' })).toBe(true);
  });

  it('counts a scoped grant as holding the permission when no session is given', () => {
    expect(rbac.can(who(['dc-team']), 'session:terminate')).toBe(true);
    expect(rbac.can(who(['dc-team']), 'audit:read')).toBe(false);
    const scope = rbac.scopeOf(who(['dc-team']), 'session:terminate');
    expect(scope).toMatchObject({ unrestricted: false, any: true });
  });

  it('lets an unscoped grant win over scoped rules of another role', () => {
    const both = who(['dc-team', 'session-operator']);
    expect(rbac.can(both, 'session:terminate', { protocol: 'ssh', device: 'x:22' })).toBe(true);
  });
});
