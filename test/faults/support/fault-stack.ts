import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Pool } from 'pg';
import { createDataSource, ensureDatabase, migrate } from '@metrobici/database';
import { ENTITIES } from '../../../apps/entities';
import { Factories, TEST_PASSWORD } from '../../support/factories';
import { AppProcess } from './app-process';
import { makeRunDir, onExit } from './cleanup';
import { freePortFrom, PrivatePostgres } from './private-postgres';
import { PrivateRedis } from './private-redis';

export interface SeededData {
  stationIds: [string, string];
  /** One bike and one rider per simulated operator. */
  pairs: Array<{ bikeCode: string; riderId: string }>;
  operatorEmail: string;
}

export interface Consistency {
  unpublishedOutbox: number;
  /** Stations whose counters differ from the bikes table. */
  counterDrift: Array<{
    id: string;
    docked: number;
    expectedDocked: number;
    available: number;
    expectedAvailable: number;
  }>;
  closedTrips: number;
  tripFacts: number;
  /** Closed trips without a fact (lost) and facts without a closed trip (invented). */
  missingFacts: number;
  strayFacts: number;
  /** Open loans whose bike is not on loan, or bikes on loan without an open loan (half-done moves). */
  halfDone: number;
}

/**
 * The whole system on private servers: a PostgreSQL cluster and a Redis of its own, migrated and
 * seeded, with the real API and worker as child processes. Every part can be crashed and started
 * again; `destroy()` (also run from a process exit hook) removes everything.
 */
export class FaultStack {
  readonly pool: Pool;
  readonly api: AppProcess;
  readonly worker: AppProcess;
  private readonly removeHook: () => void;

  private constructor(
    readonly runDir: string,
    readonly pg: PrivatePostgres,
    readonly redis: PrivateRedis,
    readonly env: Record<string, string>,
    apiPort: number,
    workerPort: number,
    readonly data: SeededData,
  ) {
    // Checks go through a small pool of their own; a crashed server only fails them, it never throws.
    this.pool = new Pool({ connectionString: env.DATABASE_URL, max: 3, connectionTimeoutMillis: 2_000 });
    this.pool.on('error', () => undefined);
    this.api = new AppProcess('api', env, apiPort, runDir);
    this.worker = new AppProcess('worker', env, workerPort, runDir);
    this.removeHook = onExit(() => rmSync(runDir, { recursive: true, force: true }));
  }

  static async create(options: { operators: number; bikesPerStation?: number }): Promise<FaultStack> {
    const runDir = makeRunDir();
    const ports = new Set<number>();
    let pg: PrivatePostgres | undefined;
    let redis: PrivateRedis | undefined;
    let data: SeededData;
    try {
      pg = await PrivatePostgres.create(runDir, ports);
      redis = await PrivateRedis.create(runDir, ports);
      await ensureDatabase(pg.url('metrobici'));
      await migrate(pg.url('metrobici'));
      data = await seed(pg.url('metrobici'), options.operators, options.bikesPerStation ?? 0);
    } catch (e) {
      await redis?.destroy().catch(() => undefined);
      pg?.destroy();
      rmSync(runDir, { recursive: true, force: true });
      throw e;
    }
    const databaseUrl = pg.url('metrobici');
    const env: Record<string, string> = {
      NODE_ENV: 'test',
      DATABASE_URL: databaseUrl,
      REDIS_URL: redis.url(0),
      JWT_SECRET: 'fault-suite-secret-0123456789',
      OPENING_HOURS: '24/7',
      LOGIN_RATE_LIMIT_PER_MINUTE: '1000',
      PUBLIC_RATE_LIMIT_PER_MINUTE: '100000',
      OVERDUE_STRIKES_TO_SUSPEND: '100',
      WORKER_HEARTBEAT_SECONDS: '5',
      NIGHTLY_EXPORT_CRON: 'off',
      EXPORTS_DIR: join(runDir, 'exports'),
      LOG_LEVEL: 'warn',
      LOG_FORMAT: 'json',
    };
    const apiPort = await freePortFrom(57000, ports);
    const workerPort = await freePortFrom(57100, ports);
    return new FaultStack(runDir, pg, redis, env, apiPort, workerPort, data);
  }

  async login(): Promise<string> {
    const res = await fetch(`${this.api.url}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: this.data.operatorEmail, password: TEST_PASSWORD }),
    });
    const body = (await res.json()) as { accessToken?: string };
    if (!body.accessToken) throw new Error(`login failed: ${res.status} ${JSON.stringify(body)}`);
    return body.accessToken;
  }

  async query<T = Record<string, unknown>>(sql: string, params: unknown[] = []): Promise<T[]> {
    return (await this.pool.query(sql, params)).rows as T[];
  }

  async consistency(): Promise<Consistency> {
    const [outbox] = await this.query<{ n: number }>(
      'SELECT count(*)::int AS n FROM outbox_events WHERE published_at IS NULL',
    );
    const counterDrift = await this.query<Consistency['counterDrift'][number]>(
      `SELECT s.id, s.bikes_docked AS docked, coalesce(b.docked, 0)::int AS "expectedDocked",
              s.bikes_available AS available, coalesce(b.available, 0)::int AS "expectedAvailable"
         FROM stations s
         LEFT JOIN (SELECT station_id, count(*) AS docked, count(*) FILTER (WHERE state = 'available') AS available
                      FROM bikes WHERE station_id IS NOT NULL GROUP BY station_id) b ON b.station_id = s.id
        WHERE s.bikes_docked <> coalesce(b.docked, 0) OR s.bikes_available <> coalesce(b.available, 0)`,
    );
    const [trips] = await this.query<{ closed: number; facts: number; missing: number; stray: number }>(
      `SELECT (SELECT count(*) FROM loans WHERE state = 'closed' AND end_reason IN ('returned', 'renewed', 'forced'))::int AS closed,
              (SELECT count(*) FROM trip_facts)::int AS facts,
              (SELECT count(*) FROM loans l WHERE l.state = 'closed' AND l.end_reason IN ('returned', 'renewed', 'forced')
                  AND NOT EXISTS (SELECT 1 FROM trip_facts f WHERE f.loan_id = l.id))::int AS missing,
              (SELECT count(*) FROM trip_facts f WHERE NOT EXISTS (
                  SELECT 1 FROM loans l WHERE l.id = f.loan_id AND l.state = 'closed'
                     AND l.end_reason IN ('returned', 'renewed', 'forced')))::int AS stray`,
    );
    const [half] = await this.query<{ n: number }>(
      `SELECT ((SELECT count(*) FROM loans l JOIN bikes b ON b.id = l.bike_id WHERE l.state = 'open' AND b.state <> 'on_loan')
             + (SELECT count(*) FROM bikes b WHERE b.state = 'on_loan'
                   AND NOT EXISTS (SELECT 1 FROM loans l WHERE l.bike_id = b.id AND l.state = 'open')))::int AS n`,
    );
    return {
      unpublishedOutbox: outbox.n,
      counterDrift,
      closedTrips: trips.closed,
      tripFacts: trips.facts,
      missingFacts: trips.missing,
      strayFacts: trips.stray,
      halfDone: half.n,
    };
  }

  /** Public station counts as the database has them, keyed by station id. */
  async stationCounts(): Promise<Map<string, { bikesAvailable: number; spacesAvailable: number }>> {
    const rows = await this.query<{ id: string; available: number; spaces: number }>(
      `SELECT id, bikes_available AS available, capacity - bikes_docked AS spaces FROM stations WHERE kind = 'station'`,
    );
    return new Map(rows.map((r) => [r.id, { bikesAvailable: r.available, spacesAvailable: r.spaces }]));
  }

  async destroy(): Promise<void> {
    await this.api.destroy().catch(() => undefined);
    await this.worker.destroy().catch(() => undefined);
    await this.pool.end().catch(() => undefined);
    await this.redis.destroy().catch(() => undefined);
    this.pg.destroy();
    rmSync(this.runDir, { recursive: true, force: true });
    this.removeHook();
  }
}

async function seed(databaseUrl: string, operators: number, extraBikes: number): Promise<SeededData> {
  const ds = createDataSource(databaseUrl, { entities: ENTITIES });
  await ds.initialize();
  try {
    const f = new Factories(ds);
    const capacity = 2 * (operators + extraBikes) + 4;
    const a = await f.station({ capacity, helmetsAvailable: 0 });
    const b = await f.station({ capacity, helmetsAvailable: 0 });
    const donor = await f.donor();
    const pairs: SeededData['pairs'] = [];
    for (let i = 0; i < operators; i++) {
      const bike = await f.bike({ stationId: i % 2 === 0 ? a.id : b.id, donorId: donor.id });
      const rider = await f.rider();
      pairs.push({ bikeCode: bike.code, riderId: rider.id });
    }
    for (let i = 0; i < extraBikes; i++) await f.bike({ stationId: i % 2 === 0 ? a.id : b.id, donorId: donor.id });
    const operator = await f.staff('operator', { allStations: true });
    return { stationIds: [a.id, b.id], pairs, operatorEmail: operator.email };
  } finally {
    await ds.destroy();
  }
}

/** Polls `check` until it returns a truthy value, or throws with the last value after `timeoutMs`. */
export async function waitFor<T>(
  what: string,
  check: () => Promise<T> | T,
  timeoutMs: number,
  intervalMs = 500,
): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      last = await check();
      if (last) return last as NonNullable<T>;
    } catch (e) {
      last = e;
    }
    if (Date.now() > deadline)
      throw new Error(
        `${what}: not true after ${timeoutMs} ms (last: ${String((last as Error)?.message ?? JSON.stringify(last))})`,
      );
    await sleep(intervalMs);
  }
}
