import { Global, Module } from '@nestjs/common';
import { IpRateLimitGuard } from './ip-rate-limit.guard';
import { RateLimitService } from './rate-limit.service';

@Global()
@Module({
  providers: [RateLimitService, IpRateLimitGuard],
  exports: [RateLimitService, IpRateLimitGuard],
})
export class RateLimitModule {}
