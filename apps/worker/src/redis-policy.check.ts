import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { Redis } from 'ioredis';
import { REDIS_CLIENT } from '@metrobici/redis';

/**
 * BullMQ loses jobs (and the outbox relay's enqueued trips with them) if Redis may evict keys: any
 * `maxmemory-policy` other than `noeviction` is an error in the log and makes the worker's health
 * report degraded. Read at start-up and again on every Redis reconnection (it may be another server).
 */
@Injectable()
export class RedisPolicyCheck implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('RedisPolicy');
  /** The policy last read; `null` when Redis refused CONFIG GET (managed services often do). */
  policy: string | null = null;
  private readonly onReady = () => void this.read();

  constructor(@Inject(REDIS_CLIENT) private readonly redis: Redis) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.read();
    this.redis.on('ready', this.onReady);
  }

  onApplicationShutdown(): void {
    this.redis.off('ready', this.onReady);
  }

  /** True when jobs are safe from eviction (or the policy could not be read: not known to be unsafe). */
  get safe(): boolean {
    return this.policy === null || this.policy === 'noeviction';
  }

  private async read(): Promise<void> {
    try {
      const [, policy] = (await this.redis.config('GET', 'maxmemory-policy')) as [string, string];
      this.policy = policy;
      if (policy !== 'noeviction') {
        this.logger.error(
          `Redis maxmemory-policy is "${policy}"; set it to "noeviction" or queued jobs may be evicted. Worker health reports degraded.`,
        );
      }
    } catch {
      this.policy = null;
      this.logger.warn('Could not read Redis maxmemory-policy (CONFIG GET refused); make sure it is "noeviction".');
    }
  }
}
