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

  it('reads the design.md YAML form', () => {
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
