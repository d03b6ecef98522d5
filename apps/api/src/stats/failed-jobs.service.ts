import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { DomainError } from '@metrobici/common';
import { APP_CONFIG, type AppConfig } from '@metrobici/config';
import { REDIS_CLIENT, redisConnectionOptions } from '@metrobici/redis';

/** The worker's BullMQ prefix (apps/worker/src/worker.module.ts). */
const PREFIX = 'metrobici';

export interface FailedJobView {
  queue: string;
  name: string;
  id: string;
  data: unknown;
  failedReason: string;
  attemptsMade: number;
  /** When the job was created, and when it last failed (ISO 8601). */
  timestamp: string;
  failedAt: string | null;
}

/**
 * The dead-letter view: jobs of the worker's queues that used up their attempts (or failed for
 * good), read through BullMQ from the API, and their manual retry. Queues are found in Redis by
 * their `meta` key, so a queue added to the worker shows up here without a change.
 */
@Injectable()
export class FailedJobsService implements OnApplicationShutdown {
  private readonly queues = new Map<string, Queue>();

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(REDIS_CLIENT) private readonly redis: Redis,
  ) {}

  async list(filter: { queue?: string; limit?: number }): Promise<FailedJobView[]> {
    const names = filter.queue ? [await this.known(filter.queue)] : await this.queueNames();
    const limit = filter.limit ?? 100;
    const perQueue = await Promise.all(
      names.map(async (name) => {
        const jobs = await this.queue(name).getFailed(0, limit - 1);
        return jobs.filter(Boolean).map((job): FailedJobView => ({
          queue: name,
          name: job.name,
          id: String(job.id),
          data: job.data,
          failedReason: job.failedReason ?? '',
          attemptsMade: job.attemptsMade,
          timestamp: new Date(job.timestamp).toISOString(),
          failedAt: job.finishedOn ? new Date(job.finishedOn).toISOString() : null,
        }));
      }),
    );
    return perQueue.flat().sort((a, b) => (b.failedAt ?? b.timestamp).localeCompare(a.failedAt ?? a.timestamp));
  }

  /** Moves a failed job back to waiting with fresh attempts. */
  async retry(queueName: string, id: string): Promise<{ queue: string; id: string; state: string }> {
    const queue = this.queue(await this.known(queueName));
    const job = await queue.getJob(id);
    if (!job)
      throw new DomainError('JOB_NOT_FOUND', 'El trabajo no existe (o ya se eliminó).', { queue: queueName, id });
    const state = await job.getState();
    if (state !== 'failed')
      throw new DomainError('JOB_NOT_FAILED', `El trabajo no está fallido (${state}).`, {
        queue: queueName,
        id,
        state,
      });
    await job.retry('failed');
    return { queue: queueName, id, state: await job.getState() };
  }

  async onApplicationShutdown(): Promise<void> {
    await Promise.all([...this.queues.values()].map((q) => q.close().catch(() => undefined)));
    this.queues.clear();
  }

  private async known(name: string): Promise<string> {
    if (!(await this.queueNames()).includes(name))
      throw new DomainError('JOB_NOT_FOUND', `No existe la cola ${name}.`, { queue: name });
    return name;
  }

  private async queueNames(): Promise<string[]> {
    const names = new Set<string>();
    let cursor = '0';
    do {
      const [next, keys] = await this.redis.scan(cursor, 'MATCH', `${PREFIX}:*:meta`, 'COUNT', 1000);
      cursor = next;
      for (const key of keys) names.add(key.slice(PREFIX.length + 1, -':meta'.length));
    } while (cursor !== '0');
    return [...names].sort();
  }

  private queue(name: string): Queue {
    let queue = this.queues.get(name);
    if (!queue) {
      queue = new Queue(name, { connection: redisConnectionOptions(this.config.redis.url), prefix: PREFIX });
      this.queues.set(name, queue);
    }
    return queue;
  }
}
