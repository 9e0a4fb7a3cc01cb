import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { policySchema, type RbacPolicy } from './policy.schema';

/**
 * Reads and validates the RBAC policy (YAML, or JSON, which YAML also reads). Throws one Error
 * naming the file and each problem with its location, so a bad policy stops the gateway at
 * start instead of denying or allowing the wrong people later.
 */
export function loadPolicyFile(file: string): RbacPolicy {
  const fail = (problems: string[]) =>
    new Error(
      `Invalid RBAC policy file ${file} (RBAC_POLICY_FILE):\n${problems.map((p) => `  - ${p}`).join('\n')}`,
    );
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw fail([`cannot be read: ${(err as NodeJS.ErrnoException).code ?? String(err)}`]);
  }
  let data: unknown;
  try {
    data = parse(text);
  } catch (err) {
    throw fail([
      `is not valid YAML/JSON: ${err instanceof Error ? err.message.split('\n')[0] : String(err)}`,
    ]);
  }
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
