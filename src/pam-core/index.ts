export { PamCoreModule } from './pam-core.module';
export { PamCoreClient } from './pam-core.client';
export { SESSION_ID_PATTERN, isValidSessionId } from './session-id';
export { PAM_CORE_POLICY_OPTIONS } from './pam-core.policy';
export type { PamCorePolicyOptions } from './pam-core.policy';
export { PAM_CORE_OBSERVER } from './pam-core.observer';
export type { PamCoreObserver, CircuitState, UpstreamResultCode } from './pam-core.observer';
export type { RemoteSession, TerminateResult } from './pam-core.types';
