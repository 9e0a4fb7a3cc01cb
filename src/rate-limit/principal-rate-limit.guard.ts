import { CanActivate, ExecutionContext, Injectable, SetMetadata } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { getHttpRequest } from '../auth/request-context';
import { type RateLimitScope, RateLimitService } from './rate-limit.service';

export const PRINCIPAL_LIMIT_KEY = 'pam-gateway:principal-limit';

/** The per-principal allowance an operation draws on. */
export type PrincipalLimit = 'terminations' | 'reads';

const SCOPE: Record<PrincipalLimit, RateLimitScope> = { terminations: 'principal', reads: 'reads' };

/** Counts every attempt of this route against the caller's allowance for that kind of operation. */
export const LimitedPerPrincipal = (limit: PrincipalLimit) =>
  SetMetadata(PRINCIPAL_LIMIT_KEY, limit);

/**
 * Runs after authentication and before RBAC, parsing and any audit write: an attempt counts
 * whether it is then allowed, denied or refused as invalid, and one over the limit leaves no
 * record, so a flooding caller can neither fill the audit log nor reach Segura.
 */
@Injectable()
export class PrincipalRateLimitGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly limits: RateLimitService,
  ) {}

  async canActivate(ctx: ExecutionContext): Promise<boolean> {
    const limit = this.reflector.getAllAndOverride<PrincipalLimit | undefined>(
      PRINCIPAL_LIMIT_KEY,
      [ctx.getHandler(), ctx.getClass()],
    );
    // No principal: a public route, or AuthGuard missing (RbacGuard refuses that case).
    const principal = limit ? getHttpRequest(ctx)?.principal : undefined;
    if (!limit || !principal) return true;
    await this.limits.consume(SCOPE[limit], principal.key);
    return true;
  }
}
