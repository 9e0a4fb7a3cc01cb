import { CanActivate, ExecutionContext, Injectable, SetMetadata } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { getHttpRequest } from '../auth/request-context';
import { RateLimitService } from './rate-limit.service';

export const IP_LIMITED_KEY = 'pam-gateway:ip-limited';

/** Routes whose callers are counted per IP before authentication (terminations). */
export const IpRateLimited = () => SetMetadata(IP_LIMITED_KEY, true);

/** Runs before authentication, so a flood of bad tokens is cut before JWT verification. */
@Injectable()
export class IpRateLimitGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly limits: RateLimitService,
  ) {}

  async canActivate(ctx: ExecutionContext): Promise<boolean> {
    if (
      !this.reflector.getAllAndOverride<boolean>(IP_LIMITED_KEY, [ctx.getHandler(), ctx.getClass()])
    )
      return true;
    const req = getHttpRequest(ctx);
    await this.limits.consume('ip', req.ip ?? 'unknown');
    return true;
  }
}
