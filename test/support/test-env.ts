import { randomBytes } from 'node:crypto';
import { type AppConfig, loadConfig, loadDotEnv } from '@metrobici/config';
import { dropDatabase, ensureDatabase, migrate } from '@metrobici/database';
import { Redis } from 'ioredis';

export interface TestEnv {
  config: AppConfig;
  env: Record<string, string>;
  databaseUrl: string;
  redisUrl: string;
  /** Drops the database and empties the Redis db this suite used. */
  teardown(): Promise<void>;
}

const DEFAULT_DB = 'postgres://postgres@127.0.0.1:5432/postgres';
const DEFAULT_REDIS = 'redis://127.0.0.1:6379/0';

/**
 * A private, migrated database (`metrobici_test_<random>`) and a Redis db index for one suite,
 * built from the same server addresses the developer's `.env` or CI points at.
 */
export async function createTestEnv(overrides: Record<string, string> = {}): Promise<TestEnv> {
  loadDotEnv();
  const base = new URL(process.env.DATABASE_URL ?? DEFAULT_DB);
  base.pathname = `/metrobici_test_${randomBytes(5).toString('hex')}`;
  const databaseUrl = base.toString();
  const redisBase = new URL(process.env.REDIS_URL ?? DEFAULT_REDIS);
  // Index 0 is the developer's own; a suite leases one of 1..15 (so suites running at the same
  // time, even from different checkouts, never share one) and empties it first.
  const lease = await leaseRedisDb(redisBase);
  redisBase.pathname = `/${lease.index}`;
  const redisUrl = redisBase.toString();

  await ensureDatabase(databaseUrl);
  await migrate(databaseUrl);
  await flushRedis(redisUrl);

  const env: Record<string, string> = {
    NODE_ENV: 'test',
    DATABASE_URL: databaseUrl,
    REDIS_URL: redisUrl,
    JWT_SECRET: 'test-secret-0123456789abcdef',
    OPENING_HOURS: '24/7',
    LOGIN_RATE_LIMIT_PER_MINUTE: '1000',
    PUBLIC_RATE_LIMIT_PER_MINUTE: '100000',
    LOG_LEVEL: 'error',
    // Any free port: a fixed one collides with a developer's worker or another suite's.
    WORKER_HEALTH_PORT: '0',
    ...overrides,
  };
  const config = loadConfig(env);
  return {
    config,
    env,
    databaseUrl,
    redisUrl,
    async teardown() {
      await flushRedis(redisUrl);
      await dropDatabase(databaseUrl);
      await lease.release();
    },
  };
}

async function leaseRedisDb(base: URL): Promise<{ index: number; release: () => Promise<void> }> {
  const admin = new URL(base.toString());
  admin.pathname = '/0';
  const redis = new Redis(admin.toString(), { maxRetriesPerRequest: 1 });
  const token = randomBytes(8).toString('hex');
  try {
    for (let attempt = 0; attempt < 600; attempt++) {
      for (let index = 1; index <= 15; index++) {
        if (await redis.set(`metrobici:test:redis-db-lease:${index}`, token, 'PX', 15 * 60_000, 'NX')) {
          return {
            index,
            release: async () => {
              const r = new Redis(admin.toString(), { maxRetriesPerRequest: 1 });
              try {
                if ((await r.get(`metrobici:test:redis-db-lease:${index}`)) === token)
                  await r.del(`metrobici:test:redis-db-lease:${index}`);
              } finally {
                r.disconnect();
              }
            },
          };
        }
      }
      await new Promise((r) => setTimeout(r, 200));
    }
    throw new Error('no free Redis db index (1..15) for the test suite');
  } finally {
    redis.disconnect();
  }
}

async function flushRedis(url: string): Promise<void> {
  const redis = new Redis(url, { maxRetriesPerRequest: 1 });
  try {
    await redis.flushdb();
  } finally {
    redis.disconnect();
  }
}
