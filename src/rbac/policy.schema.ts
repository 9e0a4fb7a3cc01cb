import { z } from 'zod';
import { hasUnknownPlaceholder, MAX_PATTERN_LENGTH, PLACEHOLDERS } from './glob';
import { PERMISSIONS, SCOPABLE_PERMISSIONS, type ScopablePermission } from './permission';

/** A custom message for a wrong type only; other issues (unknown keys…) keep zod's own text. */
const typeError = (message: string) => ({
  error: (issue: { code?: string }) => (issue.code === 'invalid_type' ? message : undefined),
});

const permissionSchema = z.enum(PERMISSIONS, {
  error: (issue) =>
    `unknown permission ${JSON.stringify(issue.input)} (known: ${PERMISSIONS.join(', ')})`,
});

const patternSchema = z
  .string(typeError('must be a pattern (text with * and ?)'))
  .min(1, 'must not be empty')
  .max(MAX_PATTERN_LENGTH, `must be at most ${MAX_PATTERN_LENGTH} characters`)
  .refine(
    (p) => !hasUnknownPlaceholder(p),
    `the only placeholders are ${PLACEHOLDERS.join(' and ')}`,
  );

// One pattern or a list of them (any may match).
const patternsSchema = z.preprocess(
  (v) => (typeof v === 'string' ? [v] : v),
  z
    .array(patternSchema, typeError('must be a pattern or a list of patterns'))
    .min(1, 'must list at least one pattern'),
);

/** Session attributes a rule can be narrowed by; several keys must all match. */
export const WHERE_KEYS = ['protocol', 'device', 'credential', 'user'] as const;
export type WhereKey = (typeof WHERE_KEYS)[number];

const whereSchema = z
  .strictObject(
    {
      protocol: patternsSchema.optional(),
      device: patternsSchema.optional(),
      credential: patternsSchema.optional(),
      user: patternsSchema.optional(),
    },
    typeError(`must be a mapping of ${WHERE_KEYS.join(', ')} to patterns`),
  )
  .refine((w) => Object.values(w).some((v) => v !== undefined), {
    message: `must name at least one of ${WHERE_KEYS.join(', ')}`,
  });

const scopedRuleSchema = z.strictObject(
  {
    permission: z.enum(SCOPABLE_PERMISSIONS, {
      error: (issue) =>
        `only ${SCOPABLE_PERMISSIONS.join(' and ')} can be scoped, not ${JSON.stringify(issue.input)}`,
    }),
    where: whereSchema,
    /** Match this rule's patterns with exact case (those with `${principal.name}` always do). */
    caseSensitive: z.boolean(typeError('must be true or false')).optional(),
  },
  typeError('must be a permission or a {permission, where} rule'),
);

export type ScopedRule = {
  permission: ScopablePermission;
  where: Partial<Record<WhereKey, string[]>>;
  caseSensitive?: boolean;
};
export type Grant = z.infer<typeof permissionSchema> | ScopedRule;

// Dispatch by shape instead of z.union, so a mistyped permission keeps its precise message.
const grantSchema = z.unknown().transform((value, ctx): Grant => {
  const parsed =
    typeof value === 'string'
      ? permissionSchema.safeParse(value)
      : scopedRuleSchema.safeParse(value);
  if (parsed.success) return parsed.data;
  for (const issue of parsed.error.issues) {
    ctx.addIssue({ code: 'custom', message: issue.message, path: issue.path });
  }
  return z.NEVER;
});

const rolesSchema = z.record(
  z.string().min(1, 'role names must not be empty'),
  z.array(grantSchema, typeError('must be a list of permissions')),
  typeError('must be a mapping of role name to a list of permissions'),
);

const optionsSchema = z.strictObject(
  {
    requireReason: z.boolean(typeError('must be true or false')).optional(),
    /** Most sessions one bulk request may end without `session:terminate:bulk`. */
    bulkMax: z
      .number(typeError('must be a whole number from 1 to 10000'))
      .int('must be a whole number from 1 to 10000')
      .min(1, 'must be a whole number from 1 to 10000')
      .max(10000, 'must be a whole number from 1 to 10000')
      .optional(),
    /** Look the session up after every successful drop too, and record what was seen. */
    verifyAfterSuccess: z.boolean(typeError('must be true or false')).optional(),
  },
  typeError('must be a mapping'),
);

/**
 * The RBAC policy file (docs/configuration.md). Strict at every level so a typo is an error, not a
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
