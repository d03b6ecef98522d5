/**
 * Worker bench: the real worker (a child process: outbox relay → BullMQ `trips` queue →
 * `trips.aggregate` jobs, one per relay batch) starts on an empty outbox and its RSS is read; then N generated trip
 * segments, each with its `loan.closed` outbox row, land in one transaction and the worker drains
 * them. Reports trips aggregated per second beside a set-based rebuild of the same range (which
 * must give the same facts) and their ratio, the worker's RSS before / peak / after draining, the
 * targets of issue 14, and removes everything it created. See bench/README.md. Usage:
 *   npm run bench:worker -- --trips 100000
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join, relative } from 'node:path';
import { parseArgs } from 'node:util';
import { Queue } from 'bullmq';
import { loadDotEnv } from '@metrobici/config';
import { createDataSource, dropDatabase, ensureDatabase, migrate } from '@metrobici/database';
import { ENTITIES } from '../../apps/entities';
import { redisConnectionOptions } from '@metrobici/redis';
import { addDays, rebuildTripFacts } from '@metrobici/stats';
import { generateTripWorld } from '../../test/support/trip-generator';
import { freePort, REPO_ROOT } from '../support/api-process';
import { intOption, UsageError } from '../support/cli';
import { Cleanup } from '../support/cleanup';
import { waitForWorker } from '../support/worker-ready';
import { printCommandLine, printTargets, ratio, target, times } from '../support/report';
import { leaseRedisDb } from '../support/redis-db';

const DEFAULT_DB = 'postgres://postgres@127.0.0.1:5432/postgres';
const DEFAULT_REDIS = 'redis://127.0.0.1:6379/0';
const LOOPBACK = new Set(['127.0.0.1', 'localhost', '::1', '[::1]']);
const FIRST_DAY = '2019-10-03';
const DAYS = 90; // about the pilot's length
const CO2 = 120;
// Issue 14's targets.
const TARGET_RATIO = 0.5;
const TARGET_RSS_MB = 50;
const TARGET_TRIPS = 100_000;

const USAGE = `usage: npm run bench:worker -- [options]
  --trips N        trip segments to generate (default 100000, 1000..2000000; the generator lands
                   within a few per cent of N)
  --timeout S      give up when the queue has not drained after S seconds (default 600)
  --worker src|dist  the worker from the TypeScript sources via ts-node (default) or dist/
  --redis-db I     Redis db index (1..15) to lease and flush (default: 13, or the next free one)
  --help`;

interface Options {
  trips: number;
  timeout: number;
  worker: 'src' | 'dist';
  redisDb: number | undefined;
}

function parseOptions(argv: string[]): Options {
  const { values } = parseArgs({
    args: argv,
    options: {
      trips: { type: 'string', default: '100000' },
      timeout: { type: 'string', default: '600' },
      worker: { type: 'string', default: 'src' },
      'redis-db': { type: 'string' },
      help: { type: 'boolean', default: false },
    },
    strict: true,
  });
  if (values.help) {
    console.log(USAGE);
    process.exit(0);
  }
  if (values.worker !== 'src' && values.worker !== 'dist')
    throw new UsageError(`--worker must be src or dist (got ${values.worker})`);
  return {
    trips: intOption('trips', values.trips, 1000, 2_000_000),
    timeout: intOption('timeout', values.timeout, 10, 7200),
    worker: values.worker,
    redisDb: values['redis-db'] === undefined ? undefined : intOption('redis-db', values['redis-db'], 1, 15),
  };
}

/** Peak and current resident set of a process, from /proc (Linux); null elsewhere. */
function memoryOf(pid: number): { peakMb: number; rssMb: number } | null {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
    return { peakMb: Math.round(kb('VmHWM') / 102.4) / 10, rssMb: Math.round(kb('VmRSS') / 102.4) / 10 };
  } catch {
    return null;
  }
}

function startWorker(mode: 'src' | 'dist', env: Record<string, string>): { child: ChildProcess; log: () => string } {
  const entry =
    mode === 'dist'
      ? [join(REPO_ROOT, 'dist', 'apps', 'worker', 'src', 'main.js')]
      : [join(REPO_ROOT, 'scripts', 'run-ts.js'), join(REPO_ROOT, 'apps', 'worker', 'src', 'main.ts')];
  if (mode === 'dist' && !existsSync(entry[0]))
    throw new UsageError('dist/ has no worker build: run `npm run build` or pass --worker src');
  const child = spawn(process.execPath, entry, {
    cwd: REPO_ROOT,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let tail = '';
  const keep = (d: Buffer) => (tail = (tail + d.toString()).slice(-32 * 1024));
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  return { child, log: () => tail };
}

/** Resets the child's VmHWM to its current RSS (Linux ≥ 4.0), so the peak is the draining's, not the boot's. */
function resetPeak(pid: number): void {
  try {
    writeFileSync(`/proc/${pid}/clear_refs`, '5');
  } catch {
    // an older kernel: the peak includes the boot, which only makes the figure stricter
  }
}

function stop(child: ChildProcess, timeoutMs = 15_000): Promise<{ code: number | null; ms: number }> {
  const began = Date.now();
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve({ code: child.exitCode, ms: 0 });
    const kill = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.once('exit', (code) => {
      clearTimeout(kill);
      resolve({ code, ms: Date.now() - began });
    });
    child.kill('SIGTERM');
  });
}

const n = (rows: Array<Record<string, unknown>>, key = 'n') => Number(rows[0][key]);

async function main(): Promise<number> {
  const options = parseOptions(process.argv.slice(2));
  loadDotEnv();
  const command = printCommandLine('worker');
  const cleanup = new Cleanup();
  cleanup.handleSignals();
  const runId = randomBytes(4).toString('hex');
  const dbUrl = new URL(process.env.DATABASE_URL ?? DEFAULT_DB);
  const redisBase = new URL(process.env.REDIS_URL ?? DEFAULT_REDIS);
  for (const [u, what] of [
    [dbUrl, 'DATABASE_URL'],
    [redisBase, 'REDIS_URL'],
  ] as const) {
    if (!LOOPBACK.has(u.hostname))
      throw new UsageError(`${what} points at ${u.hostname}; the bench runs against servers on this machine only.`);
  }
  dbUrl.pathname = `/metrobici_bench_worker_${runId}`;
  const databaseUrl = dbUrl.toString();

  try {
    const candidates =
      options.redisDb !== undefined ? [options.redisDb] : [13, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 14, 15];
    const lease = await leaseRedisDb(redisBase.toString(), candidates, (options.timeout + 30 * 60) * 1000);
    cleanup.add(`flush and release Redis db ${lease.index}`, () => lease.release());
    cleanup.add('drop the bench database', () => dropDatabase(databaseUrl));
    await ensureDatabase(databaseUrl);
    await migrate(databaseUrl);
    console.log(`» database ${dbUrl.pathname.slice(1)}, Redis db ${lease.index}`);

    const ds = createDataSource(databaseUrl, {
      entities: ENTITIES,
      extra: { max: 4, application_name: 'metrobici-bench-worker' },
    });
    await ds.initialize();
    cleanup.add('close the bench connection', () => ds.destroy());

    const queue = new Queue('trips', { connection: redisConnectionOptions(lease.url), prefix: 'metrobici' });
    cleanup.add('close the queue client', () => queue.close());

    // The worker starts first, on an empty outbox, so its resident set can be read before it has
    // anything to do; the trips land in one transaction afterwards and it drains them.
    console.log(`» starting the worker (${options.worker})`);
    const healthPort = await freePort();
    const spawnedAt = Date.now();
    const { child, log } = startWorker(options.worker, {
      NODE_ENV: 'production',
      // Required in production (GBFS links); nothing here reads it.
      PUBLIC_BASE_URL: 'http://127.0.0.1',
      DATABASE_URL: databaseUrl,
      REDIS_URL: lease.url,
      JWT_SECRET: randomBytes(24).toString('hex'),
      // Required in production by the exports' rider pseudonyms; unused here.
      RIDER_KEY_SECRET: randomBytes(24).toString('hex'),
      WORKER_HEALTH_PORT: String(healthPort),
      OPENING_HOURS: '24/7',
      LOG_LEVEL: 'warn',
      CO2_GRAMS_PER_KM: String(CO2),
    });
    cleanup.add('stop the worker', async () => void (await stop(child)));
    cleanup.addOnExit(() => child.kill('SIGKILL'));
    await waitForWorker(child, healthPort, log);
    await new Promise((r) => setTimeout(r, 1000)); // let boot-time garbage settle
    const before = memoryOf(child.pid!);
    resetPeak(child.pid!);
    const bootSeconds = Math.round((Date.now() - spawnedAt) / 100) / 10;
    console.log(`  worker ready after ${bootSeconds} s${before ? `, RSS ${before.rssMb} MB` : ''}`);

    const journeysPerDay = Math.max(1, Math.round(options.trips / DAYS));
    const genStart = Date.now();
    console.log(`» generating ~${options.trips} trip segments over ${DAYS} days with their outbox rows`);
    const world = await generateTripWorld(ds, {
      from: FIRST_DAY,
      days: DAYS,
      journeysPerDay,
      seed: 424242,
      bikes: 340,
      riders: Math.max(150, Math.round(options.trips / 20)),
      edgeCases: false,
    });
    const generatedAt = Date.now();
    const generatedMs = generatedAt - genStart;
    console.log(
      `  ${world.trips} trips (${world.loans.length} loans, ${world.outboxRows} outbox rows) in ${(generatedMs / 1000).toFixed(1)} s`,
    );

    let peakRssMb = before?.rssMb ?? 0;
    let last = -1;
    let lastReport = Date.now();
    const deadline = Date.now() + options.timeout * 1000;
    for (;;) {
      if (child.exitCode !== null) throw new Error(`the worker exited with ${child.exitCode}:\n${log()}`);
      const mem = memoryOf(child.pid!);
      if (mem) peakRssMb = Math.max(peakRssMb, mem.peakMb, mem.rssMb);
      const facts = n(await ds.query('SELECT count(*) AS n FROM trip_facts'));
      if (facts !== last && Date.now() - lastReport > 2000) {
        console.log(`  ${facts} / ${world.trips} aggregated${mem ? `, worker RSS ${mem.rssMb} MB` : ''}`);
        lastReport = Date.now();
      }
      last = facts;
      if (facts >= world.trips) {
        const counts = await queue.getJobCounts('waiting', 'active', 'delayed', 'prioritized');
        if (Object.values(counts).every((c) => c === 0)) break;
      }
      if (Date.now() > deadline)
        throw new Error(`the queue did not drain within ${options.timeout} s (${facts} of ${world.trips} aggregated)`);
      await new Promise((r) => setTimeout(r, 250));
    }
    const drainedAt = Date.now();
    const atDrain = memoryOf(child.pid!);
    if (atDrain) peakRssMb = Math.max(peakRssMb, atDrain.peakMb, atDrain.rssMb);
    await new Promise((r) => setTimeout(r, 2000)); // what it keeps once idle again
    const after = memoryOf(child.pid!);
    if (after) peakRssMb = Math.max(peakRssMb, after.peakMb);
    const { failed, completed } = await queue.getJobCounts('failed', 'completed');
    const [span] = await ds.query(
      `SELECT extract(epoch FROM max(aggregated_at) - min(aggregated_at))::float8 AS s FROM trip_facts`,
    );
    const shutdown = await stop(child);

    const checksum = async () =>
      (
        await ds.query(
          `SELECT count(*)::int AS trips, count(DISTINCT rider_id)::int AS riders, sum(duration_s)::bigint::text AS duration,
                sum(distance_m)::bigint::text AS distance, sum(co2_g)::bigint::text AS co2, count(DISTINCT (local_date, start_hour, from_station_id))::int AS cells
           FROM trip_facts`,
        )
      )[0] as Record<string, unknown>;
    const incremental = await checksum();
    const rebuilt = await rebuildTripFacts(ds, { from: FIRST_DAY, to: addDays(FIRST_DAY, DAYS - 1) }, CO2);
    const afterRebuild = await checksum();
    const agree =
      JSON.stringify(incremental) === JSON.stringify(afterRebuild) && incremental.trips === world.trips && failed === 0;

    const seconds = Number(span.s);
    const tripsPerSecond = Math.round(world.trips / seconds);
    const rebuildPerSecond = Math.round(rebuilt.inserted / (rebuilt.milliseconds / 1000));
    const speedRatio = ratio(tripsPerSecond, rebuildPerSecond);
    const growthMb = before ? Math.round((peakRssMb - before.rssMb) * 10) / 10 : null;
    const result = {
      bench: 'worker',
      command,
      at: new Date().toISOString(),
      options,
      machine: {
        cpus: os.cpus().length,
        cpuModel: os.cpus()[0]?.model ?? '',
        memoryGb: Math.round(os.totalmem() / 2 ** 30),
        node: process.version,
      },
      trips: world.trips,
      tripsPerSecond,
      aggregationSeconds: Math.round(seconds * 10) / 10,
      endToEndSeconds: Math.round((drainedAt - generatedAt) / 100) / 10,
      workerBootSeconds: bootSeconds,
      workerRssMb: {
        before: before?.rssMb ?? null,
        peak: peakRssMb || null,
        atDrain: atDrain?.rssMb ?? null,
        after: after?.rssMb ?? null,
        growth: growthMb,
      },
      /** Completed `trips` jobs still kept (removeOnComplete bounds it): one per relay batch. */
      completedJobs: completed,
      failedJobs: failed,
      workerShutdown: shutdown,
      rebuild: {
        trips: rebuilt.inserted,
        milliseconds: rebuilt.milliseconds,
        tripsPerSecond: rebuildPerSecond,
      },
      ratio: { incrementalPerRebuild: speedRatio },
      generatedSeconds: Math.round(generatedMs / 100) / 10,
      incrementalEqualsRebuilt: agree,
      checksum: incremental,
      targets: [
        target(
          `incremental trips/s ≥ ${TARGET_RATIO}× the rebuild's`,
          speedRatio === null ? null : speedRatio >= TARGET_RATIO,
          `${tripsPerSecond} ÷ ${rebuildPerSecond} = ${times(speedRatio)}${world.trips < TARGET_TRIPS * 0.9 ? `; measured over ${world.trips} trips, not the target's ${TARGET_TRIPS}` : ''}`,
        ),
        target(
          `worker RSS ≤ +${TARGET_RSS_MB} MB while draining ${TARGET_TRIPS} trips`,
          growthMb === null ? null : growthMb <= TARGET_RSS_MB,
          growthMb === null
            ? 'no /proc: RSS not measured'
            : `${before!.rssMb} → peak ${peakRssMb} MB = +${growthMb} MB${world.trips < TARGET_TRIPS * 0.9 ? `; over ${world.trips} trips, not the target's ${TARGET_TRIPS}` : ''}`,
        ),
      ],
    };

    const mb = (v: number | null | undefined) => (v === null || v === undefined ? 'n/a' : `${v} MB`);
    console.log('');
    console.log(`Worker bench — ${result.trips} trips`);
    console.log(`command: ${command}`);
    console.log(`trips aggregated          ${result.trips}`);
    console.log(
      `trips/s (worker)          ${tripsPerSecond}   (first to last fact: ${result.aggregationSeconds} s; from the trips' commit to drained: ${result.endToEndSeconds} s)`,
    );
    console.log(
      `rebuild, same range       ${rebuilt.inserted} trips in ${rebuilt.milliseconds} ms (${rebuildPerSecond}/s, one transaction)`,
    );
    console.log(`incremental ÷ rebuild     ${times(speedRatio)}`);
    console.log(
      `worker RSS                before ${mb(before?.rssMb)} → peak ${mb(peakRssMb || null)} (+${growthMb ?? 'n/a'} MB) → at drain ${mb(atDrain?.rssMb)} → 2 s later ${mb(after?.rssMb)}`,
    );
    console.log(`trips jobs                ${completed} completed, ${failed} failed`);
    console.log(`incremental == rebuilt    ${agree ? 'yes' : 'NO'}`);
    console.log(`worker exit on SIGTERM    code ${shutdown.code} after ${shutdown.ms} ms`);
    console.log('');
    printTargets(result.targets);

    const dir = join(REPO_ROOT, 'bench', 'results');
    mkdirSync(dir, { recursive: true });
    const file = join(dir, `worker-${result.at.replace(/[:.]/g, '-')}.json`);
    writeFileSync(file, `${JSON.stringify(result, null, 2)}\n`);
    console.log(`\nresults: ${relative(process.cwd(), file)}`);
    return agree ? 0 : 1;
  } finally {
    await cleanup.run();
  }
}

main().then(
  (code) => process.exit(code),
  (e: unknown) => {
    console.error(
      e instanceof UsageError
        ? `${e.message}\n${USAGE}`
        : `bench:worker failed: ${(e as Error).stack ?? (e as Error).message}`,
    );
    process.exit(e instanceof UsageError ? 2 : 1);
  },
);
