import { z } from 'zod';
import { PERMISSIONS } from './permission';

/** A custom message for a wrong type only; other issues (unknown keys…) keep zod's own text. */
const typeError = (message: string) => ({
  error: (issue: { code?: string }) => (issue.code === 'invalid_type' ? message : undefined),
});

const permissionSchema = z.enum(PERMISSIONS, {
  error: (issue) =>
    `unknown permission ${JSON.stringify(issue.input)} (known: ${PERMISSIONS.join(', ')})`,
});

const rolesSchema = z.record(
  z.string().min(1, 'role names must not be empty'),
  z.array(permissionSchema, typeError('must be a list of permissions')),
  typeError('must be a mapping of role name to a list of permissions'),
);

const optionsSchema = z.strictObject(
  {
    requireReason: z.boolean(typeError('must be true or false')).optional(),
  },
  typeError('must be a mapping'),
);

/**
 * The RBAC policy file (design.md). Strict at every level so a typo is an error, not a
 * silently ignored rule. Later features add optional keys here (scoped rules, bulk limits);
 * existing keys never change meaning, so old files stay valid.
 */
export const policySchema = z.strictObject(
  {
    roles: rolesSchema,
    options: optionsSchema.optional(),
  },
  typeError('must be a mapping with a "roles" key'),
);

export type RbacPolicy = z.infer<typeof policySchema>;
