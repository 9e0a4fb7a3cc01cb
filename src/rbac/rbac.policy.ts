import type { Provider } from '@nestjs/common';
import type { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';
import { loadPolicyFile } from './policy.loader';

/** The policy file (RBAC_POLICY_FILE), loaded and validated once at start. */
export const RBAC_POLICY = Symbol('RBAC_POLICY');

export const RBAC_POLICY_PROVIDER: Provider = {
  provide: RBAC_POLICY,
  useFactory: (config: AppConfig) => loadPolicyFile(config.rbac.policyFile),
  inject: [APP_CONFIG],
};
