import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { InjectQueue } from '@nestjs/bullmq';
import { InjectDataSource } from '@nestjs/typeorm';
import type { Queue } from 'bullmq';
import { createServer, type Server } from 'node:http';
import { Redis } from 'ioredis';
import { DataSource } from 'typeorm';
import { Clock } from '@metrobici/common';
import { APP_CONFIG, type AppConfig } from '@metrobici/config';
import { REDIS_CLIENT } from '@metrobici/redis';
import { ReconciliationJob } from '../processors/reconciliation-job';
import { EXPORTS_QUEUE, HEARTBEAT_KEY, STATS_QUEUE, SYSTEM_QUEUE, TRIPS_QUEUE } from '../queues';
import { RedisPolicyCheck } from '../redis-policy.check';

/** Unpublished outbox rows older than this make the worker degraded (the relay is stuck or Redis is away). */
export const OUTBOX_LAG_DEGRADED_SECONDS = 300;
const PROBE_MS = 2000;

/**
 * `GET /health` on an internal port (127.0.0.1 only): database, Redis, the last heartbeat, the
 * outbox lag (age of the oldest unpublished row), each queue's depth and failed jobs, the last
 * reconciliation and Redis's eviction policy. 503 when degraded: a part down, the heartbeat stale,
 * the outbox lagging more than OUTBOX_LAG_DEGRADED_SECONDS, or a Redis that may evict jobs.
 * Every probe is bounded, so the report answers even with Redis or the database gone.
 */
@Injectable()
export class WorkerHealthServer implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('WorkerHealth');
  private server?: Server;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(REDIS_CLIENT) private readonly redis: Redis,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly clock: Clock,
    private readonly policy: RedisPolicyCheck,
    private readonly reconciliation: ReconciliationJob,
    @InjectQueue(SYSTEM_QUEUE) systemQueue: Queue,
    @InjectQueue(EXPORTS_QUEUE) exportsQueue: Queue,
    @InjectQueue(TRIPS_QUEUE) tripsQueue: Queue,
    @InjectQueue(STATS_QUEUE) statsQueue: Queue,
  ) {
    this.queues = [systemQueue, exportsQueue, tripsQueue, statsQueue];
  }

  private readonly queues: Queue[];

  async report(): Promise<{ ok: boolean; body: Record<string, unknown> }> {
    const [database, redis, heartbeat, outbox, queues, reconciliation] = await Promise.all([
      bounded(this.dataSource.query('SELECT 1')).then(
        () => 'up',
        () => 'down',
      ),
      bounded(this.redis.ping()).then(
        () => 'up',
        () => 'down',
      ),
      bounded(this.redis.get(HEARTBEAT_KEY)).catch(() => null),
      bounded(
        this.dataSource.query<Array<{ pending: number; lag: number }>>(
          `SELECT count(*)::int AS pending, coalesce(extract(epoch FROM now() - min(created_at)), 0)::float8 AS lag
             FROM outbox_events WHERE published_at IS NULL`,
        ),
      ).then(
        ([row]) => ({ pending: row.pending, lagSeconds: Math.round(row.lag) }),
        () => null,
      ),
      Promise.all(
        this.queues.map(async (queue) => {
          const counts = await bounded(
            queue.getJobCounts('waiting', 'active', 'delayed', 'prioritized', 'failed'),
          ).catch(() => null);
          return [queue.name, counts] as const;
        }),
      ),
      bounded(this.reconciliation.lastResult()).catch(() => null),
    ]);
    const ageSeconds = heartbeat ? Math.round((this.clock.now().getTime() - Date.parse(heartbeat)) / 1000) : null;
    const fresh = ageSeconds !== null && ageSeconds <= this.config.worker.heartbeatSeconds * 3;
    const outboxOk = outbox !== null && outbox.lagSeconds <= OUTBOX_LAG_DEGRADED_SECONDS;
    const ok = database === 'up' && redis === 'up' && fresh && outboxOk && this.policy.safe;
    return {
      ok,
      body: {
        status: ok ? 'ok' : 'degraded',
        database,
        redis,
        lastHeartbeat: heartbeat,
        heartbeatAgeSeconds: ageSeconds,
        redisMaxmemoryPolicy: { policy: this.policy.policy, ok: this.policy.safe },
        outbox,
        queues: Object.fromEntries(queues),
        failedJobs: queues.reduce((sum, [, counts]) => sum + (counts?.failed ?? 0), 0),
        lastReconciliation: reconciliation && {
          checkedAt: reconciliation.checkedAt,
          stationsChecked: reconciliation.stationsChecked,
          counterDrift: reconciliation.counterDrift,
          missingTripFacts: reconciliation.missingTripFacts,
          repairedTripFacts: reconciliation.repairedTripFacts,
        },
      },
    };
  }

  async onApplicationBootstrap(): Promise<void> {
    if (this.config.worker.healthPort === 0) return;
    this.server = createServer((req, res) => {
      if (req.url !== '/health') {
        res.writeHead(404, { 'content-type': 'application/json' }).end('{"code":"ROUTE_NOT_FOUND"}');
        return;
      }
      this.report().then(
        ({ ok, body }) =>
          res.writeHead(ok ? 200 : 503, { 'content-type': 'application/json' }).end(JSON.stringify(body)),
        () => res.writeHead(503).end(),
      );
    });
    await new Promise<void>((resolve) => this.server!.listen(this.config.worker.healthPort, '127.0.0.1', resolve));
    this.logger.log(`Worker health on http://127.0.0.1:${this.config.worker.healthPort}/health`);
  }

  async onApplicationShutdown(): Promise<void> {
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}

/** A probe that does not answer within PROBE_MS counts as failed (the health report never hangs). */
function bounded<T>(work: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer in ${PROBE_MS} ms`)), PROBE_MS);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}
