import { Global, Module } from '@nestjs/common';
import { RedisModule } from '../redis';
import { IpRateLimitGuard } from './ip-rate-limit.guard';
import { PrincipalRateLimitGuard } from './principal-rate-limit.guard';
import { RateLimitService } from './rate-limit.service';

@Global()
@Module({
  imports: [RedisModule],
  providers: [RateLimitService, IpRateLimitGuard, PrincipalRateLimitGuard],
  exports: [RateLimitService, IpRateLimitGuard, PrincipalRateLimitGuard],
})
export class RateLimitModule {}
