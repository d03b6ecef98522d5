import { type BeforeApplicationShutdown, Injectable, Logger } from '@nestjs/common';
import { DiscoveryService } from '@nestjs/core';
import { WorkerHost } from '@nestjs/bullmq';
import type { Worker } from 'bullmq';

/** Longest wait for jobs in progress on shutdown (container runtimes kill after ~10 s). */
export const WORKER_DRAIN_MS = 8_000;

/**
 * Stops every BullMQ worker before anything else shuts down. Nest closes the database pool and
 * the BullMQ workers in the same shutdown phase, in no useful order: a job in progress lost its
 * connection mid-statement. Here the workers stop taking jobs and the current ones finish first;
 * one still running after WORKER_DRAIN_MS is released (it is retried later: handlers are
 * idempotent).
 */
@Injectable()
export class WorkerDrain implements BeforeApplicationShutdown {
  private readonly logger = new Logger('WorkerDrain');

  constructor(private readonly discovery: DiscoveryService) {}

  async beforeApplicationShutdown(): Promise<void> {
    const workers = this.discovery
      .getProviders()
      .map((wrapper) => wrapper.instance as unknown)
      .filter((instance): instance is WorkerHost => instance instanceof WorkerHost)
      .map((host) => {
        try {
          return host.worker;
        } catch {
          return undefined; // never started
        }
      })
      .filter((w): w is Worker => w !== undefined);
    await Promise.all(workers.map((worker) => this.drain(worker)));
  }

  private async drain(worker: Worker): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<'timeout'>(
      (resolve) => (timer = setTimeout(() => resolve('timeout'), WORKER_DRAIN_MS)),
    );
    const outcome = await Promise.race([worker.close().then(() => 'closed' as const), timeout]);
    clearTimeout(timer);
    if (outcome === 'timeout') {
      this.logger.warn(
        `Queue ${worker.name}: jobs still running after ${WORKER_DRAIN_MS} ms; releasing them for a retry.`,
      );
      await worker.close(true).catch(() => undefined);
    }
  }
}
