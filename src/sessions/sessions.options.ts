import type { Provider } from '@nestjs/common';
import type { RbacPolicy } from '../rbac/policy.schema';
import { RBAC_POLICY } from '../rbac/rbac.policy';

/** How terminations behave, from the policy file's `options` (not RBAC grants). */
export interface SessionsOptions {
  /** A termination without a reason is INVALID_INPUT. */
  requireReason: boolean;
  /** Most sessions one bulk request may end without `session:terminate:bulk`. */
  bulkMax: number;
  /** Look sessions up after successful drops too. */
  verifyAfterSuccess: boolean;
}

export const DEFAULT_BULK_MAX = 25;

export const SESSIONS_OPTIONS = Symbol('SESSIONS_OPTIONS');

export function sessionsOptionsOf(policy: RbacPolicy): Readonly<SessionsOptions> {
  return Object.freeze({
    requireReason: policy.options?.requireReason ?? false,
    bulkMax: policy.options?.bulkMax ?? DEFAULT_BULK_MAX,
    verifyAfterSuccess: policy.options?.verifyAfterSuccess ?? false,
  });
}

export const SESSIONS_OPTIONS_PROVIDER: Provider = {
  provide: SESSIONS_OPTIONS,
  useFactory: sessionsOptionsOf,
  inject: [RBAC_POLICY],
};
