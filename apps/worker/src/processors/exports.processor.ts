import { Inject, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { InjectQueue, Processor, WorkerHost } from '@nestjs/bullmq';
import type { Job, Queue } from 'bullmq';
import { BOGOTA_TIME_ZONE, Clock } from '@metrobici/common';
import { APP_CONFIG, type AppConfig } from '@metrobici/config';
import { ExportService } from '@metrobici/exports';
import { EXPORTS_JOBS, EXPORTS_QUEUE, type ExportsJobName } from '../queues';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * The `exports` queue: `export.build` (enqueued by the outbox relay for each `export.requested`
 * row, jobId = outbox id) builds one data package; `export.nightly` (a job scheduler on
 * NIGHTLY_EXPORT_CRON, Bogotá time) requests the package of the previous local day. One job at a
 * time: a package is heavy on the database and the disk.
 */
@Processor(EXPORTS_QUEUE, { concurrency: 1 })
export class ExportsProcessor extends WorkerHost implements OnApplicationBootstrap {
  private readonly logger = new Logger(ExportsProcessor.name);

  constructor(
    @InjectQueue(EXPORTS_QUEUE) private readonly queue: Queue,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly clock: Clock,
    private readonly exports: ExportService,
  ) {
    super();
  }

  async onApplicationBootstrap(): Promise<void> {
    for (const name of EXPORTS_JOBS) assertHandled(name);
    const cron = this.config.exports.nightlyCron;
    if (cron) {
      await this.queue.upsertJobScheduler(
        'export.nightly',
        { pattern: cron, tz: BOGOTA_TIME_ZONE },
        {
          name: 'export.nightly',
          opts: {
            removeOnComplete: 30,
            removeOnFail: 100,
            attempts: 3,
            backoff: { type: 'exponential', delay: 10_000 },
          },
        },
      );
    } else {
      await this.queue.removeJobScheduler('export.nightly');
    }
  }

  async process(job: Job): Promise<unknown> {
    const name = job.name as ExportsJobName;
    switch (name) {
      case 'export.build': {
        const exportId = (job.data as { exportId?: unknown } | undefined)?.exportId;
        // A malformed payload will not get better with retries.
        if (typeof exportId !== 'string' || !UUID.test(exportId))
          throw new Error(`export.build needs a UUID exportId, got ${JSON.stringify(job.data)}`);
        const finalAttempt = job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
        return this.exports.build(exportId, { finalAttempt });
      }
      case 'export.nightly':
        return { exportId: await this.exports.requestNightly(this.clock.now()) };
      default: {
        const unhandled: never = name;
        this.logger.error(`No handler for job ${String(unhandled)}`);
        throw new Error(`No handler for job ${String(unhandled)}`);
      }
    }
  }
}

/** Fails start-up when a declared job name has no case in `process`. */
function assertHandled(name: ExportsJobName): void {
  switch (name) {
    case 'export.build':
    case 'export.nightly':
      return;
    default: {
      const unhandled: never = name;
      throw new Error(`Job ${String(unhandled)} has no handler`);
    }
  }
}
