import { Inject, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { InjectQueue, Processor, WorkerHost } from '@nestjs/bullmq';
import { type Job, type Queue, UnrecoverableError } from 'bullmq';
import { APP_CONFIG, type AppConfig } from '@metrobici/config';
import { StatsService } from '@metrobici/stats';
import { STATS_JOBS, STATS_QUEUE, type StatsJobName } from '../queues';

/**
 * The `stats` queue, driven by BullMQ job schedulers: `station.sample` records every public
 * station's bikes and free spaces each STATION_SAMPLE_SECONDS during opening hours (the empty-time
 * and full-time KPIs). Samples are keyed by station and minute, so a retry adds nothing.
 */
@Processor(STATS_QUEUE)
export class StatsProcessor extends WorkerHost implements OnApplicationBootstrap {
  private readonly logger = new Logger(StatsProcessor.name);

  constructor(
    @InjectQueue(STATS_QUEUE) private readonly queue: Queue,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly stats: StatsService,
  ) {
    super();
  }

  async onApplicationBootstrap(): Promise<void> {
    for (const name of STATS_JOBS) assertHandled(name);
    await this.queue.upsertJobScheduler(
      'station.sample',
      { every: this.config.stats.stationSampleSeconds * 1000 },
      {
        name: 'station.sample',
        opts: { removeOnComplete: 100, removeOnFail: 500, attempts: 3, backoff: { type: 'exponential', delay: 1000 } },
      },
    );
  }

  async process(job: Job): Promise<unknown> {
    const name = job.name as StatsJobName;
    switch (name) {
      case 'station.sample':
        return this.stats.sampleStations();
      default: {
        const unhandled: never = name;
        this.logger.error(`No handler for job ${String(unhandled)}`);
        throw new UnrecoverableError(`No handler for job ${String(unhandled)}`);
      }
    }
  }
}

/** Fails start-up when a declared job name has no case in `process`. */
function assertHandled(name: StatsJobName): void {
  switch (name) {
    case 'station.sample':
      return;
    default: {
      const unhandled: never = name;
      throw new Error(`Job ${String(unhandled)} has no handler`);
    }
  }
}
