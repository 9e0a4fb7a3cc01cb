import { Inject, Injectable, Logger, Optional } from '@nestjs/common';
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import { APP_CONFIG, AppConfig } from '../config';
import { GatewayError } from '../errors';
import { MetricsService } from '../observability/metrics.service';
import { RedisClient } from '../redis';

/**
 * `principal`: terminations per principal; `reads`: reads per principal; `ip`: before
 * authentication; `auth-failure`: failed authentications per IP.
 */
export type RateLimitScope = 'principal' | 'ip' | 'reads' | 'auth-failure';

/** One scope's counters: shared in Redis when configured, this replica's memory otherwise. */
interface ScopeLimiter {
  points: number;
  shared?: RateLimiterRedis;
  local: RateLimiterMemory;
}

/**
 * Fixed one-minute windows per principal (terminations, and separately reads), per IP
 * (before authentication) and per IP for failed authentications (counted by the auth guard).
 * With REDIS_URL the counters are shared by all replicas; when Redis is down, refuses
 * connections or stops answering, each replica counts in its own memory instead and logs it
 * once (and again when Redis answers), so a Redis outage never blocks terminations, never
 * holds them, and never crashes the gateway. A check waits for Redis at most
 * REDIS_COMMAND_TIMEOUT_MS (the shared RedisClient's command timeout). Keys are
 * `<REDIS_KEY_PREFIX>rl:<scope>:<key>`.
 */
@Injectable()
export class RateLimitService {
  private readonly logger = new Logger('RateLimit');
  private readonly limiters: Partial<Record<RateLimitScope, ScopeLimiter>> = {};
  private redisDown = false;

  constructor(
    @Inject(APP_CONFIG) config: AppConfig,
    redis: RedisClient,
    @Optional() private readonly metrics?: MetricsService,
  ) {
    const client = redis.connection;
    client?.on('error', (err: Error) => this.noteRedisDown(err));
    const make = (keyPrefix: string, points: number): ScopeLimiter | undefined => {
      if (points <= 0) return undefined;
      const local = new RateLimiterMemory({ keyPrefix, points, duration: 60 });
      if (!client) return { points, local };
      const shared = new RateLimiterRedis({
        storeClient: client,
        keyPrefix: `${redis.keyPrefix}rl:${keyPrefix}`,
        points,
        duration: 60,
      });
      return { points, shared, local };
    };
    this.limiters.principal = make('principal', config.rateLimit.terminationsPerMinute);
    this.limiters.ip = make('ip', config.rateLimit.ipPerMinute);
    this.limiters.reads = make('reads', config.rateLimit.readsPerMinute);
    this.limiters['auth-failure'] = make('auth-failure', config.rateLimit.authFailuresPerMinute);
  }

  /**
   * Throws RATE_LIMITED with Retry-After when `key` has used up its limit in the current
   * window; counts nothing. For a request that would cost something only when it fails.
   */
  async check(scope: RateLimitScope, key: string): Promise<void> {
    const limiter = this.limiters[scope];
    if (!limiter) return;
    let res: RateLimiterRes | null = null;
    let counted = false;
    if (limiter.shared) {
      try {
        res = await limiter.shared.get(key);
        counted = true;
        this.noteRedisUp();
      } catch (err) {
        this.noteRedisDown(err);
      }
    }
    if (!counted) res = await limiter.local.get(key);
    if (res && res.consumedPoints >= limiter.points) throw this.limited(scope, res);
  }

  /** Counts one unit against `key`; throws RATE_LIMITED with Retry-After when over the limit. */
  async consume(scope: RateLimitScope, key: string): Promise<void> {
    const limiter = this.limiters[scope];
    if (!limiter) return;
    if (limiter.shared) {
      try {
        await limiter.shared.consume(key);
        this.noteRedisUp();
        return;
      } catch (res) {
        if (res instanceof RateLimiterRes) throw this.limited(scope, res);
        // Redis did not answer: this replica's own counters decide instead.
        this.noteRedisDown(res);
      }
    }
    try {
      await limiter.local.consume(key);
    } catch (res) {
      if (res instanceof RateLimiterRes) throw this.limited(scope, res);
      // The memory limiter cannot fail this way; if it ever did, fail open, loudly.
      this.logger.error(
        { err: res instanceof Error ? res.message : String(res) },
        'rate limiter failed; request allowed',
      );
    }
  }

  private limited(scope: RateLimitScope, res: RateLimiterRes): GatewayError {
    this.metrics?.rateLimited(scope);
    return new GatewayError('RATE_LIMITED', 'Too many requests', {
      detail: 'Rate limit exceeded; retry later',
      retryAfterSeconds: Math.max(1, Math.ceil(res.msBeforeNext / 1000)),
    });
  }

  private noteRedisDown(err: unknown): void {
    if (this.redisDown) return;
    this.redisDown = true;
    this.logger.warn(
      { err: err instanceof Error ? err.message : String(err) },
      'Redis unreachable or not answering: rate limits fall back to per-replica memory',
    );
  }

  private noteRedisUp(): void {
    if (!this.redisDown) return;
    this.redisDown = false;
    this.logger.log('Redis answering again: rate limits shared across replicas');
  }
}
