import type { INestApplicationContext } from '@nestjs/common';
import { createWorkerApp } from '../apps/worker/src/app.factory';
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
});
