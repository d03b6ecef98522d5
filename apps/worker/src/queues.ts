/** Queues and job names, one closed set each; every name needs a handler or the worker will not start. */
export const SYSTEM_QUEUE = 'system';

export const SYSTEM_JOBS = [
  'worker.heartbeat',
  'loan.flag_overdue',
  'idempotency.prune',
  'outbox.prune',
  'export.delete_expired',
  'riders.anonymise_expired',
] as const;
export type SystemJobName = (typeof SYSTEM_JOBS)[number];

export const HEARTBEAT_KEY = 'metrobici:worker:heartbeat';
export const OVERDUE_CHECK_SECONDS = 60;
/** Retention of riders' data after the pilot: checked daily at 03:45 Bogotá time. */
export const RIDER_RETENTION_CRON = '45 3 * * *';

/** Data packages (zip files for the advisers): built on request, nightly, and when the pilot closes. */
export const EXPORTS_QUEUE = 'exports';

export const EXPORTS_JOBS = ['export.build', 'export.nightly'] as const;
export type ExportsJobName = (typeof EXPORTS_JOBS)[number];
/** `export.build`, as the outbox relay enqueues it (jobId = `outbox-<row id>`). */
export const EXPORT_BUILD_JOB_OPTIONS = {
  attempts: 3,
  backoff: { type: 'exponential', delay: 5000 },
  removeOnComplete: 100,
  removeOnFail: 500,
} as const;

/**
 * Trip segments announced by `loan.closed` outbox rows. The relay enqueues one `trips.aggregate`
 * job per published outbox batch, carrying the loans of its trip-ending rows (jobId
 * `trips-<first row id>-<last row id>`, so a batch published again after a crash enqueues nothing
 * new): Redis holds a few hundred jobs for 100,000 trips instead of 100,000.
 */
export const TRIPS_QUEUE = 'trips';
export const TRIPS_JOBS = ['trips.aggregate', 'trip.aggregate'] as const;
export type TripsJobName = (typeof TRIPS_JOBS)[number];
export interface TripsAggregateJob {
  /** Ids of the first and last trip-ending `loan.closed` rows of the batch (bigint as text). */
  fromOutboxId: string;
  toOutboxId: string;
  /** Distinct loans of those rows; the facts are derived from the loans, not from the payloads. */
  loanIds: string[];
}
/** One trip per job, as enqueued before range jobs: still handled for jobs left in Redis (waiting or failed) by an upgrade. */
export interface TripAggregateJob {
  loanId: string;
}
export const tripsJobId = (fromOutboxId: string, toOutboxId: string): string => `trips-${fromOutboxId}-${toOutboxId}`;
/** A payload with more loans than this is not one the relay wrote (its batches are far smaller). */
export const TRIPS_JOB_MAX_LOANS = 20_000;
/** Loans per statement: a big job is written in slices so the worker's memory does not grow with it. */
export const TRIPS_STATEMENT_LOANS = 1_000;
/**
 * Retried with backoff; completed and failed jobs are kept for a bounded time (failed ones form the
 * dead-letter view). Each job carries up to a relay batch of loan ids (~20 KB), so the counts stay
 * in the hundreds: a thousand completed jobs already cover hundreds of thousands of trips.
 */
export const TRIP_JOB_OPTIONS = {
  attempts: 5,
  backoff: { type: 'exponential', delay: 2000 },
  removeOnComplete: { count: 1_000, age: 24 * 3600 },
  removeOnFail: { count: 1_000, age: 14 * 24 * 3600 },
} as const;
/**
 * Jobs in progress at once. Each is one set-based statement per slice, so a couple in parallel
 * keep PostgreSQL busy while the next batch is relayed; more only queue on the same cores.
 */
export const TRIPS_CONCURRENCY = 2;

/** Statistics housekeeping driven by job schedulers: station samples for empty/full time. */
export const STATS_QUEUE = 'stats';
export const STATS_JOBS = ['station.sample', 'stats.reconcile'] as const;
export type StatsJobName = (typeof STATS_JOBS)[number];
