import { Module } from '@nestjs/common';
import { RedisClient } from './redis.client';

/**
 * One Redis connection for the whole gateway (rate limits, caches, idempotency answers): the
 * modules that need it import this one, and Nest makes one instance of it for all of them.
 */
@Module({
  providers: [RedisClient],
  exports: [RedisClient],
})
export class RedisModule {}
