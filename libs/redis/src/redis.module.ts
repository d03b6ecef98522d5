import { Global, Inject, Injectable, Module, type OnApplicationShutdown } from '@nestjs/common';
import { Redis } from 'ioredis';
import { APP_CONFIG, type AppConfig } from '@metrobici/config';

export const REDIS_CLIENT = Symbol('REDIS_CLIENT');

/** Builds an ioredis client; BullMQ needs `maxRetriesPerRequest: null` on its connections. */
export function createRedis(url: string, options: { forBullmq?: boolean; name?: string } = {}): Redis {
  return new Redis(url, {
    connectionName: options.name ?? 'metrobici',
    maxRetriesPerRequest: options.forBullmq ? null : 2,
    enableOfflineQueue: true,
    lazyConnect: false,
  });
}

@Injectable()
class RedisCloser implements OnApplicationShutdown {
  constructor(@Inject(REDIS_CLIENT) private readonly redis: Redis) {}
  async onApplicationShutdown(): Promise<void> {
    await this.redis.quit().catch(() => this.redis.disconnect());
  }
}

/** One shared command connection per process, closed on shutdown. */
@Global()
@Module({
  providers: [
    {
      provide: REDIS_CLIENT,
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig) => createRedis(config.redis.url, { name: 'metrobici-main' }),
    },
    RedisCloser,
  ],
  exports: [REDIS_CLIENT],
})
export class RedisModule {}

/**
 * Connection options (not a client) for BullMQ, so BullMQ owns and closes its own connections on
 * shutdown instead of leaving a shared client open.
 */
export function redisConnectionOptions(url: string): {
  host: string;
  port: number;
  db: number;
  username?: string;
  password?: string;
  tls?: object;
  maxRetriesPerRequest: null;
} {
  const u = new URL(url);
  return {
    host: u.hostname,
    port: Number(u.port || 6379),
    db: Number(u.pathname.slice(1) || 0),
    ...(u.username ? { username: decodeURIComponent(u.username) } : {}),
    ...(u.password ? { password: decodeURIComponent(u.password) } : {}),
    ...(u.protocol === 'rediss:' ? { tls: {} } : {}),
    maxRetriesPerRequest: null,
  };
}
