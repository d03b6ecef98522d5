import type { ChildProcess } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';

/**
 * Waits until a worker's health port (WORKER_HEALTH_PORT) answers at all, 200 or 503: Nest has
 * bootstrapped and its relay and queues are running. From the sources (ts-node) that takes several
 * seconds, during which outbox rows would pile up and be measured as slowness of the pipeline.
 */
export async function waitForWorker(
  child: ChildProcess,
  port: number,
  log: () => string = () => '',
  timeoutMs = 90_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null)
      throw new Error(`the worker exited (${child.exitCode ?? child.signalCode}) while starting:\n${log()}`);
    try {
      await fetch(`http://127.0.0.1:${port}/health`, { signal: AbortSignal.timeout(2000) });
      return;
    } catch {
      // not listening yet
    }
    await sleep(200);
  }
  throw new Error(`the worker did not open its health port within ${timeoutMs / 1000} s:\n${log()}`);
}
