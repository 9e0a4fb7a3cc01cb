import { Inject, Injectable, Logger, OnModuleDestroy, Optional } from '@nestjs/common';
import Redis from 'ioredis';
import {
  RateLimiterAbstract,
  RateLimiterMemory,
  RateLimiterRedis,
  RateLimiterRes,
} from 'rate-limiter-flexible';
import { APP_CONFIG, AppConfig } from '../config';
import { GatewayError } from '../errors';
import { MetricsService } from '../observability/metrics.service';

export type RateLimitScope = 'principal' | 'ip';

/**
 * Fixed one-minute windows per principal (terminations) and per IP (before authentication).
 * With REDIS_URL the counters are shared by all replicas; if Redis is unreachable each replica
 * falls back to its own in-memory counters (rate-limiter-flexible's insurance limiter) and logs
 * it, so a Redis outage never blocks terminations nor crashes the gateway.
 */
@Injectable()
export class RateLimitService implements OnModuleDestroy {
  private readonly logger = new Logger('RateLimit');
  private readonly redis?: Redis;
  private readonly limiters: Partial<Record<RateLimitScope, RateLimiterAbstract>> = {};
  private redisDownLogged = false;

  constructor(
    @Inject(APP_CONFIG) config: AppConfig,
    @Optional() private readonly metrics?: MetricsService,
  ) {
    if (config.redisUrl) {
      this.redis = new Redis(config.redisUrl, {
        enableOfflineQueue: false,
        maxRetriesPerRequest: 1,
        connectTimeout: 2000,
        lazyConnect: false,
      });
      this.redis.on('error', (err: Error) => this.noteRedisDown(err));
      this.redis.on('ready', () => {
        if (this.redisDownLogged)
          this.logger.log('Redis reachable again: rate limits shared across replicas');
        this.redisDownLogged = false;
      });
    }
    const make = (keyPrefix: string, points: number): RateLimiterAbstract | undefined => {
      if (points <= 0) return undefined;
      const memory = new RateLimiterMemory({ keyPrefix, points, duration: 60 });
      if (!this.redis) return memory;
      return new RateLimiterRedis({
        storeClient: this.redis,
        keyPrefix: `pam-gateway:rl:${keyPrefix}`,
        points,
        duration: 60,
        insuranceLimiter: memory,
      });
    };
    this.limiters.principal = make('principal', config.rateLimit.terminationsPerMinute);
    this.limiters.ip = make('ip', config.rateLimit.ipPerMinute);
  }

  /** Counts one unit against `key`; throws RATE_LIMITED with Retry-After when over the limit. */
  async consume(scope: RateLimitScope, key: string): Promise<void> {
    const limiter = this.limiters[scope];
    if (!limiter) return;
    try {
      await limiter.consume(key);
    } catch (res) {
      if (res instanceof RateLimiterRes) {
        this.metrics?.rateLimited(scope);
        throw new GatewayError('RATE_LIMITED', 'Too many requests', {
          detail: 'Rate limit exceeded; retry later',
          retryAfterSeconds: Math.max(1, Math.ceil(res.msBeforeNext / 1000)),
        });
      }
      // Neither store answered (should not happen with the insurance limiter): fail open, loudly.
      this.logger.error(
        { err: res instanceof Error ? res.message : String(res) },
        'rate limiter failed; request allowed',
      );
    }
  }

  async onModuleDestroy(): Promise<void> {
    if (this.redis) {
      this.redis.disconnect();
    }
  }

  private noteRedisDown(err: Error): void {
    if (this.redisDownLogged) return;
    this.redisDownLogged = true;
    this.logger.warn(
      { err: err.message },
      'Redis unreachable: rate limits fall back to per-replica memory',
    );
  }
}
