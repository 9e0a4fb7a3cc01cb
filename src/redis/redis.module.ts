import { Module } from '@nestjs/common';
import { RedisClient } from './redis.client';
import { SharedCache } from './shared-cache';

/**
 * One Redis connection for the whole gateway (rate limits, caches, idempotency answers): the
 * modules that need it import this one, and Nest makes one instance of it for all of them.
 * SharedCache is the best-effort cache over it (session list, idempotency answers).
 */
@Module({
  providers: [RedisClient, SharedCache],
  exports: [RedisClient, SharedCache],
})
export class RedisModule {}
