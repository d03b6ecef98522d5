import { Inject, Injectable, Logger } from '@nestjs/common';
import type { IncomingMessage } from 'node:http';
import { Redis } from 'ioredis';
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import { APP_CONFIG, type AppConfig } from '@metrobici/config';
import { REDIS_CLIENT } from '@metrobici/redis';

/** Failed logins per account before it is locked, and how long the window and the lock last. */
export const ACCOUNT_FAILURES_BEFORE_LOCK = 10;
export const ACCOUNT_LOCK_SECONDS = 15 * 60;
/** `stations:refresh` requests per connection: this many per window. */
export const REFRESHES_PER_WINDOW = 3;
export const REFRESH_WINDOW_SECONDS = 10;

export interface LimitResult {
  allowed: boolean;
  limit: number;
  remaining: number;
  /** Seconds until a refused caller may try again (0 when allowed). */
  retryAfterSeconds: number;
}

/**
 * One fixed-window limit counted in Redis (shared by every API instance) through
 * rate-limiter-flexible. When Redis is not ready the same limit is counted in this process's
 * memory instead (its `insuranceLimiter`): limits get per-instance for a while, never a 500.
 * Once over the limit a separate `:blocked` key refuses for the block time even if the window
 * rolls over, so a steady stream of tries cannot slip through at each window's start.
 */
export class FixedWindowLimit {
  private readonly limiter: RateLimiterRedis;

  constructor(
    private readonly redis: Redis,
    private readonly fallback: RedisFallbackNotice,
    prefix: string,
    readonly points: number,
    private readonly durationSeconds: number,
    private readonly blockSeconds = durationSeconds,
  ) {
    this.limiter = new RateLimiterRedis({
      storeClient: redis,
      keyPrefix: prefix,
      points,
      duration: durationSeconds,
      rejectIfRedisNotReady: true,
      insuranceLimiter: new RateLimiterMemory({ keyPrefix: prefix, points, duration: durationSeconds }),
    });
  }

  /** Counts one hit for `key` (refused ones too: hammering a blocked key is still counted). */
  async hit(key: string): Promise<LimitResult> {
    this.fallback.check(this.redis);
    const [counted, blocked] = await Promise.all([
      this.limiter.consume(`${key}:hits`).catch((rejection: unknown) => {
        if (rejection instanceof RateLimiterRes) return null;
        throw rejection;
      }),
      this.limiter.get(`${key}:blocked`),
    ]);
    if (blocked && blocked.consumedPoints > 0) return this.refused(blocked.msBeforeNext);
    if (counted === null) {
      await this.limiter.block(`${key}:blocked`, this.blockSeconds);
      return this.refused(this.blockSeconds * 1000);
    }
    return { allowed: true, limit: this.points, remaining: counted.remainingPoints, retryAfterSeconds: 0 };
  }

  /** Whether `key` is refused now, without counting. */
  async peek(key: string): Promise<LimitResult> {
    this.fallback.check(this.redis);
    const blocked = await this.limiter.get(`${key}:blocked`);
    if (blocked && blocked.consumedPoints > 0) return this.refused(blocked.msBeforeNext);
    const hits = await this.limiter.get(`${key}:hits`);
    return {
      allowed: true,
      limit: this.points,
      remaining: Math.max(0, this.points - (hits?.consumedPoints ?? 0)),
      retryAfterSeconds: 0,
    };
  }

  /** Forgets `key` (a successful login, an admin lifting a lock-out). */
  async reset(key: string): Promise<void> {
    this.fallback.check(this.redis);
    await Promise.all([this.limiter.delete(`${key}:hits`), this.limiter.delete(`${key}:blocked`)]);
  }

  private refused(msBeforeNext: number): LimitResult {
    return {
      allowed: false,
      limit: this.points,
      remaining: 0,
      retryAfterSeconds: Math.max(1, Math.ceil(msBeforeNext / 1000)),
    };
  }
}

/** Logs once when the limits fall back to memory, and once when Redis is back. */
export class RedisFallbackNotice {
  private readonly logger = new Logger('RateLimits');
  private degraded = false;

  check(redis: Redis): void {
    const ready = redis.status === 'ready';
    if (!ready && !this.degraded) {
      this.degraded = true;
      this.logger.warn('Redis is not reachable: rate limits are counted in this process only until it is back');
    } else if (ready && this.degraded) {
      this.degraded = false;
      this.logger.log('Redis is back: rate limits are shared again');
    }
  }
}

/** Every limit of the API, built once from the configuration. */
@Injectable()
export class RateLimits {
  readonly public: FixedWindowLimit;
  readonly login: FixedWindowLimit;
  /** Failed logins per account (lower-cased e-mail, known or not, so it reveals nothing). */
  readonly accountFailures: FixedWindowLimit;
  readonly socketConnections: FixedWindowLimit;

  constructor(@Inject(REDIS_CLIENT) redis: Redis, @Inject(APP_CONFIG) config: AppConfig) {
    const notice = new RedisFallbackNotice();
    this.public = new FixedWindowLimit(
      redis,
      notice,
      'metrobici:rate:public',
      config.auth.publicRateLimitPerMinute,
      60,
    );
    this.login = new FixedWindowLimit(redis, notice, 'metrobici:rate:login', config.auth.loginRateLimitPerMinute, 60);
    this.accountFailures = new FixedWindowLimit(
      redis,
      notice,
      'metrobici:rate:account',
      ACCOUNT_FAILURES_BEFORE_LOCK - 1,
      ACCOUNT_LOCK_SECONDS,
    );
    this.socketConnections = new FixedWindowLimit(
      redis,
      notice,
      'metrobici:rate:socket',
      config.sockets.connectionsPerMinute,
      60,
    );
  }
}

type TrustFn = (address: string, hop: number) => boolean;

/**
 * The client's address for sockets, by the same rule Express applies to `req.ip` with the
 * configured `trust proxy`: walk X-Forwarded-For from the socket's peer while the hop is trusted.
 */
@Injectable()
export class ClientAddress {
  private trust: TrustFn = () => false;

  /** Express's compiled `trust proxy fn`, set by the app factory. */
  useTrust(fn: TrustFn): void {
    this.trust = fn;
  }

  of(req: IncomingMessage): string {
    const forwarded = String(req.headers['x-forwarded-for'] ?? '')
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean)
      .reverse();
    const chain = [req.socket.remoteAddress ?? 'unknown', ...forwarded];
    let i = 0;
    while (i < chain.length - 1 && this.trust(chain[i], i)) i++;
    return chain[i];
  }
}
