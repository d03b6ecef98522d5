import { type Job, type JobsOptions, type Queue, type RepeatOptions, UnrecoverableError } from 'bullmq';

/** What a queue does with one job name, and how such jobs are enqueued. */
export interface JobEntry {
  handle(job: Job): Promise<unknown>;
  /** Options of the jobs of this name (the scheduler's template, or what enqueuers pass). */
  options: JobsOptions;
  /**
   * A job scheduler keyed by the job name runs it on this repeat; `null` removes that scheduler
   * (e.g. a cron switched off by configuration); absent: enqueued by others (the outbox relay).
   */
  repeat?: Omit<RepeatOptions, 'key'> | null;
}

/** One queue's handlers: a job name without an entry does not compile. */
export type JobTable<Name extends string> = Readonly<Record<Name, JobEntry>>;

/** The part of a BullMQ queue the boot check needs (a `Queue`, or a fake in a spec). */
export type SchedulingQueue = Pick<Queue, 'name' | 'upsertJobScheduler' | 'removeJobScheduler' | 'getJobSchedulers'>;

/**
 * Boot check and schedulers of one queue: fails start-up when a declared job name (what the code
 * enqueues) or a job scheduler stored in Redis (left by this or another version) names a job the
 * table has no handler for; otherwise creates, updates or removes the table's schedulers.
 */
export async function startJobTable(
  queue: SchedulingQueue,
  declared: readonly string[],
  table: JobTable<string>,
): Promise<void> {
  const stored = await queue.getJobSchedulers();
  const unhandled = [
    ...declared.filter((name) => !hasEntry(table, name)),
    ...stored.filter((s) => !hasEntry(table, s.name)).map((s) => `${s.name} (job scheduler ${s.key})`),
  ];
  if (unhandled.length > 0)
    throw new Error(`Queue ${queue.name}: no handler for job ${[...new Set(unhandled)].join(', ')}`);
  for (const [name, entry] of Object.entries(table)) {
    if (entry.repeat === null) await queue.removeJobScheduler(name);
    else if (entry.repeat !== undefined)
      await queue.upsertJobScheduler(name, entry.repeat, { name, opts: entry.options });
  }
}

/** Runs a job through its table entry; a name without one cannot succeed on a retry. */
export async function runJob(queueName: string, table: JobTable<string>, job: Job): Promise<unknown> {
  if (!hasEntry(table, job.name)) throw new UnrecoverableError(`Queue ${queueName}: no handler for job ${job.name}`);
  return table[job.name].handle(job);
}

function hasEntry(table: JobTable<string>, name: string): boolean {
  return Object.prototype.hasOwnProperty.call(table, name);
}
