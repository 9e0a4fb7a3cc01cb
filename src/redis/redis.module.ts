import { Global, Module } from '@nestjs/common';
import { RedisClient } from './redis.client';

/** One Redis connection for the whole gateway (rate limits, caches, idempotency answers). */
@Global()
@Module({
  providers: [RedisClient],
  exports: [RedisClient],
})
export class RedisModule {}
