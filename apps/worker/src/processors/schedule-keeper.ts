import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import type { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { REDIS_CLIENT } from '@metrobici/redis';
import type { JobTable } from './job-table';

/** How often the schedulers are checked even without a reconnection (Redis may restart between two checks). */
export const SCHEDULE_CHECK_MS = 30_000;

export type KeptQueue = Pick<Queue, 'name' | 'getJobScheduler' | 'upsertJobScheduler'>;

/**
 * Keeps the job schedulers of every queue's table alive. A Redis that restarts without its data
 * (no persistence, a failover to an empty replica, FLUSHALL) takes the schedulers with it, and
 * BullMQ does not re-create them: no heartbeat, no overdue flagging, no station samples until
 * someone restarts the worker. Each processor registers its table after start-up; the keeper
 * re-creates what is missing after every Redis reconnection and every SCHEDULE_CHECK_MS.
 */
@Injectable()
export class ScheduleKeeper implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(ScheduleKeeper.name);
  private readonly kept: Array<{ queue: KeptQueue; table: JobTable<string> }> = [];
  private timer?: NodeJS.Timeout;
  private checking?: Promise<number>;
  private readonly onReady = () => void this.check();

  constructor(@Inject(REDIS_CLIENT) private readonly redis: Redis) {}

  register(queue: KeptQueue, table: JobTable<string>): void {
    this.kept.push({ queue, table });
  }

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => void this.check(), SCHEDULE_CHECK_MS);
    this.timer.unref();
    // `ready` comes again after every reconnection: the moment a lost Redis is back.
    this.redis.on('ready', this.onReady);
  }

  onApplicationShutdown(): void {
    if (this.timer) clearInterval(this.timer);
    this.redis.off('ready', this.onReady);
  }

  /** Re-creates every missing scheduler; returns how many. One check at a time; errors wait for the next. */
  check(): Promise<number> {
    this.checking ??= this.recreateMissing().finally(() => (this.checking = undefined));
    return this.checking;
  }

  private async recreateMissing(): Promise<number> {
    let recreated = 0;
    try {
      for (const { queue, table } of this.kept) {
        for (const [name, entry] of Object.entries(table)) {
          if (!entry.repeat) continue;
          if (await queue.getJobScheduler(name)) continue;
          await queue.upsertJobScheduler(name, entry.repeat, { name, opts: entry.options });
          recreated++;
          this.logger.warn(
            `Queue ${queue.name}: job scheduler ${name} was missing (Redis lost its data?); re-created.`,
          );
        }
      }
    } catch (error) {
      this.logger.debug(`Schedulers not checked (Redis unavailable?): ${(error as Error).message}`);
    }
    return recreated;
  }
}
