import { Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { Processor, WorkerHost } from '@nestjs/bullmq';
import { type Job, UnrecoverableError } from 'bullmq';
import { type AggregateOutcome, StatsService } from '@metrobici/stats';
import { TRIPS_CONCURRENCY, TRIPS_JOBS, TRIPS_QUEUE, type TripAggregateJob, type TripsJobName } from '../queues';
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
  private readonly logger = new Logger(TripsProcessor.name);
  private readonly batcher = new MicroBatcher<string, AggregateOutcome>((ids) => this.stats.aggregateTrips(ids), {
    maxSize: TRIPS_CONCURRENCY,
    maxWaitMs: 5,
  });

  constructor(private readonly stats: StatsService) {
    super();
  }

  onApplicationBootstrap(): void {
    for (const name of TRIPS_JOBS) assertHandled(name);
  }

  async process(job: Job): Promise<unknown> {
    const name = job.name as TripsJobName;
    switch (name) {
      case 'trip.aggregate': {
        const data = job.data as Partial<TripAggregateJob> | null;
        if (typeof data?.loanId !== 'string' || !UUID.test(data.loanId))
          throw new UnrecoverableError(`invalid payload: ${JSON.stringify(job.data)}`);
        const outcome = await this.batcher.submit(data.loanId);
        if (outcome === undefined) throw new UnrecoverableError(`loan ${data.loanId} does not exist`);
        return { loanId: data.loanId, outcome };
      }
      default: {
        const unhandled: never = name;
        this.logger.error(`No handler for job ${String(unhandled)}`);
        throw new UnrecoverableError(`No handler for job ${String(unhandled)}`);
      }
    }
  }
}

/** Fails start-up when a declared job name has no case in `process`. */
function assertHandled(name: TripsJobName): void {
  switch (name) {
    case 'trip.aggregate':
      return;
    default: {
      const unhandled: never = name;
      throw new Error(`Job ${String(unhandled)} has no handler`);
    }
  }
}
