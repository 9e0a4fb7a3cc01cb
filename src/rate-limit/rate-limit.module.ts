import { Global, Module } from '@nestjs/common';
import { IpRateLimitGuard } from './ip-rate-limit.guard';
import { PrincipalRateLimitGuard } from './principal-rate-limit.guard';
import { RateLimitService } from './rate-limit.service';

@Global()
@Module({
  providers: [RateLimitService, IpRateLimitGuard, PrincipalRateLimitGuard],
  exports: [RateLimitService, IpRateLimitGuard, PrincipalRateLimitGuard],
})
export class RateLimitModule {}
