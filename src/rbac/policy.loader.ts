import { configFileError, readYamlFile } from '../config/config-file';
import { policySchema, type RbacPolicy } from './policy.schema';

/**
 * Reads and validates the RBAC policy (YAML, or JSON, which YAML also reads). Throws one Error
 * naming the file and each problem with its location, so a bad policy stops the gateway at
 * start instead of denying or allowing the wrong people later.
 */
export function loadPolicyFile(file: string): RbacPolicy {
  const what = { kind: 'RBAC policy file', variable: 'RBAC_POLICY_FILE' };
  const fail = (problems: string[]) => configFileError(what, file, problems);
  const data = readYamlFile(what, file);
  const parsed = policySchema.safeParse(data);
  if (!parsed.success) {
    throw fail(
      parsed.error.issues.map((issue) => {
        const where = issue.path.length ? issue.path.map(String).join('.') : '(top level)';
        return `${where}: ${issue.message}`;
      }),
    );
  }
  return parsed.data;
}
