import { Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { Redis } from 'ioredis';
import { REDIS_CLIENT } from '@metrobici/redis';

/** BullMQ loses jobs if Redis may evict keys; warn loudly when the policy is not `noeviction`. */
@Injectable()
export class RedisPolicyCheck implements OnApplicationBootstrap {
  private readonly logger = new Logger('RedisPolicy');
  constructor(@Inject(REDIS_CLIENT) private readonly redis: Redis) {}

  async onApplicationBootstrap(): Promise<void> {
    try {
      const [, policy] = (await this.redis.config('GET', 'maxmemory-policy')) as [string, string];
      if (policy !== 'noeviction') {
        this.logger.warn(
          `Redis maxmemory-policy is "${policy}"; set it to "noeviction" or queued jobs may be evicted.`,
        );
      }
    } catch {
      this.logger.warn('Could not read Redis maxmemory-policy (CONFIG GET refused); make sure it is "noeviction".');
    }
  }
}
