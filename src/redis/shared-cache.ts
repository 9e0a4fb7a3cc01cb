import { Injectable, Logger } from '@nestjs/common';
import type Redis from 'ioredis';
import { RedisClient } from './redis.client';

/**
 * Redis as an optional, shared, fast layer (session list, idempotency answers) when REDIS_URL is
 * set. Every method swallows failures: an unreachable or slow Redis degrades to per-replica
 * behaviour and a warning, never to an error or a hang (each command waits at most
 * REDIS_COMMAND_TIMEOUT_MS). Keys get REDIS_KEY_PREFIX. The connection is the shared RedisClient.
 */
@Injectable()
export class SharedCache {
  private readonly logger = new Logger('SharedCache');
  private readonly redis?: Redis;
  private readonly prefix: string;
  private downLogged = false;

  constructor(redis: RedisClient) {
    this.prefix = redis.keyPrefix;
    this.redis = redis.connection;
    if (!this.redis) return;
    this.redis.on('error', (err: Error) => this.noteDown(err));
    this.redis.on('ready', () => {
      if (this.downLogged) this.logger.log('Redis reachable again: caches shared across replicas');
      this.downLogged = false;
    });
  }

  get enabled(): boolean {
    return this.redis !== undefined;
  }

  /** The value, or null when absent, Redis is not configured or does not answer. */
  get(key: string): Promise<string | null> {
    return this.attempt((r) => r.get(this.prefix + key), null);
  }

  /** The value as bytes (a large value is not decoded on the event loop), or null as get(). */
  getBytes(key: string): Promise<Buffer | null> {
    return this.attempt((r) => r.getBuffer(this.prefix + key), null);
  }

  /** Stores with a time to live; best effort. */
  async set(key: string, value: string | Buffer, ttlMs: number): Promise<void> {
    if (ttlMs <= 0) return;
    await this.attempt((r) => r.set(this.prefix + key, value, 'PX', Math.ceil(ttlMs)), null);
  }

  private async attempt<T, F>(command: (r: Redis) => Promise<T>, fallback: F): Promise<T | F> {
    if (!this.redis) return fallback;
    try {
      return await command(this.redis);
    } catch (err) {
      this.noteDown(err);
      return fallback;
    }
  }

  private noteDown(err: unknown): void {
    if (this.downLogged) return;
    this.downLogged = true;
    this.logger.warn(
      { err: err instanceof Error ? err.message : String(err) },
      'Redis unreachable: session list and idempotency answers fall back to this replica',
    );
  }
}
