/**
 * Trip CSV export bench: generates N trips (default 1,000,000) in a scratch database with
 * set-based SQL, downloads `GET /api/v1/exports/trips.csv` from the real API (booted in this
 * process, same factory as production) while sampling this process's RSS, then times `psql \copy`
 * of the same query (COPY TO STDOUT) on the same machine, sampling psql's VmHWM. Everything it
 * creates is removed at the end, also on error or Ctrl-C. See bench/README.md. Usage:
 *   npm run bench:export -- --trips 1000000
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join, relative } from 'node:path';
import { parseArgs } from 'node:util';
import { loadConfig, loadDotEnv } from '@metrobici/config';
import { createDataSource, dropDatabase, ensureDatabase, migrate } from '@metrobici/database';
import { ENTITIES } from '../../apps/entities';
import { nextLocalDate, SETTING, TRIPS_SQL } from '@metrobici/exports';
import { hashPassword } from '@metrobici/staff';
import { startOfBogotaDay } from '@metrobici/common';
import { createApiApp } from '../../apps/api/src/app.factory';
import { REPO_ROOT } from '../support/api-process';
import { Cleanup } from '../support/cleanup';
import { printCommandLine, printTargets, ratio, target, times } from '../support/report';
import { leaseRedisDb } from '../support/redis-db';

const DEFAULT_DB = 'postgres://postgres@127.0.0.1:5432/postgres';
const DEFAULT_REDIS = 'redis://127.0.0.1:6379/0';
const LOOPBACK = new Set(['127.0.0.1', 'localhost', '::1', '[::1]']);
const USAGE = `usage: npm run bench:export -- [--trips N] [--days D]
  --trips N   trips to generate and export (default 1000000, 1000..20000000)
  --days D    local days they are spread over (default 90, the pilot's length)`;
const FROM = '2019-10-03';
const PASSWORD = 'bench-password-123';
// A private key per run: production refuses short or published ones (and the bench runs as production).
const SECRET = randomBytes(24).toString('hex');
// Issue 14's targets.
const TARGET_RATIO = 0.8;
const TARGET_RSS_MB = 64;

class UsageError extends Error {}

function options(argv: string[]): { trips: number; days: number } {
  let values: { trips?: string; days?: string; help?: boolean };
  try {
    ({ values } = parseArgs({
      args: argv,
      options: { trips: { type: 'string' }, days: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
      strict: true,
    }));
  } catch (e) {
    throw new UsageError(`${(e as Error).message}\n${USAGE}`);
  }
  if (values.help) throw new UsageError(USAGE);
  const trips = Number(values.trips ?? 1_000_000);
  const days = Number(values.days ?? 90);
  if (!Number.isInteger(trips) || trips < 1000 || trips > 20_000_000)
    throw new UsageError(`--trips must be 1000..20000000\n${USAGE}`);
  if (!Number.isInteger(days) || days < 1 || days > 3650) throw new UsageError(`--days must be 1..3650\n${USAGE}`);
  return { trips, days };
}

/** Samples a value every `ms` until stopped; returns the peak. */
function sampler(read: () => number | undefined, ms = 20): { stop(): number } {
  let peak = read() ?? 0;
  const timer = setInterval(() => {
    const v = read();
    if (v !== undefined && v > peak) peak = v;
  }, ms);
  return {
    stop() {
      clearInterval(timer);
      const v = read();
      if (v !== undefined && v > peak) peak = v;
      return peak;
    },
  };
}

/** VmHWM (peak resident set) of a process, bytes; undefined once it has exited. */
function vmHwm(pid: number): number | undefined {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : undefined;
  } catch {
    return undefined;
  }
}

const mb = (bytes: number) => Math.round((bytes / 1024 / 1024) * 10) / 10;

async function main(): Promise<void> {
  const opts = options(process.argv.slice(2));
  loadDotEnv();
  const command = printCommandLine('export');
  const cleanup = new Cleanup();
  cleanup.handleSignals();
  try {
    const base = new URL(process.env.DATABASE_URL ?? DEFAULT_DB);
    if (!LOOPBACK.has(base.hostname))
      throw new UsageError(`DATABASE_URL points at ${base.hostname}; the bench runs on this machine only.`);
    base.pathname = `/metrobici_bench_export_${randomBytes(4).toString('hex')}`;
    const databaseUrl = base.toString();
    const to = (() => {
      let d = FROM;
      for (let i = 1; i < opts.days; i++) d = nextLocalDate(d);
      return d;
    })();

    console.log(
      `Scratch database ${base.pathname.slice(1)}: migrating and generating ${opts.trips.toLocaleString('en')} trips over ${opts.days} days …`,
    );
    await ensureDatabase(databaseUrl);
    cleanup.add('drop scratch database', () => dropDatabase(databaseUrl));
    await migrate(databaseUrl);
    const ds = createDataSource(databaseUrl, {
      entities: ENTITIES,
      extra: { max: 2, application_name: 'metrobici-bench-export' },
    });
    await ds.initialize();
    cleanup.add('close data source', () => ds.destroy());

    const generated = Date.now();
    await generate(ds, opts.trips, opts.days);
    const generateMs = Date.now() - generated;
    const [{ bytes }] = await ds.query<Array<{ bytes: string }>>(`SELECT pg_total_relation_size('loans') AS bytes`);
    console.log(
      `  generated in ${(generateMs / 1000).toFixed(1)} s (loans table with indexes: ${mb(Number(bytes))} MB)`,
    );

    // The API, in this process, on a leased Redis db.
    const redisBase = process.env.REDIS_URL ?? DEFAULT_REDIS;
    const lease = await leaseRedisDb(redisBase, [13, 12, 11, 10], 30 * 60_000);
    cleanup.add('release Redis db', () => lease.release());
    const config = loadConfig({
      NODE_ENV: 'production',
      // Required in production (GBFS links); nothing here reads it.
      PUBLIC_BASE_URL: 'http://127.0.0.1',
      DATABASE_URL: databaseUrl,
      REDIS_URL: lease.url,
      JWT_SECRET: randomBytes(24).toString('hex'),
      RIDER_KEY_SECRET: SECRET,
      OPENING_HOURS: '24/7',
      LOG_LEVEL: 'error',
      LOGIN_RATE_LIMIT_PER_MINUTE: '1000',
    });
    const app = await createApiApp(config, { logLevels: ['fatal'] });
    await app.listen(0, '127.0.0.1');
    cleanup.add('close API', () => app.close());
    const url = `http://127.0.0.1:${(app.getHttpServer().address() as { port: number }).port}`;
    const login = await fetch(`${url}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'planner@bench.local', password: PASSWORD }),
    });
    const { accessToken } = (await login.json()) as { accessToken: string };

    // Warm the caches once with a small range, so both runs read a warm table.
    await drain(
      await fetch(`${url}/api/v1/exports/trips.csv?from=${FROM}&to=${FROM}`, {
        headers: { authorization: `Bearer ${accessToken}` },
      }),
    );
    await ds.query(`SELECT count(*) FROM loans`);

    global.gc?.();
    const rssBefore = process.memoryUsage().rss;
    const rss = sampler(() => process.memoryUsage().rss);
    const started = process.hrtime.bigint();
    const res = await fetch(`${url}/api/v1/exports/trips.csv?from=${FROM}&to=${to}`, {
      headers: { authorization: `Bearer ${accessToken}` },
    });
    if (res.status !== 200) throw new Error(`export answered ${res.status}: ${await res.text()}`);
    const { bytes: apiBytes, lines } = await drain(res);
    const apiSeconds = Number(process.hrtime.bigint() - started) / 1e9;
    const apiPeak = rss.stop();
    const apiRows = lines - 1;
    if (apiRows !== opts.trips) throw new Error(`the export wrote ${apiRows} rows, expected ${opts.trips}`);

    const psql = await psqlCopy(databaseUrl, to);
    if (psql.rows !== opts.trips) throw new Error(`psql copied ${psql.rows} rows, expected ${opts.trips}`);

    const apiRowsPerSecond = Math.round(apiRows / apiSeconds);
    const copyRowsPerSecond = Math.round(psql.rows / psql.seconds);
    const speedRatio = ratio(apiRowsPerSecond, copyRowsPerSecond);
    const addedMb = mb(apiPeak - rssBefore);
    const result = {
      bench: 'export',
      command,
      at: new Date().toISOString(),
      machine: {
        cpus: os.cpus().length,
        cpuModel: os.cpus()[0]?.model,
        memoryGb: Math.round(os.totalmem() / 1024 ** 3),
        node: process.version,
      },
      trips: opts.trips,
      days: opts.days,
      generateSeconds: generateMs / 1000,
      api: {
        rows: apiRows,
        seconds: apiSeconds,
        rowsPerSecond: Math.round(apiRows / apiSeconds),
        megabytes: mb(apiBytes),
        rssBeforeMb: mb(rssBefore),
        rssPeakMb: mb(apiPeak),
        rssGrowthMb: mb(apiPeak - rssBefore),
      },
      psqlCopy: {
        rows: psql.rows,
        seconds: psql.seconds,
        rowsPerSecond: copyRowsPerSecond,
        vmHwmMb: mb(psql.vmHwm),
      },
      ratio: { exportPerCopy: speedRatio },
      targets: [
        target(
          `export rows/s ≥ ${TARGET_RATIO}× psql \\copy's`,
          speedRatio === null ? null : speedRatio >= TARGET_RATIO,
          `${apiRowsPerSecond} ÷ ${copyRowsPerSecond} = ${times(speedRatio)}`,
        ),
        target(
          `RSS added by the export ≤ ${TARGET_RSS_MB} MB`,
          addedMb <= TARGET_RSS_MB,
          `${mb(rssBefore)} → peak ${mb(apiPeak)} MB = +${addedMb} MB over ${apiRows} rows`,
        ),
      ],
    };
    console.log('');
    console.log(`| run | rows | seconds | rows/s | MB | peak RSS |`);
    console.log(`|---|---|---|---|---|---|`);
    console.log(
      `| GET /api/v1/exports/trips.csv (API in this process) | ${apiRows} | ${apiSeconds.toFixed(2)} | ${result.api.rowsPerSecond} | ${result.api.megabytes} | ${result.api.rssPeakMb} MB (${result.api.rssBeforeMb} MB before, +${result.api.rssGrowthMb} MB) |`,
    );
    console.log(
      `| psql \\copy (same query, COPY TO STDOUT) | ${psql.rows} | ${psql.seconds.toFixed(2)} | ${result.psqlCopy.rowsPerSecond} | - | ${result.psqlCopy.vmHwmMb} MB (psql VmHWM) |`,
    );
    console.log(
      `export ÷ psql \\copy rows/s: ${times(speedRatio)}; RSS added by the export: +${addedMb} MB (API and client share this process)`,
    );
    console.log(`command: ${command}`);
    printTargets(result.targets);
    const dir = join(REPO_ROOT, 'bench', 'results');
    mkdirSync(dir, { recursive: true });
    const file = join(dir, `export-${result.at.replace(/[:.]/g, '-')}.json`);
    writeFileSync(file, `${JSON.stringify(result, null, 2)}\n`);
    console.log(`Results written to ${relative(process.cwd(), file)}`);
  } finally {
    await cleanup.run();
  }
}

/** Reads a response body to the end, counting bytes and line feeds, keeping nothing. */
async function drain(res: Response): Promise<{ bytes: number; lines: number }> {
  let bytes = 0;
  let lines = 0;
  const reader = res.body!.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    bytes += value.length;
    for (let i = value.indexOf(10); i !== -1; i = value.indexOf(10, i + 1)) lines++;
  }
  return { bytes, lines };
}

/** `psql \copy (TRIPS_SQL) TO /dev/null`, with the same session settings the API sets. */
async function psqlCopy(databaseUrl: string, to: string): Promise<{ rows: number; seconds: number; vmHwm: number }> {
  const settings = [
    [SETTING.riderKey, SECRET],
    [SETTING.from, startOfBogotaDay(FROM).toISOString()],
    [SETTING.to, startOfBogotaDay(nextLocalDate(to)).toISOString()],
    [SETTING.fromDate, FROM],
    [SETTING.toDate, to],
    [SETTING.co2, '120'],
    // The API's default: synthetic trips stay out (the generated ones are not synthetic).
    [SETTING.synthetic, 'false'],
  ]
    .map(([k, v]) => `set_config('${k}', '${v}', false)`)
    .join(', ');
  const query = TRIPS_SQL.replace(/\s+/g, ' ').trim();
  const started = process.hrtime.bigint();
  const child = spawn(
    'psql',
    [
      databaseUrl,
      '-X',
      '-v',
      'ON_ERROR_STOP=1',
      '-c',
      `SELECT ${settings}`,
      '-c',
      `\\copy (${query}) TO '/dev/null' WITH (FORMAT csv, HEADER true)`,
    ],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  const hwm = sampler(() => (child.pid ? vmHwm(child.pid) : undefined), 10);
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const vmHwmBytes = hwm.stop();
  if (code !== 0) throw new Error(`psql exited with ${code}: ${out}`);
  const m = /COPY (\d+)/.exec(out);
  return { rows: m ? Number(m[1]) : -1, seconds, vmHwm: vmHwmBytes };
}

/** Reference data and N closed loans, set-based (no rows in Node). */
async function generate(ds: ReturnType<typeof createDataSource>, trips: number, days: number): Promise<void> {
  await ds.query(
    `INSERT INTO donors (code, name) VALUES ('bavaria', 'Fundación Bavaria'), ('mintransporte', 'Ministerio de Transporte'), ('uis', 'UIS')`,
  );
  await ds.query(
    `INSERT INTO stations (code, name, lat, lon, capacity, kind)
     SELECT 'ST' || g, 'Estación ' || g, 7.06 + (g % 4) * 0.02, -73.13 + (g / 4) * 0.015, 30, 'station' FROM generate_series(1, 12) g`,
  );
  await ds.query(
    `INSERT INTO bikes (code, donor_id, state, station_id)
     SELECT 'B-' || lpad(g::text, 4, '0'), (SELECT id FROM donors ORDER BY code OFFSET g % 3 LIMIT 1), 'maintenance',
            (SELECT id FROM stations ORDER BY code OFFSET g % 12 LIMIT 1)
       FROM generate_series(1, 250) g`,
  );
  await ds.query(
    `INSERT INTO riders (document_type, document_number, first_name, last_name, birth_date, gender, phone, email, consent_accepted_at,
                         consent_terms_version, consent_purposes, status, verified_at)
     SELECT 'CC', (1000000000 + g)::text, 'Nombre' || g, 'Apellido' || g, date '1960-01-01' + (g * 37 % 16000), (ARRAY['female','male','other','undisclosed'])[1 + g % 4],
            '300' || lpad(g::text, 7, '0'), 'rider' || g || '@example.org', now(), '2019-10', '["service","statistics"]'::jsonb, 'active', now()
       FROM generate_series(1, 5000) g`,
  );
  await ds.query(
    `INSERT INTO staff_users (email, full_name, password_hash, role) VALUES ('planner@bench.local', 'Bench planner', $1, 'planner')`,
    [await hashPassword(PASSWORD)],
  );
  const spacing = (days * 86_400) / trips;
  await ds.query(
    `WITH b AS (SELECT array_agg(id ORDER BY code) AS a FROM bikes),
          r AS (SELECT array_agg(id ORDER BY document_number) AS a FROM riders),
          s AS (SELECT array_agg(id ORDER BY code) AS a FROM stations),
          st AS (SELECT id FROM staff_users LIMIT 1)
     INSERT INTO loans (journey_id, bike_id, rider_id, from_station_id, to_station_id, started_at, due_at, ended_at, state, end_reason, helmet, overdue, checked_out_by, closed_by)
     SELECT gen_random_uuid(), b.a[1 + g % 250], r.a[1 + (g * 7) % 5000], s.a[1 + g % 12], s.a[1 + (g * 5 + 3) % 12],
            $1::timestamptz + g * $2::double precision * interval '1 second',
            $1::timestamptz + g * $2::double precision * interval '1 second' + interval '1 hour',
            $1::timestamptz + g * $2::double precision * interval '1 second' + (300 + g % 2400) * interval '1 second',
            'closed', 'returned', g % 3 = 0, false, st.id, st.id
       FROM generate_series(0, $3 - 1) g, b, r, s, st`,
    [startOfBogotaDay(FROM).toISOString(), spacing, trips],
  );
  await ds.query('ANALYZE');
}

main().catch((e: unknown) => {
  console.error(
    e instanceof UsageError
      ? e.message
      : `bench:export failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`,
  );
  process.exit(e instanceof UsageError ? 2 : 1);
});
