import { Inject, Injectable, OnModuleDestroy } from '@nestjs/common';
import Redis from 'ioredis';
import { APP_CONFIG, AppConfig } from '../config';

/** Longest any Redis command may hold up a request; after that the caller goes on without it. */
export const REDIS_COMMAND_TIMEOUT_MS = 500;

/**
 * The gateway's one Redis connection (REDIS_URL), shared by rate limits, the session list cache
 * and idempotency answers, and closed once at shutdown. Absent without REDIS_URL: every user
 * then keeps its state in this replica's memory. Each user listens for 'error' and 'ready' on
 * `connection` itself, to log its own fallback once; the listener here only keeps ioredis from
 * reporting an unhandled error event when none is attached.
 */
@Injectable()
export class RedisClient implements OnModuleDestroy {
  /** The connection, or undefined when REDIS_URL is not set. */
  readonly connection?: Redis;
  /** REDIS_KEY_PREFIX, put before every key the gateway writes. */
  readonly keyPrefix: string;

  constructor(@Inject(APP_CONFIG) config: Pick<AppConfig, 'redisUrl' | 'redisKeyPrefix'>) {
    this.keyPrefix = config.redisKeyPrefix;
    if (!config.redisUrl) return;
    this.connection = new Redis(config.redisUrl, {
      // Fail at once while disconnected instead of queueing behind a reconnect.
      enableOfflineQueue: false,
      maxRetriesPerRequest: 1,
      connectTimeout: 2000,
      // A Redis that accepts connections but stops answering (frozen, overloaded) would
      // otherwise hold every request that uses it; a timed-out command falls back.
      commandTimeout: REDIS_COMMAND_TIMEOUT_MS,
      lazyConnect: false,
    });
    this.connection.on('error', () => undefined);
  }

  async onModuleDestroy(): Promise<void> {
    this.connection?.disconnect();
  }
}
