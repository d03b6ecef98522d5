import { Inject, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { InjectQueue, Processor, WorkerHost } from '@nestjs/bullmq';
import type { Job, Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { Clock } from '@metrobici/common';
import { APP_CONFIG, type AppConfig } from '@metrobici/config';
import { REDIS_CLIENT } from '@metrobici/redis';
import { HEARTBEAT_KEY, SYSTEM_QUEUE, SYSTEM_JOBS, type SystemJobName } from '../queues';

/**
 * The `system` queue: a heartbeat scheduled with a BullMQ job scheduler proves that jobs are
 * enqueued, picked up and processed end to end; the health endpoint reports its age.
 */
@Processor(SYSTEM_QUEUE)
export class SystemProcessor extends WorkerHost implements OnApplicationBootstrap {
  private readonly logger = new Logger(SystemProcessor.name);

  constructor(
    @InjectQueue(SYSTEM_QUEUE) private readonly queue: Queue,
    @Inject(REDIS_CLIENT) private readonly redis: Redis,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly clock: Clock,
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
  }

  async process(job: Job): Promise<unknown> {
    const name = job.name as SystemJobName;
    switch (name) {
      case 'worker.heartbeat': {
        const at = this.clock.now().toISOString();
        await this.redis.set(HEARTBEAT_KEY, at, 'EX', this.config.worker.heartbeatSeconds * 4);
        return { at };
      }
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
      return;
    default: {
      const unhandled: never = name;
      throw new Error(`Job ${String(unhandled)} has no handler`);
    }
  }
}
