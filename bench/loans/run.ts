/**
 * Loans throughput bench: N operators doing check-out → return cycles against the real API (a
 * child process on the compiled build), then the same writes through raw SQL (`pg`, no HTTP) by as
 * many clients on an identical copy of the seeded data, then `pgbench -N` on the same machine for
 * scale. With `--rate R`, each side also gets an open-loop phase at R requests/s offered.
 * Everything it creates is private and removed at the end, also on error or Ctrl-C.
 * See bench/README.md. Usage:
 *   npm run bench:loans -- --operators 16 --seconds 20 --warmup 5 --rate 200
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join, relative } from 'node:path';
import { parseArgs } from 'node:util';
import type { DataSource } from 'typeorm';
import { loadDotEnv } from '@metrobici/config';
import { createDataSource, dropDatabase, ensureDatabase, migrate } from '@metrobici/database';
import { ENTITIES } from '../../apps/entities';
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
import { copyDatabase } from '../support/database-copy';
import { BenchClient } from '../support/http';
import { type PgbenchResult, runPgbench } from '../support/pgbench';
import { leaseRedisDb } from '../support/redis-db';
import { printCommandLine, printTargets, ratio, target, type TargetResult, times } from '../support/report';
import { type LatencySummary, round, summarise, table } from '../support/stats';
import { type CheckResult, consistencyChecks, writeSignatures } from './checks';
import { type Executor, httpExecutor, type LoadResult, type OpenLoopResult, runLoad, runOpenLoop } from './load';
import { type BenchWorld, seedWorld } from './seed';
import { sqlBaseline } from './sql-baseline';

const DEFAULT_DB = 'postgres://postgres@127.0.0.1:5432/postgres';
const DEFAULT_REDIS = 'redis://127.0.0.1:6379/0';
const LOOPBACK = new Set(['127.0.0.1', 'localhost', '::1', '[::1]']);

// Issue 14's targets.
const TARGET_RATIO = 0.5;
const TARGET_OPERATORS = 16;
const TARGET_RATE = 200;
const TARGET_P99_MS = 50;

const USAGE = `usage: npm run bench:loans -- [options]
  --operators N     concurrent operators (default 16, 1..64); also the baseline's clients and pgbench's -c
  --seconds S       measured duration of each phase (default 20, 1..600)
  --warmup S        unmeasured warm-up before each phase (default 5, 0..120)
  --rate R          also run an open-loop phase on each side at R requests/s offered (1..2000),
                    reporting p99 from the scheduled arrival (issue 14: p99 < 50 ms at 200)
  --rate-clients K  operators the open-loop arrivals are handed to (default 32, 1..64)
  --stations S      stations (default 12, the pilot's count; 2..500)
  --bikes B         bikes (default 240, at least one per operator)
  --max-cycles C    closed loop: stop after this many cycles even if time remains (default 1000000)
  --redis-db I      Redis db index (1..15) to lease and flush (default: 14, or the
                    next free one if a test suite holds it)
  --api dist|src    run the compiled build (default) or the TypeScript sources via ts-node
  --build           run \`npm run build\` first (done anyway when dist/ is missing)
  --no-baseline     skip the raw-SQL baseline
  --pgbench-scale K scale for \`pgbench -i\` (default 10)
  --no-pgbench      skip the pgbench comparison
  --help`;

interface Options {
  operators: number;
  seconds: number;
  warmup: number;
  rate: number | undefined;
  rateClients: number;
  stations: number;
  bikes: number;
  maxCycles: number;
  redisDb: number | undefined;
  api: ApiMode;
  build: boolean;
  baseline: boolean;
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
      rate: { type: 'string' },
      'rate-clients': { type: 'string', default: '32' },
      stations: { type: 'string', default: '12' },
      bikes: { type: 'string', default: '240' },
      'max-cycles': { type: 'string', default: '1000000' },
      'redis-db': { type: 'string' },
      api: { type: 'string', default: 'dist' },
      build: { type: 'boolean', default: false },
      'no-baseline': { type: 'boolean', default: false },
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
    rate: values.rate === undefined ? undefined : intOption('rate', values.rate, 1, 2000),
    rateClients: intOption('rate-clients', values['rate-clients'], 1, 64),
    stations: intOption('stations', values.stations, 2, 500),
    bikes: intOption('bikes', values.bikes, 1, 100_000),
    maxCycles: intOption('max-cycles', values['max-cycles'], 1, 10_000_000),
    redisDb: values['redis-db'] === undefined ? undefined : intOption('redis-db', values['redis-db'], 1, 15),
    api: apiMode(values.api),
    build: values.build,
    baseline: !values['no-baseline'],
    pgbench: !values['no-pgbench'],
    pgbenchScale: intOption('pgbench-scale', values['pgbench-scale'], 1, 1000),
  };
  const seeded = seededOperators(options);
  if (options.bikes < seeded)
    throw new UsageError(`--bikes (${options.bikes}) must be at least the operators seeded (${seeded})`);
  return options;
}

/** Operators (and riders) to seed: enough for the closed loop and for the open loop's agents. */
function seededOperators(options: Pick<Options, 'operators' | 'rate' | 'rateClients'>): number {
  return Math.max(options.operators, options.rate === undefined ? 0 : options.rateClients);
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

/** One side's figures: the closed-loop phase, and the open-loop phase when `--rate` was given. */
interface SideResult {
  closed: LoadResult;
  open: OpenLoopResult | undefined;
  cpu: CpuUsage | undefined;
  checks: CheckResult[];
}

interface PhaseSummary {
  seconds: number;
  cyclesPerSecond: number;
  requestsPerSecond: number;
  checkOut: LatencySummary;
  return: LatencySummary;
  /** Both calls together (the open loop's p99 target is over every request). */
  all: LatencySummary;
}

function summarisePhase(load: LoadResult): PhaseSummary {
  const seconds = load.windowMs / 1000;
  return {
    seconds: round(seconds, 3),
    cyclesPerSecond: seconds > 0 ? round(load.cyclesInWindow / seconds) : 0,
    requestsPerSecond: seconds > 0 ? round(load.requestsInWindow / seconds) : 0,
    checkOut: summarise(load.latencyMs.checkOut),
    return: summarise(load.latencyMs.return),
    all: summarise([...load.latencyMs.checkOut, ...load.latencyMs.return]),
  };
}

/**
 * The closed loop (and the open loop, with `--rate`) of one side, then the consistency checks on its
 * database. `cpuPids` gives the server process to single out in the CPU split (the API), if any.
 */
async function runSide(
  label: string,
  executor: Executor,
  world: BenchWorld,
  ds: DataSource,
  options: Options,
  apiPid: number | undefined,
): Promise<SideResult> {
  console.log(
    `» ${label}: ${options.operators} clients, ${options.warmup} s warm-up, then ${options.seconds} s measured`,
  );
  let cpuStart: CpuSnapshot | undefined;
  let postgresPids: number[] | undefined;
  let cpu: CpuUsage | undefined;
  const closed = await runLoad(executor, world, {
    operators: options.operators,
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
            cpuStart = cpuSnapshot(apiPid, postgresPids);
          },
          () => (cpuStart = cpuSnapshot(apiPid)),
        );
      } else if (cpuStart) {
        cpu = cpuBetween(cpuStart, cpuSnapshot(apiPid, postgresPids), os.cpus().length);
      }
    },
  });
  let open: OpenLoopResult | undefined;
  if (options.rate !== undefined) {
    console.log(
      `» ${label}: open loop, ${options.rate} requests/s offered to ${options.rateClients} operators, ${options.warmup} s warm-up, then ${options.seconds} s measured`,
    );
    open = await runOpenLoop(executor, world, {
      rate: options.rate,
      agents: options.rateClients,
      warmupMs: options.warmup * 1000,
      measureMs: options.seconds * 1000,
    });
  }

  console.log(`» ${label}: checking the database`);
  const ok = {
    checkOut: closed.ok.checkOut + (open?.ok.checkOut ?? 0),
    return: closed.ok.return + (open?.ok.return ?? 0),
  };
  const checks: CheckResult[] = await consistencyChecks(ds, {
    bikes: options.bikes,
    checkOuts: ok.checkOut,
    returns: ok.return,
    openLoans: closed.abortedOperators.length + (open?.abortedOperators.length ?? 0),
  });
  const errors = { ...closed.errors };
  for (const [k, v] of Object.entries(open?.errors ?? {})) errors[k] = (errors[k] ?? 0) + v;
  const unexpected = Object.entries(errors).filter(([l]) => !l.includes('STATION_FULL'));
  checks.push({
    name: 'no unexpected non-2xx answers',
    ok: unexpected.length === 0,
    detail: unexpected.length === 0 ? 'none' : unexpected.map(([l, count]) => `${l} ×${count}`).join('; '),
  });
  if (closed.windowMs < 1000)
    checks.push({
      name: 'a measured window of at least 1 s',
      ok: false,
      detail: `${round(closed.windowMs)} ms (--max-cycles too low?)`,
    });
  return { closed, open, cpu, checks };
}

async function main(): Promise<number> {
  const options = parseOptions(process.argv.slice(2));
  loadDotEnv();
  const command = printCommandLine('loans');
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
  const baselineDbUrl = new URL(databaseUrl);
  baselineDbUrl.pathname = `/metrobici_bench_${runId}_sql`;
  const baselineUrl = baselineDbUrl.toString();
  const warnings: string[] = [];
  const warn = (message: string) => {
    warnings.push(message);
    console.warn(`! ${message}`);
  };
  const openDataSource = async (url: string, name: string) => {
    const ds = createDataSource(url, { entities: ENTITIES, extra: { max: 2, application_name: name } });
    await ds.initialize();
    return ds;
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
    const phases = (options.rate === undefined ? 1 : 2) * (options.warmup + options.seconds);
    const lease = await leaseRedisDb(redisUrl.toString(), redisCandidates, (2 * phases + 30 * 60) * 1000);
    cleanup.add(`flush and release Redis db ${lease.index}`, () => lease.release());
    const benchRedisUrl = lease.url;
    console.log(`» database ${dbUrl.pathname.slice(1)}, Redis db ${lease.index}`);
    cleanup.add('drop the bench database', () => dropDatabase(databaseUrl));
    await ensureDatabase(databaseUrl);
    await migrate(databaseUrl);

    let ds = await openDataSource(databaseUrl, 'metrobici-bench');
    const [pg] = await ds.query<Array<Record<string, string>>>(
      `SELECT current_setting('server_version') AS version, current_setting('shared_buffers') AS shared_buffers,
              current_setting('synchronous_commit') AS synchronous_commit, current_setting('max_connections') AS max_connections`,
    );

    const seeded = seededOperators(options);
    console.log(`» seeding ${options.stations} stations, ${options.bikes} bikes, ${seeded} operators and riders`);
    const world = await seedWorld(ds, { stations: options.stations, bikes: options.bikes, operators: seeded });
    const staffIds = (
      await ds.query<Array<{ id: string; email: string }>>('SELECT id, email FROM staff_users WHERE email = ANY($1)', [
        world.operators.map((o) => o.email),
      ])
    ).reduce((m, r) => m.set(r.email, r.id), new Map<string, string>());
    if (options.baseline) {
      // An exact copy of the seeded data for the baseline: both sides start equal.
      await ds.destroy();
      cleanup.add('drop the baseline database', () => dropDatabase(baselineUrl));
      await copyDatabase(databaseUrl, baselineUrl);
      ds = await openDataSource(databaseUrl, 'metrobici-bench');
    }
    const apiDs = ds;
    cleanup.add('close the bench connection', () => apiDs.destroy());
    // Each side moves the bikes of its own database: each gets its own copy of where they stand.
    const apiWorld: BenchWorld = structuredClone(world);
    const baselineWorld: BenchWorld = structuredClone(world);

    // ---- the API --------------------------------------------------------------------------------
    const port = await freePort();
    const jwtTtl = Math.min(86_400, Math.max(900, phases + 600));
    console.log(`» starting the API (${options.api}) on 127.0.0.1:${port}`);
    const api: ApiProcess = await startApiProcess({
      mode: options.api,
      port,
      env: {
        NODE_ENV: 'production',
        // Required in production (GBFS links); nothing here reads it.
        PUBLIC_BASE_URL: 'http://127.0.0.1',
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

    const client = new BenchClient(api.url, seeded);
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
    const apiSide = await runSide('API', httpExecutor(client, tokens), apiWorld, apiDs, options, api.pid);
    const apiLogLines = api.logLines();
    const apiLogTail = api.logTail();
    await api.stop();

    // ---- the raw-SQL baseline -------------------------------------------------------------------
    let baselineSide: SideResult | undefined;
    let writeKinds: { api: string[]; baseline: string[] } | undefined;
    if (options.baseline) {
      const bds = await openDataSource(baselineUrl, 'metrobici-bench-checks');
      cleanup.add('close the baseline check connection', () => bds.destroy());
      const clients = Math.max(options.operators, options.rate === undefined ? 0 : options.rateClients);
      const baseline = sqlBaseline(
        baselineUrl,
        clients,
        world.operators.map((o) => staffIds.get(o.email)!),
      );
      cleanup.add('close the baseline pool', () => baseline.close());
      baselineSide = await runSide('raw-SQL baseline', baseline, baselineWorld, bds, options, undefined);
      await baseline.close();
      const [apiKinds, sqlKinds] = await Promise.all([writeSignatures(apiDs), writeSignatures(bds)]);
      const onlyApi = apiKinds.filter((k) => !sqlKinds.includes(k));
      const onlySql = sqlKinds.filter((k) => !apiKinds.includes(k));
      writeKinds = { api: apiKinds, baseline: sqlKinds };
      baselineSide.checks.push({
        name: 'the baseline wrote the same kinds of rows as the API (tables, outbox payload keys, stored answers)',
        ok: onlyApi.length === 0 && onlySql.length === 0,
        detail:
          onlyApi.length + onlySql.length === 0
            ? `${apiKinds.length} kinds of rows on each side`
            : [...onlyApi.map((k) => `API only: ${k}`), ...onlySql.map((k) => `baseline only: ${k}`)].join('; '),
      });
    }

    // ---- pgbench --------------------------------------------------------------------------------
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

    // ---- report ---------------------------------------------------------------------------------
    const apiClosed = summarisePhase(apiSide.closed);
    const sqlClosed = baselineSide ? summarisePhase(baselineSide.closed) : undefined;
    const apiOpen = apiSide.open ? summarisePhase(apiSide.open) : undefined;
    const sqlOpen = baselineSide?.open ? summarisePhase(baselineSide.open) : undefined;
    const machine = {
      cpus: os.cpus().length,
      cpuModel: os.cpus()[0]?.model ?? 'unknown',
      memoryGb: round(os.totalmem() / 2 ** 30),
      platform: `${os.type()} ${os.release()}`,
      node: process.version,
    };

    console.log('');
    console.log(
      `Loans bench — ${options.operators} operators, ${apiClosed.seconds} s measured after ${options.warmup} s warm-up, API from ${options.api}`,
    );
    console.log(`command: ${command}`);
    console.log(
      `machine: ${machine.cpus} × ${machine.cpuModel}, ${machine.memoryGb} GB; Node ${machine.node}; PostgreSQL ${pg.version} (shared_buffers ${pg.shared_buffers}, synchronous_commit ${pg.synchronous_commit})`,
    );
    console.log('');
    console.log(
      `API cycles/s ${apiClosed.cyclesPerSecond}   (${apiSide.closed.cyclesInWindow} check-out → return cycles in the window; ${apiSide.closed.cyclesCompleted} in all)`,
    );
    console.log('');
    const r = (a: number, b: number | undefined) => times(ratio(a, b));
    const sideRow = (name: string, p: PhaseSummary) => [
      name,
      p.requestsPerSecond,
      p.checkOut.p50Ms,
      p.checkOut.p99Ms,
      p.return.p50Ms,
      p.return.p99Ms,
      p.all.p99Ms,
    ];
    const closedRows: Array<Array<string | number>> = [
      ['closed loop, side by side', 'requests/s', 'check-out p50', 'p99', 'return p50', 'p99', 'all p99 (ms)'],
      sideRow('API (HTTP → Nest → TypeORM)', apiClosed),
    ];
    if (sqlClosed) {
      closedRows.push(sideRow('raw-SQL baseline (pg, no HTTP)', sqlClosed));
      closedRows.push([
        'API ÷ baseline',
        r(apiClosed.requestsPerSecond, sqlClosed.requestsPerSecond),
        r(apiClosed.checkOut.p50Ms, sqlClosed.checkOut.p50Ms),
        r(apiClosed.checkOut.p99Ms, sqlClosed.checkOut.p99Ms),
        r(apiClosed.return.p50Ms, sqlClosed.return.p50Ms),
        r(apiClosed.return.p99Ms, sqlClosed.return.p99Ms),
        r(apiClosed.all.p99Ms, sqlClosed.all.p99Ms),
      ]);
    }
    if (pgbench)
      closedRows.push([`${pgbench.command} (-s ${pgbench.scale}), tps`, round(pgbench.tps), '', '', '', '', '']);
    console.log(table(closedRows));
    if (pgbench)
      console.log(
        `API requests/s are ${round((apiClosed.requestsPerSecond / pgbench.tps) * 100)} % of pgbench -N tps${sqlClosed ? `; the baseline's ${round((sqlClosed.requestsPerSecond / pgbench.tps) * 100)} %` : ''} (pgbench latency average ${pgbench.latencyAvgMs ?? '?'} ms)`,
      );
    console.log('');
    if (apiOpen && apiSide.open) {
      const openRows: Array<Array<string | number>> = [
        [
          `open loop, ${options.rate} req/s offered`,
          'served/s',
          'check-out p50',
          'p99',
          'return p50',
          'p99',
          'all p99 (ms)',
          'max backlog',
        ],
        [...sideRow('API', apiOpen), apiSide.open.maxBacklog],
      ];
      if (sqlOpen && baselineSide?.open) {
        openRows.push([...sideRow('raw-SQL baseline', sqlOpen), baselineSide.open.maxBacklog]);
        openRows.push([
          'API ÷ baseline',
          r(apiOpen.requestsPerSecond, sqlOpen.requestsPerSecond),
          r(apiOpen.checkOut.p50Ms, sqlOpen.checkOut.p50Ms),
          r(apiOpen.checkOut.p99Ms, sqlOpen.checkOut.p99Ms),
          r(apiOpen.return.p50Ms, sqlOpen.return.p50Ms),
          r(apiOpen.return.p99Ms, sqlOpen.return.p99Ms),
          r(apiOpen.all.p99Ms, sqlOpen.all.p99Ms),
          '',
        ]);
      }
      console.log(table(openRows));
      console.log(
        `(latency from each request's scheduled arrival; ${apiSide.open.offeredInWindow} API arrivals in the window; a backlog above 0 means all ${options.rateClients} operators were busy)`,
      );
      console.log('');
    }

    const errorLine = (side: SideResult) => {
      const all = { ...side.closed.errors };
      for (const [k, v] of Object.entries(side.open?.errors ?? {})) all[k] = (all[k] ?? 0) + v;
      const entries = Object.entries(all);
      const retries = side.closed.retries + (side.open?.retries ?? 0);
      return `${entries.length === 0 ? 'none' : entries.map(([l, c]) => `${l} ×${c}`).join(', ')}; retries ${retries}`;
    };
    console.log(`errors (whole run), API: ${errorLine(apiSide)}`);
    if (baselineSide) console.log(`errors (whole run), baseline: ${errorLine(baselineSide)}`);
    const cpuLine = (label: string, cpu: CpuUsage | undefined, serverLabel: string) => {
      if (!cpu) return;
      const part = (l: string, v: number | null) => (v === null ? '' : `${l} ${v}`);
      console.log(
        `CPU in the ${label} window (cores busy of ${machine.cpus}): ${[part('machine', cpu.machineCores), part(serverLabel, cpu.apiCores), part('postgres', cpu.postgresCores), part('load generator', cpu.benchCores), part('other', cpu.otherCores)].filter(Boolean).join(', ')}`,
      );
      if (cpu.otherCores !== null && cpu.otherCores > NOISY_CORES)
        warn(`other processes used ${cpu.otherCores} cores during the ${label} window: these figures are understated.`);
    };
    cpuLine('API', apiSide.cpu, 'API');
    cpuLine('baseline', baselineSide?.cpu, 'API (not running)');
    if (apiLogLines > 0)
      console.log(
        `API logged ${apiLogLines} line(s) at LOG_LEVEL=error; the last of them:\n${apiLogTail.split('\n').slice(-20).join('\n')}`,
      );
    console.log('');

    // Issue 14's targets.
    const targets: TargetResult[] = [];
    const atTarget = options.operators === TARGET_OPERATORS;
    const throughputRatio = sqlClosed ? ratio(apiClosed.requestsPerSecond, sqlClosed.requestsPerSecond) : null;
    targets.push(
      target(
        `API requests/s ≥ ${TARGET_RATIO}× the raw-SQL baseline at ${TARGET_OPERATORS} operators`,
        throughputRatio === null ? null : throughputRatio >= TARGET_RATIO,
        sqlClosed
          ? `${apiClosed.requestsPerSecond} ÷ ${sqlClosed.requestsPerSecond} = ${times(throughputRatio)}${atTarget ? '' : `; measured at ${options.operators} operators, not the target's ${TARGET_OPERATORS}`}`
          : 'no baseline (--no-baseline)',
      ),
    );
    targets.push(
      target(
        `API p99 < ${TARGET_P99_MS} ms at ${TARGET_RATE} requests/s offered`,
        apiOpen ? apiOpen.all.p99Ms < TARGET_P99_MS : null,
        apiOpen
          ? `p99 ${apiOpen.all.p99Ms} ms over ${apiOpen.all.count} requests at ${options.rate} req/s offered, ${apiOpen.requestsPerSecond} served/s${options.rate === TARGET_RATE ? '' : `; offered ${options.rate}, not the target's ${TARGET_RATE}`}`
          : `no open-loop phase: pass --rate ${TARGET_RATE}`,
      ),
    );
    printTargets(targets);
    console.log('');

    if (warnings.length > 0) console.log(`warnings:\n${warnings.map((w) => `  ! ${w}`).join('\n')}\n`);
    const checkLines = (label: string, checks: CheckResult[]) => {
      console.log(`consistency (${label}):`);
      for (const c of checks) console.log(`  ${c.ok ? 'ok  ' : 'FAIL'} ${c.name}${c.ok ? '' : `: ${c.detail}`}`);
    };
    checkLines('API database', apiSide.checks);
    if (baselineSide) checkLines('baseline database', baselineSide.checks);
    const passed = apiSide.checks.every((c) => c.ok) && (baselineSide?.checks.every((c) => c.ok) ?? true);

    const sideJson = (side: SideResult, closed: PhaseSummary, open: PhaseSummary | undefined) => ({
      closedLoop: {
        windowSeconds: closed.seconds,
        cyclesPerSecond: closed.cyclesPerSecond,
        requestsPerSecond: closed.requestsPerSecond,
        cyclesInWindow: side.closed.cyclesInWindow,
        requestsInWindow: side.closed.requestsInWindow,
        cyclesCompleted: side.closed.cyclesCompleted,
        latencyMs: { checkOut: closed.checkOut, return: closed.return, all: closed.all },
        errors: side.closed.errors,
        retries: side.closed.retries,
        abortedOperators: side.closed.abortedOperators,
      },
      openLoop:
        side.open && open
          ? {
              rate: side.open.rate,
              agents: side.open.agents,
              offeredInWindow: side.open.offeredInWindow,
              servedPerSecond: open.requestsPerSecond,
              maxBacklog: side.open.maxBacklog,
              latencyFromArrivalMs: { checkOut: open.checkOut, return: open.return, all: open.all },
              errors: side.open.errors,
              retries: side.open.retries,
              abortedOperators: side.open.abortedOperators,
            }
          : null,
      cpu: side.cpu ?? null,
      checks: side.checks,
    });

    const resultsDir = join(REPO_ROOT, 'bench', 'results');
    mkdirSync(resultsDir, { recursive: true });
    const file = join(resultsDir, `loans-${startedAt.toISOString().replace(/[:.]/g, '-')}.json`);
    writeFileSync(
      file,
      JSON.stringify(
        {
          bench: 'loans',
          command,
          startedAt: startedAt.toISOString(),
          git: { commit: git(['rev-parse', 'HEAD']), dirty: (git(['status', '--porcelain']) ?? '') !== '' },
          options,
          machine: { ...machine, postgres: pg, busyCoresBefore: idleBefore },
          warnings,
          world: {
            stations: options.stations,
            bikes: options.bikes,
            operators: seeded,
            stationCapacity: options.bikes,
          },
          resources: {
            database: dbUrl.pathname.slice(1),
            baselineDatabase: options.baseline ? baselineDbUrl.pathname.slice(1) : null,
            redisDb: lease.index,
            apiMode: options.api,
          },
          api: { ...sideJson(apiSide, apiClosed, apiOpen), logLines: apiLogLines },
          baseline: baselineSide && sqlClosed ? sideJson(baselineSide, sqlClosed, sqlOpen) : null,
          ratios: {
            requestsPerSecond: throughputRatio,
            closedP99: sqlClosed ? ratio(apiClosed.all.p99Ms, sqlClosed.all.p99Ms) : null,
            openP99: apiOpen && sqlOpen ? ratio(apiOpen.all.p99Ms, sqlOpen.all.p99Ms) : null,
            apiPerPgbench: pgbench ? ratio(apiClosed.requestsPerSecond, pgbench.tps) : null,
          },
          targets,
          writeKinds: writeKinds ?? null,
          pgbench: pgbench ?? null,
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
