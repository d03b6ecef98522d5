import { Inject, type OnApplicationBootstrap } from '@nestjs/common';
import { InjectQueue, Processor, WorkerHost } from '@nestjs/bullmq';
import type { Job, Queue } from 'bullmq';
import { APP_CONFIG, type AppConfig } from '@metrobici/config';
import { StatsService } from '@metrobici/stats';
import { STATS_JOBS, STATS_QUEUE, type StatsJobName } from '../queues';
import { type JobTable, runJob, startJobTable } from './job-table';
import { ReconciliationJob } from './reconciliation-job';
import { ScheduleKeeper } from './schedule-keeper';

/**
 * The `stats` queue, driven by BullMQ job schedulers: `station.sample` records every public
 * station's bikes and free spaces each STATION_SAMPLE_SECONDS during opening hours (the empty-time
 * and full-time KPIs). Samples are keyed by station and minute, so a retry adds nothing.
 * `stats.reconcile` compares counters and trip facts every RECONCILE_EVERY_MINUTES (idempotent too).
 */
@Processor(STATS_QUEUE)
export class StatsProcessor extends WorkerHost implements OnApplicationBootstrap {
  private readonly jobs: JobTable<StatsJobName>;

  constructor(
    @InjectQueue(STATS_QUEUE) private readonly queue: Queue,
    @Inject(APP_CONFIG) config: AppConfig,
    private readonly stats: StatsService,
    private readonly reconciliation: ReconciliationJob,
    private readonly keeper: ScheduleKeeper,
  ) {
    super();
    this.jobs = {
      'station.sample': {
        repeat: { every: config.stats.stationSampleSeconds * 1000 },
        options: {
          removeOnComplete: 100,
          removeOnFail: 500,
          attempts: 3,
          backoff: { type: 'exponential', delay: 1000 },
        },
        handle: () => this.stats.sampleStations(),
      },
      'stats.reconcile': {
        repeat: { every: config.worker.reconcileEveryMinutes * 60_000 },
        options: { removeOnComplete: 50, removeOnFail: 200, attempts: 2, backoff: { type: 'fixed', delay: 30_000 } },
        handle: async () => {
          const r = await this.reconciliation.run();
          return { drift: r.counterDrift.length, missingTripFacts: r.missingTripFacts, repaired: r.repairedTripFacts };
        },
      },
    };
  }

  async onApplicationBootstrap(): Promise<void> {
    await startJobTable(this.queue, STATS_JOBS, this.jobs);
    this.keeper.register(this.queue, this.jobs);
  }

  process(job: Job): Promise<unknown> {
    return runJob(STATS_QUEUE, this.jobs, job);
  }
}
