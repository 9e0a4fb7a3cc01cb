import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadPolicyFile } from '../rbac/policy.loader';
import { sessionsOptionsOf } from './sessions.options';

const dir = mkdtempSync(join(tmpdir(), 'sessions-options-spec-'));
function optionsFor(policy: string) {
  const policyFile = join(dir, `${Math.random().toString(36).slice(2)}.yaml`);
  writeFileSync(policyFile, policy);
  return sessionsOptionsOf(loadPolicyFile(policyFile));
}

const POLICY = `roles:
  session-operator: [session:terminate, session:read]
`;

describe("sessions options (the policy file's `options`)", () => {
  it('options default to requireReason false, bulkMax 25, no verification after success', () => {
    expect(optionsFor(POLICY)).toEqual({
      requireReason: false,
      bulkMax: 25,
      verifyAfterSuccess: false,
    });
    expect(optionsFor(`${POLICY}options:\n  bulkMax: 3\n  verifyAfterSuccess: true\n`)).toEqual({
      requireReason: false,
      bulkMax: 3,
      verifyAfterSuccess: true,
    });
    expect(optionsFor(`${POLICY}options:\n  requireReason: true\n`).requireReason).toBe(true);
  });

  it('are frozen', () => {
    expect(Object.isFrozen(optionsFor(POLICY))).toBe(true);
  });
});
