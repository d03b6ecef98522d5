/**
 * Realtime bench: C socket.io clients on /availability, then check-outs and returns through the
 * real API; for every committed change, the time from the API's response to each client's receipt
 * of `station:updated` (the whole path: transaction → outbox → NOTIFY → worker relay → Redis →
 * socket.io adapter → client). Then, in the same run, two baselines, each sent the very payloads
 * the clients received, on the same schedule, by the bench over IPC, to as many fresh clients, and
 * timed from the bench's "send" to each receipt: a bare socket.io server (no Nest, no Redis
 * adapter), and the machine's floor, a plain `node:net` server that writes each change's frame to
 * every client and does nothing else (bench/support/tcp-floor-server.js). Reports p50/p99/max and
 * events lost (must be 0) for each, API p99 ÷ bare p99 (the target) and ÷ the floor's. Private database, Redis
 * db and processes, removed at the end. Both sides use the same clients: by default light ones
 * (the protocol over raw sockets) spread over one process per core, so the load generator keeps
 * up; receipt times are on the system-wide monotonic clock (see clients.ts, client-pool.ts). The
 * CPU of each delivery window is split by process. See bench/README.md. Usage:
 *   npm run bench:realtime -- --clients 5000 --ops 200 --rate 10
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import os, { availableParallelism } from 'node:os';
import { join, relative } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { loadDotEnv } from '@metrobici/config';
import { createDataSource, dropDatabase, ensureDatabase, migrate } from '@metrobici/database';
import { ENTITIES } from '../../apps/entities';
import {
  type ApiMode,
  distExists,
  distLooksStale,
  freePort,
  REPO_ROOT,
  runCommand,
  startApiProcess,
} from '../support/api-process';
import { intOption, UsageError } from '../support/cli';
import { Cleanup } from '../support/cleanup';
import { monotonicMs, perfToMonotonic } from '../support/clock';
import {
  backgroundCores,
  groupBetween,
  groupSnapshot,
  type GroupUsage,
  pidsNamed,
  type ProcessGroups,
} from '../support/cpu';
import { waitForWorker } from '../support/worker-ready';
import { BenchClient } from '../support/http';
import { leaseRedisDb } from '../support/redis-db';
import { printCommandLine, printTargets, ratio, target, times } from '../support/report';
import { type LatencySummary, round, summarise, table } from '../support/stats';
import { seedWorld } from '../loans/seed';
import { ClientPool, type Receipts } from './client-pool';
import { CLIENT_KINDS, type ClientKind } from './clients';

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '::1', '[::1]']);
// Issue 14's targets.
const TARGET_CLIENTS = 5000;
const TARGET_RATIO = 1.5;
const TARGET_P99_MS = 100;
/** Cores used by others (tests, builds) above which a window's figures are not worth recording. */
const NOISY_CORES = 0.25;
/** A client process this busy over a delivery window is likely what delays the receipts. */
const BUSY_CLIENT_CORES = 0.8;

const USAGE = `usage: npm run bench:realtime -- [options]
  --clients C     socket.io clients on /availability (default 2000, 1..20000; the target is at 5000)
  --client K      light (default: the protocol over ws, see clients.ts) or socket.io (socket.io-client)
  --client-procs P  processes the clients are spread over (default ${defaultClientProcs()}); 0: in the bench's own
  --ops N         check-out + return pairs through the API (default 200, 1..10000): 2N changes
  --rate R        pairs started per second at most (default 10, 1..200)
  --api dist|src  API and worker from the compiled build (default) or the TypeScript sources via ts-node
  --build         run \`npm run build\` first (done anyway when dist/ is missing)
  --no-baseline   skip the baselines (bare socket.io, TCP floor)
  --help`;

interface Options {
  clients: number;
  ops: number;
  rate: number;
  api: ApiMode;
  build: boolean;
  baseline: boolean;
  client: ClientKind;
  clientProcs: number;
}

/** One client process per core: more only share the same cores, fewer leave one idle. */
function defaultClientProcs(): number {
  return Math.max(1, Math.min(8, os.cpus().length));
}

function parseOptions(argv: string[]): Options {
  const { values } = parseArgs({
    args: argv,
    options: {
      clients: { type: 'string', default: '2000' },
      ops: { type: 'string', default: '200' },
      rate: { type: 'string', default: '10' },
      api: { type: 'string', default: 'dist' },
      build: { type: 'boolean', default: false },
      'no-baseline': { type: 'boolean', default: false },
      client: { type: 'string', default: 'light' },
      'client-procs': { type: 'string', default: String(defaultClientProcs()) },
      help: { type: 'boolean', default: false },
    },
    strict: true,
  });
  if (values.help) {
    console.log(USAGE);
    process.exit(0);
  }
  return {
    clients: intOption('clients', values.clients, 1, 20_000),
    ops: intOption('ops', values.ops, 1, 10_000),
    rate: intOption('rate', values.rate, 1, 200),
    api: apiMode(values.api),
    build: values.build,
    baseline: !values['no-baseline'],
    client: clientKind(values.client),
    clientProcs: intOption('client-procs', values['client-procs'], 0, 64),
  };
}

function apiMode(raw: string): ApiMode {
  if (raw === 'dist' || raw === 'src') return raw;
  throw new UsageError(`--api must be dist or src (got ${raw})`);
}

function clientKind(raw: string): ClientKind {
  const kind = CLIENT_KINDS.find((k) => k === raw);
  if (!kind) throw new UsageError(`--client must be ${CLIENT_KINDS.join(' or ')} (got ${raw})`);
  return kind;
}

interface Delivery {
  clients: number;
  changes: number;
  deliveriesExpected: number;
  deliveries: number;
  lost: number;
  duplicates: number;
  closedEarly: number;
  latencyMs: LatencySummary;
}

/** `sent[].at` and the receipt times are on the monotonic clock (bench/support/clock.ts). */
function deliveryOf(clients: number, sent: Array<{ key: string; at: number }>, receipts: Receipts): Delivery {
  const latencies: number[] = [];
  let lost = 0;
  for (const { key, at } of sent) {
    let received = 0;
    for (const times of receipts.times.get(key) ?? []) {
      received += times.length;
      for (const t of times) latencies.push(t - at);
    }
    lost += clients - received;
  }
  return {
    clients,
    changes: sent.length,
    deliveriesExpected: sent.length * clients,
    deliveries: latencies.length,
    lost,
    duplicates: receipts.duplicates,
    closedEarly: receipts.closedEarly,
    latencyMs: summarise(latencies),
  };
}

/** The clients of one side, in fresh processes, stopped by the cleanup should the run fail. */
async function startPool(options: Options, cleanup: Cleanup, side: string): Promise<ClientPool> {
  const pool = await ClientPool.start(options.client, options.clientProcs);
  cleanup.add(`stop the ${side} clients`, () => pool.stop());
  cleanup.addOnExit(() => pool.kill());
  return pool;
}

/** One CPU group per client process (the busiest one says whether the clients kept up), plus the bench's own. */
function clientGroups(pool: ClientPool): ProcessGroups {
  const groups: ProcessGroups = { bench: { pids: [process.pid] } };
  pool.pids.forEach((pid, i) => (groups[`${CLIENT_PROC}${i + 1}`] = { pids: [pid] }));
  return groups;
}

const CLIENT_PROC = 'client process ';

/** `API 0.62, worker 0.05, …, clients 0.9 (busiest process 0.47), bench 0.02, other 0.01`. */
function cpuLine(usage: GroupUsage, cores: number): string {
  const parts: string[] = [];
  const clientCores = Object.entries(usage.cores).filter(([name]) => name.startsWith(CLIENT_PROC));
  for (const [name, value] of Object.entries(usage.cores)) {
    if (!name.startsWith(CLIENT_PROC)) parts.push(`${name} ${value ?? 'n/a'}`);
  }
  if (clientCores.length > 0) {
    const sum = clientCores.reduce((a, [, v]) => a + (v ?? 0), 0);
    const busiest = Math.max(...clientCores.map(([, v]) => v ?? 0));
    parts.push(`clients ${round(sum, 2)} (${clientCores.length} processes, busiest ${busiest})`);
  }
  parts.push(`other ${usage.otherCores ?? 'n/a'}`);
  return `machine ${usage.machineCores ?? 'n/a'} of ${cores} cores: ${parts.join(', ')}`;
}

/** The busiest thread holding clients: the bench's own when they live there. */
function busiestClientCores(usage: GroupUsage, options: Options): number {
  const names = Object.keys(usage.cores).filter((n) =>
    options.clientProcs === 0 ? n === 'bench' : n.startsWith(CLIENT_PROC),
  );
  return Math.max(0, ...names.map((n) => usage.cores[n] ?? 0));
}

async function main(): Promise<number> {
  const options = parseOptions(process.argv.slice(2));
  const clientSetup =
    options.clientProcs === 0
      ? `${options.client} clients in the bench's process`
      : `${options.client} clients over ${options.clientProcs} processes`;
  loadDotEnv(join(REPO_ROOT, '.env'));
  const command = printCommandLine('realtime');
  const cleanup = new Cleanup();
  cleanup.handleSignals();
  const warnings: string[] = [];
  const warn = (message: string) => {
    warnings.push(message);
    console.warn(`! ${message}`);
  };
  const cores = os.cpus().length;
  try {
    const idleBefore = await backgroundCores(2000, cores);
    if (idleBefore !== null && idleBefore > NOISY_CORES)
      warn(
        `the machine was already busy before the bench (${idleBefore} cores): close builds and test runs for figures worth recording.`,
      );
    if (options.api === 'src') {
      // the sources run as they are
    } else if (options.build || !distExists()) await runCommand('npm', ['run', 'build']);
    else if (distLooksStale())
      warn('dist/ is older than some sources under apps/ or libs/: pass --build to measure the current code.');
    const base = new URL(process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres');
    const redisBase = new URL(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379/0');
    for (const [u, what] of [
      [base, 'DATABASE_URL'],
      [redisBase, 'REDIS_URL'],
    ] as const)
      if (!LOOPBACK.has(u.hostname))
        throw new UsageError(`${what} points at ${u.hostname}; the bench runs against servers on this machine only.`);
    base.pathname = `/metrobici_bench_${randomBytes(4).toString('hex')}`;
    const databaseUrl = base.toString();
    await ensureDatabase(databaseUrl);
    cleanup.add('drop database', () => dropDatabase(databaseUrl));
    await migrate(databaseUrl);
    const lease = await leaseRedisDb(redisBase.toString(), [13, 12, 11, 10, 9], 30 * 60_000);
    cleanup.add('release redis db', () => lease.release());

    const ds = createDataSource(databaseUrl, { entities: ENTITIES });
    await ds.initialize();
    cleanup.add('close datasource', () => ds.destroy());
    const world = await seedWorld(ds, { stations: 12, bikes: 240, operators: 1 });
    const env = {
      NODE_ENV: 'production',
      // Required in production (GBFS links); nothing here reads it.
      PUBLIC_BASE_URL: 'http://127.0.0.1',
      DATABASE_URL: databaseUrl,
      REDIS_URL: lease.url,
      JWT_SECRET: randomBytes(24).toString('hex'),
      // Required in production by the exports' rider pseudonyms; unused here.
      RIDER_KEY_SECRET: randomBytes(24).toString('hex'),
      OPENING_HOURS: '24/7',
      LOG_LEVEL: 'error',
      PUBLIC_RATE_LIMIT_PER_MINUTE: '100000',
      // Every client connects from 127.0.0.1: the per-address limits would refuse most of them.
      SOCKET_CONNECTIONS_PER_MINUTE: '100000',
      SOCKET_CONNECTIONS_PER_ADDRESS: '100000',
      WORKER_HEALTH_PORT: String(await freePort()),
    };
    const api = await startApiProcess({ mode: options.api, env, port: await freePort() });
    cleanup.add('stop api', () => api.stop());
    cleanup.addOnExit(() => api.kill());
    const worker = startWorker(options.api, env);
    cleanup.add('stop worker', () => stopChild(worker));
    cleanup.addOnExit(() => worker.kill('SIGKILL'));
    await waitForWorker(worker, Number(env.WORKER_HEALTH_PORT));

    // ---- the API: check-outs and returns, timed from the answer to each client's receipt ------
    const apiPool = await startPool(options, cleanup, 'API');
    const apiConnect = await apiPool.connect(api.url, options.clients);
    console.log(`» API: ${options.clients} clients connected in ${round(apiConnect.seconds, 1)} s (${clientSetup})`);

    const client = new BenchClient(api.url, 4);
    cleanup.add('close HTTP sockets', () => client.close());
    const login = await client.post<{ accessToken: string }>('/api/v1/auth/login', {
      email: world.operators[0].email,
      password: world.password,
    });
    if (login.status !== 200) throw new Error(`login failed: ${login.status} ${JSON.stringify(login.body)}`);
    const auth = { authorization: `Bearer ${login.body.accessToken}` };
    const operator = world.operators[0];
    const bikes = operator.bikes.map((b) => ({ code: b.code, station: b.station }));

    // Each operation changes exactly one station; its new sequence is read right after the answer.
    console.log(`» API: ${options.ops} check-out + return pairs at up to ${options.rate} pairs/s`);
    const apiSent: Array<{ key: string; at: number }> = [];
    let failures = 0;
    // This database's backends and the server's background processes (the relay's session among them).
    const postgresPids = (
      await ds.query<Array<{ pid: number }>>(
        `SELECT pid FROM pg_stat_activity WHERE datname = current_database() OR backend_type <> 'client backend'`,
      )
    ).map((r) => Number(r.pid));
    const apiGroups = {
      API: { pids: [api.pid], tree: true },
      worker: { pids: worker.pid ? [worker.pid] : [] },
      postgres: { pids: postgresPids },
      redis: { pids: pidsNamed('redis-server') },
      ...clientGroups(apiPool),
    };
    const apiCpuStart = groupSnapshot(apiGroups);
    for (let op = 0; op < options.ops; op++) {
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
      apiSent.push({ key: await sequenceKey(ds, stationId), at: perfToMonotonic(out.endedAt) });
      const target = (bike.station + 1) % world.stationIds.length;
      const back = await client.post(
        '/api/v1/returns',
        { bikeCode: bike.code, stationId: world.stationIds[target] },
        auth,
      );
      if (back.status !== 200) failures++;
      else {
        bike.station = target;
        apiSent.push({ key: await sequenceKey(ds, world.stationIds[target]), at: perfToMonotonic(back.endedAt) });
      }
      const pause = 1000 / options.rate - (performance.now() - started);
      if (pause > 0) await sleep(pause);
    }
    // The window ends a moment after the last answer, once its event has gone out.
    await sleep(250);
    const apiCpu = groupBetween(apiCpuStart, groupSnapshot(apiGroups), cores);
    await sleep(2750); // let the last events arrive
    const apiReceipts = await apiPool.collect();
    const apiResult = deliveryOf(options.clients, apiSent, apiReceipts);
    await apiPool.stop();
    // The bare server gets the machine to itself, as the API had it.
    await api.stop();
    await stopChild(worker);

    // ---- the baselines: the same payloads on the same schedule, a bare socket.io server, then
    // the machine's floor (plain TCP writes); each gets the machine to itself, as the API had it.
    const replay = apiSent.filter((s) => apiReceipts.payloads.has(s.key));
    const snapshot = apiConnect.snapshot ?? { stations: [] };
    let bare: Baseline | undefined;
    let floor: Baseline | undefined;
    if (options.baseline) {
      const side = { options, cleanup, cores, replay, receipts: apiReceipts, snapshot };
      bare = await replayThrough(side, {
        label: 'bare socket.io',
        server: 'bare server',
        script: 'bare-socket-server.js',
        args: [],
      });
      floor = await replayThrough(side, {
        label: 'TCP floor',
        server: 'floor server',
        script: 'tcp-floor-server.js',
        // As many processes as the API ran (one per CPU in production).
        args: [String(availableParallelism())],
      });
    }

    // ---- report ---------------------------------------------------------------------------------
    const row = (name: string, d: Delivery) => [
      name,
      d.clients,
      d.changes,
      d.deliveries,
      d.lost,
      d.latencyMs.p50Ms,
      d.latencyMs.p99Ms,
      d.latencyMs.maxMs,
    ];
    const rows: Array<Array<string | number>> = [
      ['realtime, side by side', 'clients', 'changes', 'deliveries', 'lost', 'p50 ms', 'p99 ms', 'max ms'],
      row('API (answer → receipt)', apiResult),
    ];
    const p99Ratio = bare ? ratio(apiResult.latencyMs.p99Ms, bare.latencyMs.p99Ms) : null;
    const ratioRow = (b: Baseline, name: string) => [
      `API ÷ ${name}`,
      '',
      '',
      '',
      '',
      times(ratio(apiResult.latencyMs.p50Ms, b.latencyMs.p50Ms)),
      times(ratio(apiResult.latencyMs.p99Ms, b.latencyMs.p99Ms)),
      times(ratio(apiResult.latencyMs.maxMs, b.latencyMs.maxMs)),
    ];
    if (bare) rows.push(row('bare socket.io 4.8 (send → receipt)', bare));
    if (floor) rows.push(row('TCP floor: plain writes (send → receipt)', floor));
    if (bare) rows.push(ratioRow(bare, 'bare'));
    if (floor) rows.push(ratioRow(floor, 'floor'));
    const baselines = [bare, floor].filter((b): b is Baseline => b !== undefined);
    const each = (f: (d: Delivery) => string | number) =>
      [`API ${f(apiResult)}`, ...baselines.map((b) => `${b.label} ${f(b)}`)].join(', ');
    console.log('');
    console.log(
      `Realtime bench — ${options.clients} clients, ${options.ops} check-out + return pairs at up to ${options.rate}/s`,
    );
    console.log(`command: ${command}`);
    console.log(table(rows));
    console.log(
      `API failures ${failures}; duplicates dropped by clients: ${each((d) => d.duplicates)}; connections closed by the server: ${each((d) => d.closedEarly)}; connect: API ${round(apiConnect.seconds, 1)} s${baselines.map((b) => `, ${b.label} ${b.connectSeconds} s`).join('')}`,
    );
    console.log(`clients: ${clientSetup}`);
    console.log(`CPU while the API delivered: ${cpuLine(apiCpu, cores)}`);
    for (const b of baselines) console.log(`CPU while ${b.label} delivered: ${cpuLine(b.cpu, cores)}`);
    for (const [label, usage] of [['API', apiCpu] as const, ...baselines.map((b) => [b.label, b.cpu] as const)]) {
      if (usage.otherCores !== null && usage.otherCores > NOISY_CORES)
        warn(`other processes used ${usage.otherCores} cores while ${label} delivered: rerun on a quiet machine.`);
      const busiest = busiestClientCores(usage, options);
      if (busiest > BUSY_CLIENT_CORES)
        warn(
          `a process holding clients used ${busiest} cores while ${label} delivered: receipts may have waited in the client (raise --client-procs, or --client light).`,
        );
    }
    console.log('');
    const note =
      options.clients === TARGET_CLIENTS
        ? ''
        : `; measured at ${options.clients} clients, not the target's ${TARGET_CLIENTS}`;
    const targets = [
      target(
        `API end-to-end p99 ≤ ${TARGET_RATIO}× the bare socket.io broadcast's p99 at ${TARGET_CLIENTS} clients`,
        p99Ratio === null ? null : p99Ratio <= TARGET_RATIO,
        bare
          ? `${apiResult.latencyMs.p99Ms} ÷ ${bare.latencyMs.p99Ms} ms = ${times(p99Ratio)}${note}`
          : 'no baseline (--no-baseline)',
      ),
      target(
        `API end-to-end p99 < ${TARGET_P99_MS} ms at ${TARGET_CLIENTS} clients`,
        apiResult.deliveries > 0 && apiResult.latencyMs.p99Ms < TARGET_P99_MS,
        apiResult.deliveries > 0
          ? `p99 ${apiResult.latencyMs.p99Ms} ms${floor ? `; the TCP floor's p99 in this run: ${floor.latencyMs.p99Ms} ms` : ''}${note}`
          : 'nothing was delivered',
      ),
      target('0 events lost', apiResult.lost === 0, `API lost ${apiResult.lost} of ${apiResult.deliveriesExpected}`),
    ];
    printTargets(targets);
    if (warnings.length > 0) console.log(`\nwarnings:\n${warnings.map((w) => `  ! ${w}`).join('\n')}`);

    const at = new Date().toISOString();
    mkdirSync(join(REPO_ROOT, 'bench', 'results'), { recursive: true });
    const file = join(REPO_ROOT, 'bench', 'results', `realtime-${at.replace(/[:.]/g, '-')}.json`);
    writeFileSync(
      file,
      `${JSON.stringify(
        {
          bench: 'realtime',
          command,
          at,
          options,
          api: { ...apiResult, apiFailures: failures, connectSeconds: round(apiConnect.seconds, 1), cpu: apiCpu },
          bare: bare ?? null,
          floor: floor ?? null,
          ratios: {
            p99: p99Ratio,
            p99OverFloor: floor ? ratio(apiResult.latencyMs.p99Ms, floor.latencyMs.p99Ms) : null,
          },
          targets,
          warnings,
        },
        null,
        2,
      )}\n`,
    );
    console.log(`\nresults: ${relative(process.cwd(), file)}`);
    // Correctness: no API failure, nothing lost (on any side: a baseline's loss means a bench problem).
    return apiResult.lost > 0 || failures > 0 || baselines.some((b) => b.lost > 0) ? 1 : 0;
  } finally {
    await cleanup.run();
  }
}

/** A baseline's delivery of the API run's changes. */
type Baseline = Delivery & { label: string; connectSeconds: number; replayed: number; cpu: GroupUsage };

interface ReplaySide {
  options: Options;
  cleanup: Cleanup;
  cores: number;
  /** The API run's changes its clients received, with the times of the API's answers. */
  replay: Array<{ key: string; at: number }>;
  receipts: Receipts;
  snapshot: unknown;
}

/**
 * Starts a baseline server (bench/support/<script> <port> …args, told what to send over IPC),
 * connects fresh clients, sends each change the API's clients received at the same offset from
 * the first answer as in the API run, and times send → receipt as the API side is timed.
 */
async function replayThrough(
  side: ReplaySide,
  baseline: { label: string; server: string; script: string; args: string[] },
): Promise<Baseline> {
  const { options, cleanup, cores, replay, receipts } = side;
  const port = await freePort();
  const server = spawn(
    process.execPath,
    [join(REPO_ROOT, 'bench', 'support', baseline.script), String(port), ...baseline.args],
    {
      cwd: REPO_ROOT,
      env: { PATH: process.env.PATH ?? '', NODE_ENV: 'production' },
      stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
    },
  );
  cleanup.add(`stop the ${baseline.label} server`, () => stopChild(server));
  cleanup.addOnExit(() => server.kill('SIGKILL'));
  await new Promise<void>((resolve, reject) => {
    server.once('message', () => resolve());
    server.once('exit', (code) =>
      reject(new Error(`the ${baseline.label} server exited (${code}) before it was ready`)),
    );
  });
  server.send({ type: 'snapshot', snapshot: side.snapshot });

  const pool = await startPool(options, cleanup, baseline.label);
  const connect = await pool.connect(`http://127.0.0.1:${port}`, options.clients);
  console.log(`» ${baseline.label}: ${options.clients} clients connected in ${round(connect.seconds, 1)} s`);
  const groups = { [baseline.server]: { pids: server.pid ? [server.pid] : [], tree: true }, ...clientGroups(pool) };

  console.log(`» ${baseline.label}: sending the ${replay.length} payloads on the API run's schedule`);
  const sent: Array<{ key: string; at: number }> = [];
  const cpuStart = groupSnapshot(groups);
  const t0 = performance.now();
  const origin = replay[0]?.at ?? 0;
  for (const item of replay) {
    const wait = t0 + (item.at - origin) - performance.now();
    if (wait > 0) await sleep(wait);
    const at = monotonicMs();
    server.send({ type: 'emit', payload: receipts.payloads.get(item.key) });
    sent.push({ key: item.key, at });
  }
  await sleep(250);
  const cpu = groupBetween(cpuStart, groupSnapshot(groups), cores);
  await sleep(2750);
  const delivery = deliveryOf(options.clients, sent, await pool.collect());
  await pool.stop();
  await stopChild(server);
  return {
    ...delivery,
    label: baseline.label,
    connectSeconds: round(connect.seconds, 1),
    replayed: replay.length,
    cpu,
  };
}

async function sequenceKey(ds: ReturnType<typeof createDataSource>, stationId: string): Promise<string> {
  const [row] = await ds.query<Array<{ sequence: string }>>('SELECT sequence FROM stations WHERE id = $1', [stationId]);
  return `${stationId}:${Number(row.sequence)}`;
}

function startWorker(mode: ApiMode, env: Record<string, string>): ChildProcess {
  const entry =
    mode === 'dist'
      ? [join(REPO_ROOT, 'dist', 'apps', 'worker', 'src', 'main.js')]
      : [join(REPO_ROOT, 'scripts', 'run-ts.js'), join(REPO_ROOT, 'apps', 'worker', 'src', 'main.ts')];
  const child = spawn(process.execPath, entry, {
    cwd: REPO_ROOT,
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  return child;
}

function stopChild(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
    setTimeout(() => child.kill('SIGKILL'), 10_000).unref();
  });
}

main().then(
  (code) => process.exit(code),
  (e: unknown) => {
    if (e instanceof UsageError) {
      console.error(`${e.message}\n\n${USAGE}`);
      process.exit(2);
    }
    console.error(`bench:realtime failed: ${(e as Error)?.stack ?? String(e)}`);
    process.exit(1);
  },
);
