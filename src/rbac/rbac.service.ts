import { Inject, Injectable, Logger } from '@nestjs/common';
import type { Principal } from '../auth/principal';
import type { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';
import { type Permission, PERMISSIONS } from './permission';
import { loadPolicyFile } from './policy.loader';
import type { RbacPolicy } from './policy.schema';

export interface RbacOptions {
  requireReason: boolean;
}

/** Answers what a principal may do, from the policy file loaded once at start. Deny by default. */
@Injectable()
export class RbacService {
  private readonly logger = new Logger(RbacService.name);
  private readonly grants: ReadonlyMap<string, ReadonlySet<Permission>>;
  private readonly opts: Readonly<RbacOptions>;

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    const policy = loadPolicyFile(config.rbac.policyFile);
    this.grants = compile(policy);
    this.opts = Object.freeze({ requireReason: policy.options?.requireReason ?? false });
    this.logger.log(
      `RBAC policy loaded from ${config.rbac.policyFile}: ${this.grants.size} role(s)`,
    );
  }

  /**
   * True when one of the principal's roles grants the permission. Roles the policy does not
   * name grant nothing. `resource` is reserved for scoped rules and ignored for now.
   */
  can(principal: Principal, permission: Permission, _resource?: unknown): boolean {
    for (const role of principal.roles) {
      if (this.grants.get(role)?.has(permission)) return true;
    }
    return false;
  }

  /** Every permission the principal holds, in the canonical order of PERMISSIONS. */
  permissionsOf(principal: Principal): Permission[] {
    return PERMISSIONS.filter((p) => this.can(principal, p));
  }

  get options(): RbacOptions {
    return this.opts;
  }
}

// A Map (not the parsed object) so role names like "constructor" or "__proto__" grant nothing
// they were not given.
function compile(policy: RbacPolicy): ReadonlyMap<string, ReadonlySet<Permission>> {
  return new Map(Object.entries(policy.roles).map(([role, perms]) => [role, new Set(perms)]));
}
