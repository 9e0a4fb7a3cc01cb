import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PERMISSIONS } from './permission';
import { loadPolicyFile } from './policy.loader';

const dir = mkdtempSync(join(tmpdir(), 'policy-spec-'));
function file(name: string, contents: string): string {
  const path = join(dir, name);
  writeFileSync(path, contents);
  return path;
}
function problemsOf(path: string): string[] {
  try {
    loadPolicyFile(path);
  } catch (err) {
    const [head, ...problems] = (err as Error).message.split('\n');
    expect(head).toBe(`Invalid RBAC policy file ${path} (RBAC_POLICY_FILE):`);
    return problems.map((p) => p.replace(/^ {2}- /, ''));
  }
  throw new Error('expected the policy to be refused');
}

describe('loadPolicyFile', () => {
  const expected = {
    roles: { 'session-operator': ['session:terminate', 'session:read'], auditor: ['audit:read'] },
    options: { requireReason: true },
  };

  it('reads the documented YAML form', () => {
    const path = file(
      'policy.yaml',
      'roles:\n  session-operator: [session:terminate, session:read]\n  auditor:\n    - audit:read\noptions:\n  requireReason: true\n',
    );
    expect(loadPolicyFile(path)).toEqual(expected);
  });

  it('reads the same policy as JSON', () => {
    expect(loadPolicyFile(file('policy.json', JSON.stringify(expected)))).toEqual(expected);
  });

  it('needs no options, and allows a role that grants nothing', () => {
    expect(loadPolicyFile(file('min.yaml', 'roles:\n  nobody: []\n'))).toEqual({
      roles: { nobody: [] },
    });
  });

  it('lists every problem with its location', () => {
    const path = file(
      'bad.yaml',
      'roles:\n  viewer: [session:read, session:kill]\n  admin: "*"\n' +
        'options:\n  requireReason: "yes"\n  bulkLimit: 5\nscopes: {}\n',
    );
    expect(problemsOf(path)).toEqual([
      `roles.viewer.1: unknown permission "session:kill" (known: ${PERMISSIONS.join(', ')})`,
      'roles.admin: must be a list of permissions',
      'options.requireReason: must be true or false',
      'options: Unrecognized key: "bulkLimit"',
      '(top level): Unrecognized key: "scopes"',
    ]);
  });

  it('reads scoped rules mixed with plain permissions, a single pattern becoming a list', () => {
    const path = file(
      'scoped.yaml',
      'roles:\n  dc-team:\n    - session:read\n    - permission: session:terminate\n' +
        '      where: { protocol: rdp, device: ["dc*.corp.local:*"] }\n' +
        '  self:\n    - { permission: session:terminate, where: { user: "${principal.name}" } }\n' +
        '    - { permission: session:read, where: { user: Ops-* }, caseSensitive: true }\n' +
        'options:\n  bulkMax: 10\n  verifyAfterSuccess: true\n',
    );
    expect(loadPolicyFile(path)).toEqual({
      roles: {
        'dc-team': [
          'session:read',
          {
            permission: 'session:terminate',
            where: { protocol: ['rdp'], device: ['dc*.corp.local:*'] },
          },
        ],
        self: [
          { permission: 'session:terminate', where: { user: ['${principal.name}'] } },
          { permission: 'session:read', where: { user: ['Ops-*'] }, caseSensitive: true },
        ],
      },
      options: { bulkMax: 10, verifyAfterSuccess: true },
    });
  });

  it('names every problem of a scoped rule', () => {
    const path = file(
      'badscope.yaml',
      'roles:\n  x:\n    - { permission: audit:read, where: { user: a } }\n' +
        '    - { permission: session:read, where: {} }\n' +
        '    - { permission: session:read, where: { host: a, user: "${principal.email}" } }\n' +
        '    - 42\n    - { permission: session:read, where: { user: a }, caseSensitive: "yes" }\n' +
        'options:\n  bulkMax: 0\n',
    );
    expect(problemsOf(path)).toEqual([
      'roles.x.0.permission: only session:terminate and session:read can be scoped, not "audit:read"',
      'roles.x.1.where: must name at least one of protocol, device, credential, user',
      'roles.x.2.where.user.0: the only placeholders are ${principal.name} and ${principal.id}',
      'roles.x.2.where: Unrecognized key: "host"',
      'roles.x.3: must be a permission or a {permission, where} rule',
      'roles.x.4.caseSensitive: must be true or false',
      'options.bulkMax: must be a whole number from 1 to 10000',
    ]);
  });

  it('needs a roles mapping', () => {
    expect(problemsOf(file('noroles.yaml', 'options: {}\n'))).toEqual([
      'roles: must be a mapping of role name to a list of permissions',
    ]);
    expect(problemsOf(file('empty.yaml', ''))).toEqual([
      '(top level): must be a mapping with a "roles" key',
    ]);
    expect(problemsOf(file('list.yaml', '- session:read\n'))).toEqual([
      '(top level): must be a mapping with a "roles" key',
    ]);
  });

  it('refuses YAML it cannot parse, duplicate keys included', () => {
    expect(problemsOf(file('broken.yaml', 'roles: [unclosed\n'))[0]).toMatch(
      /^is not valid YAML\/JSON: /,
    );
    expect(problemsOf(file('dup.yaml', 'roles:\n  a: []\n  a: [session:read]\n'))[0]).toMatch(
      /unique/,
    );
  });

  it('says when the file cannot be read', () => {
    expect(problemsOf(join(dir, 'absent.yaml'))).toEqual(['cannot be read: ENOENT']);
  });
});
