import { type OnApplicationBootstrap } from '@nestjs/common';
import { InjectQueue, Processor, WorkerHost } from '@nestjs/bullmq';
import { type Job, type Queue, UnrecoverableError } from 'bullmq';
import { type AggregateOutcome, StatsService } from '@metrobici/stats';
import {
  TRIP_JOB_OPTIONS,
  TRIPS_CONCURRENCY,
  TRIPS_JOB_MAX_LOANS,
  TRIPS_JOBS,
  TRIPS_QUEUE,
  TRIPS_STATEMENT_LOANS,
  type TripAggregateJob,
  type TripsAggregateJob,
  type TripsJobName,
} from '../queues';
import { type JobTable, runJob, startJobTable } from './job-table';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const OUTBOX_ID = /^[1-9][0-9]{0,18}$/;
/** Missing loans named in a failure reason; the rest are counted (the reason is shown to admins). */
const NAMED_MISSING = 10;

/** What a job did, as stored with the completed job: counts only, so it stays small whatever the batch. */
export type TripsAggregateResult = Record<AggregateOutcome, number>;

/**
 * The `trips` queue: one `trips.aggregate` job per relay batch, carrying the loans whose trip
 * segments the batch's `loan.closed` rows announced. The handler reloads the loans and writes
 * their facts idempotently, in set-based slices of TRIPS_STATEMENT_LOANS (one statement and one
 * commit each), so at-least-once delivery, overlapping ranges, repeats and any order give the same
 * statistics. A payload that can never succeed (malformed, or naming a loan that does not exist)
 * fails at once instead of retrying: the loans that exist are written first, so only the
 * missing ones wait for an admin's retry from the dead-letter view.
 */
@Processor(TRIPS_QUEUE, { concurrency: TRIPS_CONCURRENCY })
export class TripsProcessor extends WorkerHost implements OnApplicationBootstrap {
  private readonly jobs: JobTable<TripsJobName> = {
    'trips.aggregate': {
      options: TRIP_JOB_OPTIONS,
      handle: async (job) => {
        const data = tripsPayload(job.data);
        return {
          fromOutboxId: data.fromOutboxId,
          toOutboxId: data.toOutboxId,
          ...(await this.aggregate(data.loanIds)),
        };
      },
    },
    // Jobs of one trip each, enqueued before range jobs existed, may still wait or sit in the
    // dead-letter view after an upgrade; they run through the same path.
    'trip.aggregate': {
      options: TRIP_JOB_OPTIONS,
      handle: async (job) => {
        const data = job.data as Partial<TripAggregateJob> | null;
        if (typeof data?.loanId !== 'string' || !UUID.test(data.loanId))
          throw new UnrecoverableError(`invalid payload: ${JSON.stringify(job.data)}`);
        return { loanId: data.loanId, ...(await this.aggregate([data.loanId])) };
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

  /** Writes the facts slice by slice (each slice commits on its own: a retry redoes only no-ops). */
  private async aggregate(ids: readonly string[]): Promise<TripsAggregateResult> {
    const loanIds = [...new Set(ids)];
    const counts: TripsAggregateResult = { inserted: 0, duplicate: 0, not_a_trip: 0 };
    const missing: string[] = [];
    let missingCount = 0;
    for (let i = 0; i < loanIds.length; i += TRIPS_STATEMENT_LOANS) {
      const slice = await this.stats.aggregateTripBatch(loanIds.slice(i, i + TRIPS_STATEMENT_LOANS));
      counts.inserted += slice.inserted;
      counts.duplicate += slice.duplicate;
      counts.not_a_trip += slice.not_a_trip;
      missingCount += slice.missing.length;
      missing.push(...slice.missing.slice(0, NAMED_MISSING - missing.length));
    }
    if (missingCount === 1) throw new UnrecoverableError(`loan ${missing[0]} does not exist`);
    if (missingCount > 1) {
      const more = missingCount > missing.length ? ` and ${missingCount - missing.length} more` : '';
      throw new UnrecoverableError(`${missingCount} loans do not exist: ${missing.join(', ')}${more}`);
    }
    return counts;
  }
}

/** The job's data as the relay writes it, or an UnrecoverableError (retrying cannot fix a payload). */
function tripsPayload(raw: unknown): TripsAggregateJob {
  if (isTripsPayload(raw)) return raw;
  // The whole payload may be thousands of ids: the reason quotes its start.
  const shown = JSON.stringify(raw) ?? String(raw);
  throw new UnrecoverableError(`invalid payload: ${shown.length > 300 ? `${shown.slice(0, 300)}…` : shown}`);
}

function isTripsPayload(raw: unknown): raw is TripsAggregateJob {
  const data = raw as Partial<TripsAggregateJob> | null;
  return (
    typeof data?.fromOutboxId === 'string' &&
    typeof data.toOutboxId === 'string' &&
    OUTBOX_ID.test(data.fromOutboxId) &&
    OUTBOX_ID.test(data.toOutboxId) &&
    BigInt(data.fromOutboxId) <= BigInt(data.toOutboxId) &&
    Array.isArray(data.loanIds) &&
    data.loanIds.length > 0 &&
    data.loanIds.length <= TRIPS_JOB_MAX_LOANS &&
    data.loanIds.every((id: unknown) => typeof id === 'string' && UUID.test(id))
  );
}
