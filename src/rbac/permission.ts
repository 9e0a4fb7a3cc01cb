export const PERMISSIONS = ['session:terminate', 'session:read', 'audit:read'] as const;
export type Permission = (typeof PERMISSIONS)[number];
