import { Module } from '@nestjs/common';
import { DatabaseModule } from '../database/database.module';
import { RedisModule } from '../redis';
import { IdempotencyRepository } from './idempotency.repository';

/**
 * Stored answers for Idempotency-Key retries: its own table (migration 0003) on the shared
 * gateway database (DatabaseModule), with the shared Redis cache in front.
 */
@Module({
  imports: [DatabaseModule, RedisModule],
  providers: [IdempotencyRepository],
  exports: [IdempotencyRepository],
})
export class IdempotencyModule {}
