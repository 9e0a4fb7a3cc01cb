import { Inject, Injectable, Logger } from '@nestjs/common';
import type { Principal } from '../auth/principal';
import type { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';
import { type Permission, PERMISSIONS } from './permission';
import type { RbacPolicy, ScopedRule } from './policy.schema';
import { RBAC_POLICY } from './rbac.policy';
import {
  NOTHING,
  scopeFromRules,
  UNRESTRICTED,
  type SessionAttributes,
  type SessionScope,
} from './session-scope';

interface RoleGrants {
  unscoped: ReadonlySet<Permission>;
  scoped: ReadonlyMap<Permission, readonly ScopedRule[]>;
}

/** Answers what a principal may do, from the policy file loaded once at start. Deny by default. */
@Injectable()
export class RbacService {
  private readonly logger = new Logger(RbacService.name);
  private readonly grants: ReadonlyMap<string, RoleGrants>;

  constructor(@Inject(APP_CONFIG) config: AppConfig, @Inject(RBAC_POLICY) policy: RbacPolicy) {
    this.grants = compile(policy);
    this.logger.log(
      `RBAC policy loaded from ${config.rbac.policyFile}: ${this.grants.size} role(s)`,
    );
  }

  /**
   * True when one of the principal's roles grants the permission. Without a resource, a grant
   * in any scope counts (the guard lets the request reach the service, which then checks the
   * session); with a session, an unscoped grant or a matching scoped rule is needed.
   */
  can(principal: Principal, permission: Permission, resource?: SessionAttributes): boolean {
    const scope = this.scopeOf(principal, permission);
    return resource === undefined ? scope.any : scope.allows(resource);
  }

  /** The principal's reach for a permission, compiled once (e.g. to filter a whole list). */
  scopeOf(principal: Principal, permission: Permission): SessionScope {
    const rules: ScopedRule[] = [];
    for (const role of principal.roles) {
      const g = this.grants.get(role);
      if (!g) continue;
      // An unscoped grant wins over any scoped rule.
      if (g.unscoped.has(permission)) return UNRESTRICTED;
      rules.push(...(g.scoped.get(permission) ?? []));
    }
    return rules.length === 0 ? NOTHING : scopeFromRules(rules, principal);
  }

  /** Every permission the principal holds (in any scope), in the canonical order of PERMISSIONS. */
  permissionsOf(principal: Principal): Permission[] {
    return PERMISSIONS.filter((p) => this.can(principal, p));
  }
}

// A Map (not the parsed object) so role names like "constructor" or "__proto__" grant nothing
// they were not given.
function compile(policy: RbacPolicy): ReadonlyMap<string, RoleGrants> {
  return new Map(
    Object.entries(policy.roles).map(([role, list]) => {
      const unscoped = new Set<Permission>();
      const scoped = new Map<Permission, ScopedRule[]>();
      for (const grant of list) {
        if (typeof grant === 'string') unscoped.add(grant);
        else scoped.set(grant.permission, [...(scoped.get(grant.permission) ?? []), grant]);
      }
      return [role, { unscoped, scoped }];
    }),
  );
}
