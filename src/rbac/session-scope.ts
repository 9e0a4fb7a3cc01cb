import type { Principal } from '../auth/principal';
import { compileGlob, type GlobMatcher, matchesAny, usesPrincipalName } from './glob';
import type { ScopedRule, WhereKey } from './policy.schema';

/** What a scoped rule can see of a session (Segura's list fields, normalised). */
export interface SessionAttributes {
  protocol?: string | null;
  /** "host:port" as Segura gives it. */
  device?: string | null;
  /** The host part of `device`; a device pattern may match either. */
  deviceHost?: string | null;
  credential?: string | null;
  /** Segura's user name of whoever opened the session. */
  user?: string | null;
}

/** A caller's reach for one permission: everything, nothing, or the sessions some rule matches. */
export interface SessionScope {
  /** True when an unscoped grant applies: no lookup is needed to decide. */
  readonly unrestricted: boolean;
  /** True when the caller holds the permission in at least one scope. */
  readonly any: boolean;
  allows(session: SessionAttributes): boolean;
}

export const UNRESTRICTED: SessionScope = { unrestricted: true, any: true, allows: () => true };
export const NOTHING: SessionScope = { unrestricted: false, any: false, allows: () => false };

type CompiledWhere = Array<[WhereKey, GlobMatcher[]]>;

/** The rules of one permission, compiled for one caller (placeholders filled in). */
export function scopeFromRules(rules: readonly ScopedRule[], principal: Principal): SessionScope {
  if (rules.length === 0) return NOTHING;
  // Only the bound username (AUTH_USERNAME_CLAIM), never the display name.
  const values = { name: principal.username, id: principal.id };
  const compiled: CompiledWhere[] = rules.map((rule) =>
    Object.entries(rule.where)
      .filter((e): e is [WhereKey, string[]] => e[1] !== undefined)
      .map(([key, patterns]) => [
        key,
        patterns.map((p) =>
          compileGlob(p, values, {
            // A user name binds one account: `admin` must not reach `Admin`'s sessions.
            caseSensitive: rule.caseSensitive === true || usesPrincipalName(p),
          }),
        ),
      ]),
  );
  return {
    unrestricted: false,
    any: true,
    // Rules OR together; the keys of one rule AND together.
    allows: (session) =>
      compiled.some((where) => where.every(([k, globs]) => matches(k, globs, session))),
  };
}

function matches(key: WhereKey, patterns: GlobMatcher[], s: SessionAttributes): boolean {
  switch (key) {
    case 'device':
      return matchesAny(patterns, s.device) || matchesAny(patterns, s.deviceHost);
    case 'protocol':
    case 'credential':
    case 'user':
      return matchesAny(patterns, s[key]);
  }
}
