import { Inject } from '@nestjs/common';
import { Query, Resolver } from '@nestjs/graphql';
import { RbacService } from '../rbac/rbac.service';
import { Authenticated } from '../rbac/require-permission.decorator';
import { SESSIONS_OPTIONS, type SessionsOptions } from '../sessions/sessions.options';
import { CurrentPrincipal } from './current-principal.decorator';
import { MeModel } from './models/me.model';
import type { Principal } from './principal';

@Resolver(() => MeModel)
export class MeResolver {
  constructor(
    private readonly rbac: RbacService,
    @Inject(SESSIONS_OPTIONS) private readonly options: SessionsOptions,
  ) {}

  @Query(() => MeModel, {
    description: 'Who you are and what you may do; needs a credential, no permission',
  })
  @Authenticated()
  me(@CurrentPrincipal() principal: Principal): MeModel {
    const permissions = this.rbac.permissionsOf(principal);
    return {
      id: principal.id,
      kind: principal.kind.toUpperCase(),
      name: principal.name,
      username: principal.username ?? null,
      roles: principal.roles,
      permissions,
      requireReason: this.options.requireReason,
      bulkMax: permissions.includes('session:terminate:bulk') ? null : this.options.bulkMax,
    };
  }
}
