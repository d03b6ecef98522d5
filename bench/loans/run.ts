/**
 * Loans throughput bench: N operators doing check-out → return cycles against the real API (a
 * child process on the compiled build), then `pgbench -N` on the same machine for scale.
 * Everything it creates is private and removed at the end, also on error or Ctrl-C.
 * See bench/README.md. Usage:
 *   npm run bench:loans -- --operators 16 --seconds 20 --warmup 5
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join, relative } from 'node:path';
import { parseArgs } from 'node:util';
import { loadDotEnv } from '@metrobici/config';
import { createDataSource, dropDatabase, ensureDatabase, migrate } from '@metrobici/database';
import {
  type ApiMode,
  type ApiProcess,
  distExists,
  distLooksStale,
  freePort,
  REPO_ROOT,
  runCommand,
  startApiProcess,
} from '../support/api-process';
import { intOption, UsageError } from '../support/cli';
import { Cleanup } from '../support/cleanup';
import { backgroundCores, cpuBetween, type CpuSnapshot, cpuSnapshot, type CpuUsage } from '../support/cpu';
import { BenchClient } from '../support/http';
import { type PgbenchResult, runPgbench } from '../support/pgbench';
import { leaseRedisDb } from '../support/redis-db';
import { round, summarise, table } from '../support/stats';
import { type CheckResult, consistencyChecks } from './checks';
import { runLoad } from './load';
import { seedWorld } from './seed';

const DEFAULT_DB = 'postgres://postgres@127.0.0.1:5432/postgres';
const DEFAULT_REDIS = 'redis://127.0.0.1:6379/0';
const LOOPBACK = new Set(['127.0.0.1', 'localhost', '::1', '[::1]']);

const USAGE = `usage: npm run bench:loans -- [options]
  --operators N     concurrent operators (default 16, 1..64)
  --seconds S       measured duration (default 20, 1..600)
  --warmup S        unmeasured warm-up before it (default 5, 0..120)
  --stations S      stations (default 12, the pilot's count; 2..500)
  --bikes B         bikes (default 240, at least one per operator)
  --max-cycles C    stop after this many cycles even if time remains (default 1000000)
  --redis-db I      Redis db index (1..15) to lease and flush (default: 14, or the
                    next free one if a test suite holds it)
  --api dist|src    run the compiled build (default) or the TypeScript sources via ts-node
  --build           run \`npm run build\` first (done anyway when dist/ is missing)
  --pgbench-scale K scale for \`pgbench -i\` (default 10)
  --no-pgbench      skip the pgbench comparison
  --help`;

interface Options {
  operators: number;
  seconds: number;
  warmup: number;
  stations: number;
  bikes: number;
  maxCycles: number;
  redisDb: number | undefined;
  api: ApiMode;
  build: boolean;
  pgbench: boolean;
  pgbenchScale: number;
}

function parseOptions(argv: string[]): Options {
  const { values } = parseArgs({
    args: argv,
    options: {
      operators: { type: 'string', default: '16' },
      seconds: { type: 'string', default: '20' },
      warmup: { type: 'string', default: '5' },
      stations: { type: 'string', default: '12' },
      bikes: { type: 'string', default: '240' },
      'max-cycles': { type: 'string', default: '1000000' },
      'redis-db': { type: 'string' },
      api: { type: 'string', default: 'dist' },
      build: { type: 'boolean', default: false },
      'pgbench-scale': { type: 'string', default: '10' },
      'no-pgbench': { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
    strict: true,
    allowPositionals: false,
  });
  if (values.help) {
    console.log(USAGE);
    process.exit(0);
  }
  const options: Options = {
    operators: intOption('operators', values.operators, 1, 64),
    seconds: intOption('seconds', values.seconds, 1, 600),
    warmup: intOption('warmup', values.warmup, 0, 120),
    stations: intOption('stations', values.stations, 2, 500),
    bikes: intOption('bikes', values.bikes, 1, 100_000),
    maxCycles: intOption('max-cycles', values['max-cycles'], 1, 10_000_000),
    redisDb: values['redis-db'] === undefined ? undefined : intOption('redis-db', values['redis-db'], 1, 15),
    api: apiMode(values.api),
    build: values.build,
    pgbench: !values['no-pgbench'],
    pgbenchScale: intOption('pgbench-scale', values['pgbench-scale'], 1, 1000),
  };
  if (options.bikes < options.operators)
    throw new UsageError(`--bikes (${options.bikes}) must be at least --operators (${options.operators})`);
  return options;
}

function apiMode(raw: string): ApiMode {
  if (raw === 'dist' || raw === 'src') return raw;
  throw new UsageError(`--api must be dist or src (got ${raw})`);
}

function loopbackOnly(url: URL, what: string): void {
  if (!LOOPBACK.has(url.hostname))
    throw new UsageError(
      `${what} points at ${url.hostname}; the bench runs against servers on this machine only (127.0.0.1).`,
    );
}

function git(args: string[]): string | null {
  try {
    return execFileSync('git', args, { cwd: REPO_ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return null;
  }
}

/** Busy cores that are not the bench's own, above which the figures are not worth recording. */
const NOISY_CORES = 0.25;

async function main(): Promise<number> {
  const options = parseOptions(process.argv.slice(2));
  loadDotEnv();
  const cleanup = new Cleanup();
  cleanup.handleSignals();
  const startedAt = new Date();
  const runId = randomBytes(4).toString('hex');
  const dbUrl = new URL(process.env.DATABASE_URL ?? DEFAULT_DB);
  const redisUrl = new URL(process.env.REDIS_URL ?? DEFAULT_REDIS);
  loopbackOnly(dbUrl, 'DATABASE_URL');
  loopbackOnly(redisUrl, 'REDIS_URL');
  dbUrl.pathname = `/metrobici_bench_${runId}`;
  const databaseUrl = dbUrl.toString();
  const warnings: string[] = [];
  const warn = (message: string) => {
    warnings.push(message);
    console.warn(`! ${message}`);
  };

  try {
    if (options.api === 'dist') {
      if (options.build || !distExists()) {
        console.log('» npm run build');
        await runCommand('npm', ['run', 'build']);
      } else if (distLooksStale()) {
        warn('dist/ is older than some sources under apps/ or libs/: pass --build to measure the current code.');
      }
    }

    const idleBefore = await backgroundCores(2000, os.cpus().length);
    if (idleBefore !== null && idleBefore > NOISY_CORES)
      warn(
        `the machine was already busy before the bench (${idleBefore} cores): close builds and test runs for figures worth recording.`,
      );

    const redisCandidates =
      options.redisDb !== undefined ? [options.redisDb] : [14, 15, 13, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1];
    const lease = await leaseRedisDb(
      redisUrl.toString(),
      redisCandidates,
      (options.warmup + options.seconds + 30 * 60) * 1000,
    );
    cleanup.add(`flush and release Redis db ${lease.index}`, () => lease.release());
    const benchRedisUrl = lease.url;
    console.log(`» database ${dbUrl.pathname.slice(1)}, Redis db ${lease.index}`);
    cleanup.add('drop the bench database', () => dropDatabase(databaseUrl));
    await ensureDatabase(databaseUrl);
    await migrate(databaseUrl);

    const ds = createDataSource(databaseUrl, { extra: { max: 2, application_name: 'metrobici-bench' } });
    await ds.initialize();
    cleanup.add('close the bench connection', () => ds.destroy());
    const [pg] =
      (await ds.query(`SELECT current_setting('server_version') AS version, current_setting('shared_buffers') AS shared_buffers,
             current_setting('synchronous_commit') AS synchronous_commit, current_setting('max_connections') AS max_connections`)) as Array<
        Record<string, string>
      >;

    console.log(
      `» seeding ${options.stations} stations, ${options.bikes} bikes, ${options.operators} operators and riders`,
    );
    const world = await seedWorld(ds, {
      stations: options.stations,
      bikes: options.bikes,
      operators: options.operators,
    });

    const port = await freePort();
    const jwtTtl = Math.min(86_400, Math.max(900, options.warmup + options.seconds + 600));
    console.log(`» starting the API (${options.api}) on 127.0.0.1:${port}`);
    const api: ApiProcess = await startApiProcess({
      mode: options.api,
      port,
      env: {
        NODE_ENV: 'production',
        DATABASE_URL: databaseUrl,
        REDIS_URL: benchRedisUrl,
        JWT_SECRET: randomBytes(24).toString('hex'),
        // Required in production by the exports' rider pseudonyms; unused here.
        RIDER_KEY_SECRET: randomBytes(24).toString('hex'),
        JWT_TTL_SECONDS: String(jwtTtl),
        OPENING_HOURS: '24/7',
        LOG_LEVEL: 'error',
        // All operators sign in from 127.0.0.1 within a second; the default (10/min) would refuse them.
        LOGIN_RATE_LIMIT_PER_MINUTE: '1000',
      },
    });
    cleanup.add('stop the API', () => api.stop());
    cleanup.addOnExit(() => api.kill());

    const client = new BenchClient(api.url, options.operators);
    cleanup.add('close HTTP sockets', () => client.close());
    const tokens = await Promise.all(
      world.operators.map(async (o) => {
        const res = await client.post<{ accessToken: string }>('/api/v1/auth/login', {
          email: o.email,
          password: world.password,
        });
        if (res.status !== 200)
          throw new Error(`login of ${o.email} failed: ${res.status} ${JSON.stringify(res.body)}`);
        return res.body.accessToken;
      }),
    );

    console.log(`» ${options.operators} operators: ${options.warmup} s warm-up, then ${options.seconds} s measured`);
    let cpuStart: CpuSnapshot | undefined;
    let postgresPids: number[] | undefined;
    let cpu: CpuUsage | undefined;
    const load = await runLoad(client, world, tokens, {
      warmupMs: options.warmup * 1000,
      measureMs: options.seconds * 1000,
      maxCycles: options.maxCycles,
      onWindow: (edge) => {
        if (edge === 'start') {
          // This database's backends and the server's background processes; other databases' are "other".
          ds.query(
            `SELECT pid FROM pg_stat_activity WHERE datname = current_database() OR backend_type <> 'client backend'`,
          ).then(
            (rows: Array<{ pid: number }>) => {
              postgresPids = rows.map((r) => Number(r.pid));
              cpuStart = cpuSnapshot(api.pid, postgresPids);
            },
            () => (cpuStart = cpuSnapshot(api.pid)),
          );
        } else if (cpuStart) {
          cpu = cpuBetween(cpuStart, cpuSnapshot(api.pid, postgresPids), os.cpus().length);
        }
      },
    });

    console.log('» checking the database');
    const checks: CheckResult[] = await consistencyChecks(ds, {
      bikes: options.bikes,
      checkOuts: load.ok.checkOut,
      returns: load.ok.return,
      openLoans: load.abortedOperators.length,
    });
    const unexpected = Object.entries(load.errors).filter(([label]) => !label.includes('STATION_FULL'));
    checks.push({
      name: 'no unexpected non-2xx answers',
      ok: unexpected.length === 0,
      detail: unexpected.length === 0 ? 'none' : unexpected.map(([label, count]) => `${label} ×${count}`).join('; '),
    });
    if (load.windowMs < 1000)
      checks.push({
        name: 'a measured window of at least 1 s',
        ok: false,
        detail: `${round(load.windowMs)} ms (--max-cycles too low?)`,
      });

    const apiLogLines = api.logLines();
    const apiLogTail = api.logTail();
    await api.stop();

    let pgbench: PgbenchResult | undefined;
    if (options.pgbench) {
      const pgbenchUrl = new URL(databaseUrl);
      pgbenchUrl.pathname = `/metrobici_bench_${runId}_pgbench`;
      console.log(
        `» pgbench -i -s ${options.pgbenchScale}, then pgbench -N -c ${options.operators} -j 2 -T ${options.seconds} (database ${pgbenchUrl.pathname.slice(1)})`,
      );
      cleanup.add('drop the pgbench database', () => dropDatabase(pgbenchUrl.toString()));
      await ensureDatabase(pgbenchUrl.toString());
      pgbench = await runPgbench(pgbenchUrl.toString(), {
        scale: options.pgbenchScale,
        clients: options.operators,
        threads: 2,
        seconds: options.seconds,
        beforeRun: async () => {
          const busy = await backgroundCores(2000, os.cpus().length);
          if (busy !== null && busy > NOISY_CORES)
            warn(`the machine was busy just before pgbench ran (${busy} cores): its tps is understated.`);
        },
      });
    }

    // ---- report ------------------------------------------------------------------------------
    const seconds = load.windowMs / 1000;
    const checkOut = summarise(load.latencyMs.checkOut);
    const ret = summarise(load.latencyMs.return);
    const cyclesPerSecond = round(load.cyclesInWindow / seconds);
    const requestsPerSecond = round(load.requestsInWindow / seconds);
    const machine = {
      cpus: os.cpus().length,
      cpuModel: os.cpus()[0]?.model ?? 'unknown',
      memoryGb: round(os.totalmem() / 2 ** 30),
      platform: `${os.type()} ${os.release()}`,
      node: process.version,
    };

    console.log('');
    console.log(
      `Loans bench — ${options.operators} operators, ${round(seconds)} s measured after ${options.warmup} s warm-up, API from ${options.api}`,
    );
    console.log(
      `machine: ${machine.cpus} × ${machine.cpuModel}, ${machine.memoryGb} GB; Node ${machine.node}; PostgreSQL ${pg.version} (shared_buffers ${pg.shared_buffers}, synchronous_commit ${pg.synchronous_commit})`,
    );
    console.log('');
    console.log(
      `cycles/s    ${cyclesPerSecond}   (${load.cyclesInWindow} check-out → return cycles in the window; ${load.cyclesCompleted} in all)`,
    );
    console.log(`requests/s  ${requestsPerSecond}   (each one HTTP request and one database transaction)`);
    console.log('');
    console.log(
      table([
        ['latency (ms)', 'n', 'mean', 'p50', 'p95', 'p99', 'max'],
        [
          'POST /api/v1/loans',
          checkOut.count,
          checkOut.meanMs,
          checkOut.p50Ms,
          checkOut.p95Ms,
          checkOut.p99Ms,
          checkOut.maxMs,
        ],
        ['POST /api/v1/returns', ret.count, ret.meanMs, ret.p50Ms, ret.p95Ms, ret.p99Ms, ret.maxMs],
      ]),
    );
    console.log('');
    const errorEntries = Object.entries(load.errors);
    console.log(
      `errors (whole run): ${errorEntries.length === 0 ? 'none' : errorEntries.map(([l, c]) => `${l} ×${c}`).join(', ')}; retries ${load.retries}`,
    );
    if (cpu) {
      const part = (label: string, v: number | null) => (v === null ? '' : `${label} ${v}`);
      console.log(
        `CPU in the window (cores busy of ${machine.cpus}): ${[part('machine', cpu.machineCores), part('API', cpu.apiCores), part('postgres', cpu.postgresCores), part('load generator', cpu.benchCores), part('other', cpu.otherCores)].filter(Boolean).join(', ')}`,
      );
      if (cpu.otherCores !== null && cpu.otherCores > NOISY_CORES)
        warn(`other processes used ${cpu.otherCores} cores during the window: these figures understate the API.`);
    }
    if (apiLogLines > 0)
      console.log(
        `API logged ${apiLogLines} line(s) at LOG_LEVEL=error; the last of them:\n${apiLogTail.split('\n').slice(-20).join('\n')}`,
      );
    console.log('');
    if (pgbench) {
      console.log(
        table([
          ['side by side', 'transactions/s', 'clients', 'seconds'],
          ['API check-out + return (requests/s)', requestsPerSecond, options.operators, round(seconds)],
          [`${pgbench.command} (-s ${pgbench.scale})`, round(pgbench.tps), pgbench.clients, pgbench.seconds],
        ]),
      );
      console.log(
        `API requests/s are ${round((requestsPerSecond / pgbench.tps) * 100)} % of pgbench -N tps (pgbench latency average ${pgbench.latencyAvgMs ?? '?'} ms)`,
      );
      console.log('');
    }
    if (warnings.length > 0) console.log(`warnings:\n${warnings.map((w) => `  ! ${w}`).join('\n')}\n`);
    console.log('consistency:');
    for (const c of checks) console.log(`  ${c.ok ? 'ok  ' : 'FAIL'} ${c.name}${c.ok ? '' : `: ${c.detail}`}`);
    const passed = checks.every((c) => c.ok);

    const resultsDir = join(REPO_ROOT, 'bench', 'results');
    mkdirSync(resultsDir, { recursive: true });
    const file = join(resultsDir, `loans-${startedAt.toISOString().replace(/[:.]/g, '-')}.json`);
    writeFileSync(
      file,
      JSON.stringify(
        {
          bench: 'loans',
          startedAt: startedAt.toISOString(),
          git: { commit: git(['rev-parse', 'HEAD']), dirty: (git(['status', '--porcelain']) ?? '') !== '' },
          options,
          machine: { ...machine, postgres: pg, busyCoresBefore: idleBefore },
          warnings,
          world: {
            stations: options.stations,
            bikes: options.bikes,
            operators: options.operators,
            stationCapacity: options.bikes,
          },
          resources: { database: dbUrl.pathname.slice(1), redisDb: lease.index, apiMode: options.api },
          result: {
            windowSeconds: round(seconds, 3),
            cyclesPerSecond,
            requestsPerSecond,
            cyclesInWindow: load.cyclesInWindow,
            requestsInWindow: load.requestsInWindow,
            cyclesCompleted: load.cyclesCompleted,
            latencyMs: { checkOut, return: ret },
            errors: load.errors,
            retries: load.retries,
            abortedOperators: load.abortedOperators,
            cpu: cpu ?? null,
            apiLogLines,
          },
          pgbench: pgbench ?? null,
          checks,
          passed,
        },
        null,
        2,
      ) + '\n',
    );
    console.log(`\nresults: ${relative(process.cwd(), file)}`);
    if (!passed) console.error('\nFAILED: the consistency checks above did not hold.');
    return passed ? 0 : 1;
  } finally {
    console.log('» cleaning up');
    await cleanup.run();
  }
}

main().then(
  (code) => process.exit(code),
  (e: unknown) => {
    if (e instanceof UsageError) {
      console.error(`${e.message}\n\n${USAGE}`);
      process.exit(2);
    }
    console.error(`bench failed: ${(e as Error)?.stack ?? String(e)}`);
    process.exit(1);
  },
);
