import { configFileError, readYamlFile } from '../config/config-file';
import { z } from 'zod';

/** One service key as configured: the key itself is never stored, only its SHA-256. */
export interface ApiKeyEntry {
  id: string;
  /** Lowercase hex SHA-256 of the key. */
  sha256: string;
  roles: string[];
}

const entrySchema = z.strictObject({
  id: z
    .string({ error: 'must be a string' })
    .regex(
      /^[A-Za-z0-9][A-Za-z0-9._:@-]{0,127}$/,
      'must be 1-128 letters, digits or ._:@- (no spaces)',
    ),
  sha256: z
    .string({ error: 'must be a string' })
    .regex(/^[0-9a-fA-F]{64}$/, 'must be the hex SHA-256 of the key (64 hex digits)')
    .transform((v) => v.toLowerCase()),
  roles: z.array(z.string({ error: 'must be a string' }).min(1, 'must not be empty'), {
    error: 'must be a list of role names',
  }),
});

const fileSchema = z
  .array(entrySchema, {
    error: (issue) =>
      issue.code === 'invalid_type' ? 'must be a list of {id, sha256, roles} entries' : undefined,
  })
  .superRefine((entries, ctx) => {
    const ids = new Set<string>();
    const hashes = new Set<string>();
    entries.forEach((e, i) => {
      if (ids.has(e.id))
        ctx.addIssue({ code: 'custom', path: [i, 'id'], message: `duplicate id "${e.id}"` });
      if (hashes.has(e.sha256)) {
        ctx.addIssue({
          code: 'custom',
          path: [i, 'sha256'],
          message: 'the same key hash appears twice',
        });
      }
      ids.add(e.id);
      hashes.add(e.sha256);
    });
  });

/**
 * Reads and validates the service keys file (YAML or JSON). Throws one Error naming the file
 * and every problem, so a bad file stops the gateway at start instead of failing later.
 */
export function loadApiKeysFile(file: string): ApiKeyEntry[] {
  const what = { kind: 'API keys file', variable: 'AUTH_API_KEYS_FILE' };
  const fail = (problems: string[]) => configFileError(what, file, problems);
  const data = readYamlFile(what, file);
  const parsed = fileSchema.safeParse(data ?? []);
  if (!parsed.success) {
    throw fail(
      parsed.error.issues.map(
        (i) => `${i.path.length ? `[${i.path.map(String).join('].[')}]` : '(file)'}: ${i.message}`,
      ),
    );
  }
  return parsed.data;
}
