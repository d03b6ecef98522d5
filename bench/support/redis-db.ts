import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';

// The same lease keys as test/support/test-env.ts: a bench and test suites running at the same
// time (even from another checkout) never share, and never flush, each other's db index.
const LEASE_KEY = (index: number) => `metrobici:test:redis-db-lease:${index}`;

export interface RedisDbLease {
  index: number;
  url: string;
  /** Empties the db and gives the lease back. */
  release(): Promise<void>;
}

/**
 * Leases the first free db index of `candidates` on the server in `baseUrl` (lease keys live in db
 * 0, which is never handed out) and empties it. Fails if every candidate is leased.
 */
export async function leaseRedisDb(baseUrl: string, candidates: number[], ttlMs: number): Promise<RedisDbLease> {
  const admin = new URL(baseUrl);
  admin.pathname = '/0';
  const token = `bench-${randomBytes(8).toString('hex')}`;
  const redis = new Redis(admin.toString(), { maxRetriesPerRequest: 1 });
  try {
    for (const index of candidates) {
      if (index < 1 || index > 15) continue;
      if (!(await redis.set(LEASE_KEY(index), token, 'PX', ttlMs, 'NX'))) continue;
      const url = new URL(baseUrl);
      url.pathname = `/${index}`;
      await flush(url.toString());
      return {
        index,
        url: url.toString(),
        async release() {
          await flush(url.toString());
          const r = new Redis(admin.toString(), { maxRetriesPerRequest: 1 });
          try {
            if ((await r.get(LEASE_KEY(index))) === token) await r.del(LEASE_KEY(index));
          } finally {
            r.disconnect();
          }
        },
      };
    }
  } finally {
    redis.disconnect();
  }
  throw new Error(`no free Redis db index among ${candidates.join(', ')} (leased by running test suites or benches)`);
}

async function flush(url: string): Promise<void> {
  const redis = new Redis(url, { maxRetriesPerRequest: 1 });
  try {
    await redis.flushdb();
  } finally {
    redis.disconnect();
  }
}
