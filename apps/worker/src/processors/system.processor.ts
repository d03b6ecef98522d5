import { Inject, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { InjectQueue, Processor, WorkerHost } from '@nestjs/bullmq';
import type { Job, Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { Clock } from '@metrobici/common';
import { APP_CONFIG, type AppConfig } from '@metrobici/config';
import { REDIS_CLIENT } from '@metrobici/redis';
import { LoanService } from '@metrobici/loans';
import { HEARTBEAT_KEY, OVERDUE_CHECK_SECONDS, SYSTEM_QUEUE, SYSTEM_JOBS, type SystemJobName } from '../queues';

/**
 * The `system` queue, driven by BullMQ job schedulers: a heartbeat (its age is in the worker's
 * health report) and the overdue-loan check that raises operators' alerts through the outbox.
 */
@Processor(SYSTEM_QUEUE)
export class SystemProcessor extends WorkerHost implements OnApplicationBootstrap {
  private readonly logger = new Logger(SystemProcessor.name);

  constructor(
    @InjectQueue(SYSTEM_QUEUE) private readonly queue: Queue,
    @Inject(REDIS_CLIENT) private readonly redis: Redis,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly clock: Clock,
    private readonly loans: LoanService,
  ) {
    super();
  }

  async onApplicationBootstrap(): Promise<void> {
    for (const name of SYSTEM_JOBS) assertHandled(name);
    await this.queue.upsertJobScheduler(
      'worker.heartbeat',
      { every: this.config.worker.heartbeatSeconds * 1000 },
      { name: 'worker.heartbeat', opts: { removeOnComplete: 100, removeOnFail: 500 } },
    );
    await this.queue.upsertJobScheduler(
      'loan.flag_overdue',
      { every: OVERDUE_CHECK_SECONDS * 1000 },
      {
        name: 'loan.flag_overdue',
        opts: { removeOnComplete: 100, removeOnFail: 500, attempts: 3, backoff: { type: 'exponential', delay: 1000 } },
      },
    );
  }

  async process(job: Job): Promise<unknown> {
    const name = job.name as SystemJobName;
    switch (name) {
      case 'worker.heartbeat': {
        const at = this.clock.now().toISOString();
        await this.redis.set(HEARTBEAT_KEY, at, 'EX', this.config.worker.heartbeatSeconds * 4);
        return { at };
      }
      case 'loan.flag_overdue':
        return { flagged: await this.loans.flagOverdue(this.clock.now()) };
      default: {
        const unhandled: never = name;
        this.logger.error(`No handler for job ${String(unhandled)}`);
        throw new Error(`No handler for job ${String(unhandled)}`);
      }
    }
  }
}

/** Fails start-up when a declared job name has no case in `process`. */
function assertHandled(name: SystemJobName): void {
  switch (name) {
    case 'worker.heartbeat':
    case 'loan.flag_overdue':
      return;
    default: {
      const unhandled: never = name;
      throw new Error(`Job ${String(unhandled)} has no handler`);
    }
  }
}
