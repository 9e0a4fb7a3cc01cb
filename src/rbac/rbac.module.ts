import { Module, type Provider } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { RbacGuard } from './rbac.guard';
import { RbacService } from './rbac.service';

/** Authorization: the policy file and the guard that enforces it. Needs ConfigModule.forRoot. */
@Module({
  providers: [RbacService, RbacGuard],
  exports: [RbacService, RbacGuard],
})
export class RbacModule {}

/** Registers the module's RbacGuard globally; list it after AUTH_GUARD_PROVIDERS. */
export const RBAC_GUARD_PROVIDERS: Provider[] = [{ provide: APP_GUARD, useExisting: RbacGuard }];
