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

/** Trip segments announced by `loan.closed` outbox rows, one job each (`jobId` = `outbox-<row id>`). */
export const TRIPS_QUEUE = 'trips';
export const TRIPS_JOBS = ['trip.aggregate'] as const;
export type TripsJobName = (typeof TRIPS_JOBS)[number];
export interface TripAggregateJob {
  loanId: string;
}
/** Retried with backoff; completed and failed jobs are kept for a bounded time (failed ones form the dead-letter view). */
export const TRIP_JOB_OPTIONS = {
  attempts: 5,
  backoff: { type: 'exponential', delay: 2000 },
  removeOnComplete: { count: 10_000, age: 24 * 3600 },
  removeOnFail: { count: 10_000, age: 14 * 24 * 3600 },
} as const;
/** Jobs in progress at once; those that arrive together are written in one statement. */
export const TRIPS_CONCURRENCY = 64;

/** Statistics housekeeping driven by job schedulers: station samples for empty/full time. */
export const STATS_QUEUE = 'stats';
export const STATS_JOBS = ['station.sample', 'stats.reconcile'] as const;
export type StatsJobName = (typeof STATS_JOBS)[number];
