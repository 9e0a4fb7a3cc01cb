import { Module, type Provider } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { RbacGuard } from './rbac.guard';
import { RBAC_POLICY, RBAC_POLICY_PROVIDER } from './rbac.policy';
import { RbacService } from './rbac.service';

/**
 * Authorization: the policy file and the guard that enforces it. Needs ConfigModule.forRoot.
 * Exports the loaded policy too, for the sessions options it also holds (sessions.options.ts).
 */
@Module({
  providers: [RBAC_POLICY_PROVIDER, RbacService, RbacGuard],
  exports: [RBAC_POLICY, RbacService, RbacGuard],
})
export class RbacModule {}

/** Registers the module's RbacGuard globally; list it after AUTH_GUARD_PROVIDERS. */
export const RBAC_GUARD_PROVIDERS: Provider[] = [{ provide: APP_GUARD, useExisting: RbacGuard }];
