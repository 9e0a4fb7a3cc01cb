/**
 * The first three, `metrics:read` for /metrics when METRICS_PUBLIC is false, and
 * `session:terminate:bulk`, which lifts the policy's per-request bulk maximum (`bulkMax`).
 */
export const PERMISSIONS = [
  'session:terminate',
  'session:read',
  'audit:read',
  'metrics:read',
  'session:terminate:bulk',
] as const;
export type Permission = (typeof PERMISSIONS)[number];

/** Permissions a policy rule may narrow with a `where` clause (session attributes). */
export const SCOPABLE_PERMISSIONS = ['session:terminate', 'session:read'] as const;
export type ScopablePermission = (typeof SCOPABLE_PERMISSIONS)[number];
