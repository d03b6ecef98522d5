import { Inject, type OnApplicationBootstrap } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { InjectQueue, Processor, WorkerHost } from '@nestjs/bullmq';
import type { Job, Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { Clock } from '@metrobici/common';
import { APP_CONFIG, type AppConfig } from '@metrobici/config';
import { REDIS_CLIENT } from '@metrobici/redis';
import { LoanService } from '@metrobici/loans';
import { pruneIdempotencyRecords } from '@metrobici/idempotency';
import { pruneOutbox } from '@metrobici/outbox';
import { ExportService } from '@metrobici/exports';
import { PrivacyService } from '@metrobici/privacy';
import {
  HEARTBEAT_KEY,
  OVERDUE_CHECK_SECONDS,
  RIDER_RETENTION_CRON,
  SYSTEM_QUEUE,
  SYSTEM_JOBS,
  type SystemJobName,
} from '../queues';
import { type JobTable, runJob, startJobTable } from './job-table';
import { ScheduleKeeper } from './schedule-keeper';

/**
 * The `system` queue, driven by BullMQ job schedulers: a heartbeat (its age is in the worker's
 * health report) and the overdue-loan check that raises operators' alerts through the outbox.
 */
@Processor(SYSTEM_QUEUE)
export class SystemProcessor extends WorkerHost implements OnApplicationBootstrap {
  private readonly jobs: JobTable<SystemJobName>;

  constructor(
    @InjectQueue(SYSTEM_QUEUE) private readonly queue: Queue,
    @Inject(REDIS_CLIENT) private readonly redis: Redis,
    @Inject(APP_CONFIG) config: AppConfig,
    private readonly clock: Clock,
    private readonly loans: LoanService,
    private readonly keeper: ScheduleKeeper,
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly exports: ExportService,
    private readonly privacy: PrivacyService,
  ) {
    super();
    const heartbeatSeconds = config.worker.heartbeatSeconds;
    this.jobs = {
      'worker.heartbeat': {
        repeat: { every: heartbeatSeconds * 1000 },
        options: { removeOnComplete: 100, removeOnFail: 500 },
        handle: async () => {
          const at = this.clock.now().toISOString();
          await this.redis.set(HEARTBEAT_KEY, at, 'EX', heartbeatSeconds * 4);
          return { at };
        },
      },
      'loan.flag_overdue': {
        repeat: { every: OVERDUE_CHECK_SECONDS * 1000 },
        options: {
          removeOnComplete: 100,
          removeOnFail: 500,
          attempts: 3,
          backoff: { type: 'exponential', delay: 1000 },
        },
        handle: async () => ({ flagged: await this.loans.flagOverdue(this.clock.now()) }),
      },
      // Retention: stored Idempotency-Key answers (IDEMPOTENCY_TTL_HOURS), published outbox rows
      // (OUTBOX_RETENTION_DAYS; dead rows stay), finished data packages (EXPORT_RETENTION_DAYS).
      'idempotency.prune': {
        repeat: { every: 3600_000 },
        options: {
          removeOnComplete: 100,
          removeOnFail: 500,
          attempts: 3,
          backoff: { type: 'exponential', delay: 5000 },
        },
        handle: async () => ({
          deleted: await pruneIdempotencyRecords(this.dataSource, this.clock.now(), config.idempotency.ttlHours),
        }),
      },
      'outbox.prune': {
        repeat: { every: 3600_000 },
        options: {
          removeOnComplete: 100,
          removeOnFail: 500,
          attempts: 3,
          backoff: { type: 'exponential', delay: 5000 },
        },
        handle: async () => ({
          deleted: await pruneOutbox(this.dataSource, this.clock.now(), config.outbox.retentionDays),
        }),
      },
      'export.delete_expired': {
        repeat: { pattern: '15 3 * * *', tz: 'America/Bogota' },
        options: {
          removeOnComplete: 100,
          removeOnFail: 500,
          attempts: 3,
          backoff: { type: 'exponential', delay: 60_000 },
        },
        handle: async () => this.exports.deleteExpired(this.clock.now()),
      },
      // Riders' personal data after the pilot (RIDER_RETENTION_DAYS): a no-op while the pilot runs.
      'riders.anonymise_expired': {
        repeat: { pattern: RIDER_RETENTION_CRON, tz: 'America/Bogota' },
        options: {
          removeOnComplete: 100,
          removeOnFail: 500,
          attempts: 3,
          backoff: { type: 'exponential', delay: 60_000 },
        },
        handle: async () => this.privacy.anonymiseExpired(this.clock.now()),
      },
    };
  }

  async onApplicationBootstrap(): Promise<void> {
    await startJobTable(this.queue, SYSTEM_JOBS, this.jobs);
    this.keeper.register(this.queue, this.jobs);
  }

  process(job: Job): Promise<unknown> {
    return runJob(SYSTEM_QUEUE, this.jobs, job);
  }
}
