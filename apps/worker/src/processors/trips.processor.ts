import { type OnApplicationBootstrap } from '@nestjs/common';
import { InjectQueue, Processor, WorkerHost } from '@nestjs/bullmq';
import { type Job, type Queue, UnrecoverableError } from 'bullmq';
import { type AggregateOutcome, StatsService } from '@metrobici/stats';
import {
  TRIP_JOB_OPTIONS,
  TRIPS_CONCURRENCY,
  TRIPS_JOBS,
  TRIPS_QUEUE,
  type TripAggregateJob,
  type TripsJobName,
} from '../queues';
import { type JobTable, runJob, startJobTable } from './job-table';
import { MicroBatcher } from './micro-batcher';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * The `trips` queue: one `trip.aggregate` job per closed trip segment, enqueued by the outbox
 * relay. The handler reloads the loan and writes its fact idempotently, so at-least-once delivery,
 * repeats and any order give the same statistics. Jobs running at the same moment share one
 * statement (`MicroBatcher`), each still completing or failing on its own. A payload that can
 * never succeed (malformed, or a loan that does not exist) fails at once instead of retrying.
 */
@Processor(TRIPS_QUEUE, { concurrency: TRIPS_CONCURRENCY })
export class TripsProcessor extends WorkerHost implements OnApplicationBootstrap {
  private readonly batcher = new MicroBatcher<string, AggregateOutcome>((ids) => this.stats.aggregateTrips(ids), {
    maxSize: TRIPS_CONCURRENCY,
    maxWaitMs: 5,
  });
  private readonly jobs: JobTable<TripsJobName> = {
    'trip.aggregate': {
      options: TRIP_JOB_OPTIONS,
      handle: async (job) => {
        const data = job.data as Partial<TripAggregateJob> | null;
        if (typeof data?.loanId !== 'string' || !UUID.test(data.loanId))
          throw new UnrecoverableError(`invalid payload: ${JSON.stringify(job.data)}`);
        const outcome = await this.batcher.submit(data.loanId);
        if (outcome === undefined) throw new UnrecoverableError(`loan ${data.loanId} does not exist`);
        return { loanId: data.loanId, outcome };
      },
    },
  };

  constructor(
    @InjectQueue(TRIPS_QUEUE) private readonly queue: Queue,
    private readonly stats: StatsService,
  ) {
    super();
  }

  async onApplicationBootstrap(): Promise<void> {
    await startJobTable(this.queue, TRIPS_JOBS, this.jobs);
  }

  process(job: Job): Promise<unknown> {
    return runJob(TRIPS_QUEUE, this.jobs, job);
  }
}
