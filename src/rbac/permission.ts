/** The design's three, plus `metrics:read` for /metrics when METRICS_PUBLIC is false. */
export const PERMISSIONS = [
  'session:terminate',
  'session:read',
  'audit:read',
  'metrics:read',
] as const;
export type Permission = (typeof PERMISSIONS)[number];
