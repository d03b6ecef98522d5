/** Queues and job names, one closed set each; every name needs a handler or the worker will not start. */
export const SYSTEM_QUEUE = 'system';

export const SYSTEM_JOBS = ['worker.heartbeat', 'loan.flag_overdue'] as const;
export type SystemJobName = (typeof SYSTEM_JOBS)[number];

export const HEARTBEAT_KEY = 'metrobici:worker:heartbeat';
export const OVERDUE_CHECK_SECONDS = 60;
