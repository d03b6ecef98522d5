import { spawn } from 'node:child_process';
import type { INestApplicationContext } from '@nestjs/common';
import { Queue } from 'bullmq';
import { redisConnectionOptions } from '@metrobici/redis';
import { createWorkerApp } from '../apps/worker/src/app.factory';
import { ReconciliationJob } from '../apps/worker/src/processors/reconciliation-job';
import { ScheduleKeeper } from '../apps/worker/src/processors/schedule-keeper';
import { SYSTEM_QUEUE } from '../apps/worker/src/queues';
import { createTestEnv, type TestEnv } from './support/test-env';

describe('worker (e2e)', () => {
  let env: TestEnv;
  let worker: INestApplicationContext;
  const port = 30_000 + Math.floor(Math.random() * 20_000);

  beforeAll(async () => {
    env = await createTestEnv({ WORKER_HEALTH_PORT: String(port), WORKER_HEARTBEAT_SECONDS: '1' });
    worker = await createWorkerApp(env.config, { logLevels: ['fatal'] });
  });
  afterAll(async () => {
    await worker.close();
    await env.teardown();
  });

  it('boots, runs the scheduled heartbeat through BullMQ and reports healthy', async () => {
    let last: { status: number; body: Record<string, unknown> } = { status: 0, body: {} };
    for (let i = 0; i < 50; i++) {
      const res = await fetch(`http://127.0.0.1:${port}/health`);
      last = { status: res.status, body: (await res.json()) as Record<string, unknown> };
      if (last.status === 200) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    expect(last.status).toBe(200);
    expect(last.body).toMatchObject({ status: 'ok', database: 'up', redis: 'up' });
    expect(typeof last.body.lastHeartbeat).toBe('string');
  });

  it('tells outbox lag, queue depths, failed jobs, the last reconciliation and the Redis policy', async () => {
    await worker.get(ReconciliationJob).run();
    const res = await fetch(`http://127.0.0.1:${port}/health`);
    const body = (await res.json()) as Record<string, any>;
    expect(body).toMatchObject({
      redisMaxmemoryPolicy: { policy: 'noeviction', ok: true },
      outbox: { pending: expect.any(Number), lagSeconds: expect.any(Number) },
      failedJobs: 0,
      lastReconciliation: { counterDrift: [], missingTripFacts: 0, repairedTripFacts: 0 },
    });
    for (const queue of ['system', 'exports', 'trips', 'stats'])
      expect(body.queues[queue]).toMatchObject({ waiting: expect.any(Number), failed: expect.any(Number) });
    expect(typeof body.lastReconciliation.checkedAt).toBe('string');
  });

  it('re-creates job schedulers Redis lost, without a restart', async () => {
    const queue = new Queue(SYSTEM_QUEUE, {
      connection: redisConnectionOptions(env.config.redis.url),
      prefix: 'metrobici',
    });
    try {
      // As after a Redis restart without persistence.
      await queue.removeJobScheduler('loan.flag_overdue');
      expect(await queue.getJobScheduler('loan.flag_overdue')).toBeFalsy();
      expect(await worker.get(ScheduleKeeper).check()).toBeGreaterThanOrEqual(1);
      expect(await queue.getJobScheduler('loan.flag_overdue')).toMatchObject({ name: 'loan.flag_overdue' });
      expect(await worker.get(ScheduleKeeper).check()).toBe(0);
    } finally {
      await queue.close();
    }
  });

  it('refuses to start when a job scheduler in Redis names a job without a handler', async () => {
    const stale = await createTestEnv();
    try {
      // As a scheduler left behind by an older version whose job was since removed.
      const queue = new Queue(SYSTEM_QUEUE, {
        connection: redisConnectionOptions(stale.config.redis.url),
        prefix: 'metrobici',
      });
      await queue.upsertJobScheduler('system.retired_job', { every: 60_000 }, { name: 'system.retired_job' });
      await queue.close();
      // The real entry point, as its own process: start-up must fail, and say why.
      const child = spawn(process.execPath, ['scripts/run-ts.js', 'apps/worker/src/main.ts'], {
        env: { PATH: process.env.PATH ?? '', ...stale.env, LOG_LEVEL: 'fatal' },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let output = '';
      child.stdout.on('data', (d: Buffer) => (output += d.toString()));
      child.stderr.on('data', (d: Buffer) => (output += d.toString()));
      const timer = setTimeout(() => child.kill('SIGKILL'), 50_000);
      const code = await new Promise<number | null>((done) => child.once('exit', done));
      clearTimeout(timer);
      expect(code).toBe(1);
      expect(output).toContain('Queue system: no handler for job system.retired_job');
    } finally {
      await stale.teardown();
    }
  });
});
