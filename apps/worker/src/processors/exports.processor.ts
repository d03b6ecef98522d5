import { Inject, type OnApplicationBootstrap } from '@nestjs/common';
import { InjectQueue, Processor, WorkerHost } from '@nestjs/bullmq';
import type { Job, Queue } from 'bullmq';
import { BOGOTA_TIME_ZONE, Clock } from '@metrobici/common';
import { APP_CONFIG, type AppConfig } from '@metrobici/config';
import { ExportService } from '@metrobici/exports';
import { EXPORT_BUILD_JOB_OPTIONS, EXPORTS_JOBS, EXPORTS_QUEUE, type ExportsJobName } from '../queues';
import { type JobTable, runJob, startJobTable } from './job-table';
import { ScheduleKeeper } from './schedule-keeper';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * The `exports` queue: `export.build` (enqueued by the outbox relay for each `export.requested`
 * row, jobId = outbox id) builds one data package; `export.nightly` (a job scheduler on
 * NIGHTLY_EXPORT_CRON, Bogotá time) requests the package of the previous local day. One job at a
 * time: a package is heavy on the database and the disk.
 */
@Processor(EXPORTS_QUEUE, { concurrency: 1 })
export class ExportsProcessor extends WorkerHost implements OnApplicationBootstrap {
  private readonly jobs: JobTable<ExportsJobName>;

  constructor(
    @InjectQueue(EXPORTS_QUEUE) private readonly queue: Queue,
    @Inject(APP_CONFIG) config: AppConfig,
    private readonly clock: Clock,
    private readonly exports: ExportService,
    private readonly keeper: ScheduleKeeper,
  ) {
    super();
    const cron = config.exports.nightlyCron;
    this.jobs = {
      'export.build': {
        options: EXPORT_BUILD_JOB_OPTIONS,
        handle: async (job) => {
          const exportId = (job.data as { exportId?: unknown } | undefined)?.exportId;
          // A malformed payload will not get better with retries.
          if (typeof exportId !== 'string' || !UUID.test(exportId))
            throw new Error(`export.build needs a UUID exportId, got ${JSON.stringify(job.data)}`);
          const finalAttempt = job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
          return this.exports.build(exportId, { finalAttempt });
        },
      },
      'export.nightly': {
        repeat: cron ? { pattern: cron, tz: BOGOTA_TIME_ZONE } : null,
        options: {
          removeOnComplete: 30,
          removeOnFail: 100,
          attempts: 3,
          backoff: { type: 'exponential', delay: 10_000 },
        },
        handle: async () => ({ exportId: await this.exports.requestNightly(this.clock.now()) }),
      },
    };
  }

  async onApplicationBootstrap(): Promise<void> {
    await startJobTable(this.queue, EXPORTS_JOBS, this.jobs);
    this.keeper.register(this.queue, this.jobs);
  }

  process(job: Job): Promise<unknown> {
    return runJob(EXPORTS_QUEUE, this.jobs, job);
  }
}
