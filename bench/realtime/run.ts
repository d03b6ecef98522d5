/**
 * Realtime bench: C socket.io clients on /availability, then check-outs and returns through the
 * real API; for every committed change, the time from the API's response to each client's receipt
 * of `station:updated` (the whole path: transaction → outbox → NOTIFY → worker relay → Redis →
 * socket.io adapter → client). Reports p50/p99/max and events lost (must be 0). Private database,
 * Redis db and processes, removed at the end. Usage:
 *   npm run bench:realtime -- --clients 2000 --ops 200 --rate 10
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { io, type Socket } from 'socket.io-client';
import { loadDotEnv } from '@metrobici/config';
import { createDataSource, dropDatabase, ensureDatabase, migrate } from '@metrobici/database';
import type { StationUpdatedEvent } from '@metrobici/realtime';
import { distExists, distLooksStale, freePort, REPO_ROOT, runCommand, startApiProcess } from '../support/api-process';
import { Cleanup } from '../support/cleanup';
import { BenchClient } from '../support/http';
import { leaseRedisDb } from '../support/redis-db';
import { round, summarise, table } from '../support/stats';
import { seedWorld } from '../loans/seed';

const { values } = parseArgs({
  options: {
    clients: { type: 'string', default: '2000' },
    ops: { type: 'string', default: '200' },
    rate: { type: 'string', default: '10' },
    build: { type: 'boolean', default: false },
  },
});
const CLIENTS = bounded(values.clients!, 1, 20_000, 'clients');
const OPS = bounded(values.ops!, 1, 10_000, 'ops');
const RATE = bounded(values.rate!, 1, 200, 'rate');

function bounded(raw: string, min: number, max: number, name: string): number {
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) throw new Error(`--${name} must be an integer in ${min}..${max}`);
  return n;
}

async function main(): Promise<void> {
  loadDotEnv(join(REPO_ROOT, '.env'));
  const cleanup = new Cleanup();
  cleanup.handleSignals();
  try {
    if (values.build || !distExists() || distLooksStale()) await runCommand('npm', ['run', 'build']);
    const base = new URL(process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres');
    base.pathname = `/metrobici_bench_${randomBytes(4).toString('hex')}`;
    const databaseUrl = base.toString();
    await ensureDatabase(databaseUrl);
    cleanup.add('drop database', () => dropDatabase(databaseUrl));
    await migrate(databaseUrl);
    const lease = await leaseRedisDb(
      process.env.REDIS_URL ?? 'redis://127.0.0.1:6379/0',
      [13, 12, 11, 10, 9],
      30 * 60_000,
    );
    cleanup.add('release redis db', () => lease.release());

    const ds = createDataSource(databaseUrl);
    await ds.initialize();
    cleanup.add('close datasource', () => ds.destroy());
    const world = await seedWorld(ds, { stations: 12, bikes: 240, operators: 1 });
    const env = {
      NODE_ENV: 'production',
      DATABASE_URL: databaseUrl,
      REDIS_URL: lease.url,
      JWT_SECRET: randomBytes(24).toString('hex'),
      // Required in production by the exports' rider pseudonyms; unused here.
      RIDER_KEY_SECRET: randomBytes(24).toString('hex'),
      OPENING_HOURS: '24/7',
      LOG_LEVEL: 'error',
      PUBLIC_RATE_LIMIT_PER_MINUTE: '100000',
      WORKER_HEALTH_PORT: String(await freePort()),
    };
    const api = await startApiProcess({ mode: 'dist', env, port: await freePort() });
    cleanup.add('stop api', () => api.stop());
    cleanup.addOnExit(() => api.kill());
    const worker = startWorker(env);
    cleanup.add('stop worker', () => stopChild(worker));
    cleanup.addOnExit(() => worker.kill('SIGKILL'));

    // Connect the clients in waves so the API is not flooded with handshakes.
    const received = new Map<string, number[]>(); // `${stationId}:${sequence}` → receipt times
    let duplicates = 0;
    const sockets: Socket[] = [];
    cleanup.add('disconnect clients', () => sockets.forEach((s) => s.disconnect()));
    const connectStarted = performance.now();
    for (let i = 0; i < CLIENTS; i += 200) {
      const wave = Array.from({ length: Math.min(200, CLIENTS - i) }, () =>
        connectClient(api.url, received, () => duplicates++),
      );
      sockets.push(...(await Promise.all(wave)));
    }
    const connectSeconds = (performance.now() - connectStarted) / 1000;
    console.log(`${CLIENTS} clients connected in ${round(connectSeconds, 1)} s`);

    const client = new BenchClient(api.url, 4);
    const login = await client.post<{ accessToken: string }>('/api/v1/auth/login', {
      email: world.operators[0].email,
      password: world.password,
    });
    const auth = { authorization: `Bearer ${login.body.accessToken}` };
    const operator = world.operators[0];
    const bikes = operator.bikes.map((b) => ({ code: b.code, station: b.station }));

    // Each operation changes exactly one station; its new sequence is read right after the answer.
    const sent: Array<{ key: string; respondedAt: number }> = [];
    let failures = 0;
    for (let op = 0; op < OPS; op++) {
      const started = performance.now();
      const bike = bikes[op % bikes.length];
      const stationId = world.stationIds[bike.station];
      const out = await client.post(
        '/api/v1/loans',
        { bikeCode: bike.code, riderId: operator.riderId, stationId },
        auth,
      );
      if (out.status !== 201) {
        failures++;
        continue;
      }
      sent.push({ key: await sequenceKey(ds, stationId), respondedAt: out.endedAt });
      const target = (bike.station + 1) % world.stationIds.length;
      const back = await client.post(
        '/api/v1/returns',
        { bikeCode: bike.code, stationId: world.stationIds[target] },
        auth,
      );
      if (back.status !== 200) failures++;
      else {
        bike.station = target;
        sent.push({ key: await sequenceKey(ds, world.stationIds[target]), respondedAt: back.endedAt });
      }
      const pause = 1000 / RATE - (performance.now() - started);
      if (pause > 0) await new Promise((r) => setTimeout(r, pause));
    }
    await new Promise((r) => setTimeout(r, 3000)); // let the last events arrive

    const latencies: number[] = [];
    let lost = 0;
    for (const { key, respondedAt } of sent) {
      const times = received.get(key) ?? [];
      lost += CLIENTS - times.length;
      for (const t of times) latencies.push(t - respondedAt);
    }
    const s = summarise(latencies);
    const result = {
      clients: CLIENTS,
      changes: sent.length,
      deliveriesExpected: sent.length * CLIENTS,
      deliveries: latencies.length,
      lost,
      duplicates,
      apiFailures: failures,
      latencyMs: { p50: round(s.p50Ms), p99: round(s.p99Ms), max: round(s.maxMs) },
      connectSeconds: round(connectSeconds, 1),
    };
    console.log(
      table([
        ['clients', 'changes', 'deliveries', 'lost', 'p50 ms', 'p99 ms', 'max ms'],
        [
          CLIENTS,
          sent.length,
          latencies.length,
          lost,
          result.latencyMs.p50,
          result.latencyMs.p99,
          result.latencyMs.max,
        ],
      ]),
    );
    mkdirSync(join(REPO_ROOT, 'bench', 'results'), { recursive: true });
    writeFileSync(
      join(REPO_ROOT, 'bench', 'results', `realtime-${new Date().toISOString().replace(/[:.]/g, '-')}.json`),
      JSON.stringify(result, null, 2),
    );
    if (lost > 0 || failures > 0) process.exitCode = 1;
  } finally {
    await cleanup.run();
  }
}

async function connectClient(url: string, received: Map<string, number[]>, onDuplicate: () => void): Promise<Socket> {
  const socket = io(`${url}/availability`, { transports: ['websocket'], reconnection: false, forceNew: true });
  const seen = new Map<string, number>();
  socket.on('station:updated', (e: StationUpdatedEvent) => {
    const at = performance.now();
    // A client keeps the newest sequence per station and drops anything not newer.
    if ((seen.get(e.stationId) ?? -1) >= e.sequence) return onDuplicate();
    seen.set(e.stationId, e.sequence);
    const key = `${e.stationId}:${e.sequence}`;
    const list = received.get(key);
    if (list) list.push(at);
    else received.set(key, [at]);
  });
  await new Promise<void>((resolve, reject) => {
    socket.once('stations:snapshot', () => resolve());
    socket.once('connect_error', reject);
  });
  return socket;
}

async function sequenceKey(ds: ReturnType<typeof createDataSource>, stationId: string): Promise<string> {
  const [row] = (await ds.query('SELECT sequence FROM stations WHERE id = $1', [stationId])) as Array<{
    sequence: string;
  }>;
  return `${stationId}:${Number(row.sequence)}`;
}

function startWorker(env: Record<string, string>): ChildProcess {
  const child = spawn(process.execPath, [join(REPO_ROOT, 'dist', 'apps', 'worker', 'src', 'main.js')], {
    cwd: REPO_ROOT,
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  return child;
}

function stopChild(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
    setTimeout(() => child.kill('SIGKILL'), 10_000).unref();
  });
}

main().catch((e: unknown) => {
  console.error(`bench:realtime failed: ${(e as Error).stack ?? String(e)}`);
  process.exitCode = 1;
});
