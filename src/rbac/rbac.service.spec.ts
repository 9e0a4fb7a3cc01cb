import { Logger } from '@nestjs/common';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Principal } from '../auth/principal';
import type { AppConfig } from '../config/app-config';
import { RbacService } from './rbac.service';

Logger.overrideLogger(false);
const dir = mkdtempSync(join(tmpdir(), 'rbac-spec-'));
function serviceFor(policy: string): RbacService {
  const policyFile = join(dir, `${Math.random().toString(36).slice(2)}.yaml`);
  writeFileSync(policyFile, policy);
  return new RbacService({ rbac: { policyFile } } as AppConfig);
}
const who = (roles: string[]): Principal => ({
  id: 'p',
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

  it('ignores the resource for now', () => {
    expect(rbac.can(who(['session-viewer']), 'session:read', { sessionId: 'S-1' })).toBe(true);
    expect(rbac.can(who(['session-viewer']), 'session:terminate', { sessionId: 'S-1' })).toBe(
      false,
    );
  });

  it('lists a principal’s permissions in canonical order', () => {
    expect(rbac.permissionsOf(who(['auditor', 'session-operator']))).toEqual([
      'session:terminate',
      'session:read',
      'audit:read',
    ]);
    expect(rbac.permissionsOf(who(['nobody']))).toEqual([]);
  });

  it('requireReason defaults to false and follows the file', () => {
    expect(rbac.options).toEqual({ requireReason: false });
    expect(serviceFor(`${POLICY}options:\n  requireReason: true\n`).options.requireReason).toBe(
      true,
    );
  });

  it('refuses to start with an invalid policy', () => {
    expect(() => serviceFor('roles:\n  x: [everything]\n')).toThrow(
      /Invalid RBAC policy file .*unknown permission "everything"/s,
    );
  });
});
