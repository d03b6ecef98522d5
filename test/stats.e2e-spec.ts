import type { INestApplicationContext } from '@nestjs/common';
import { Queue } from 'bullmq';
import { Client } from 'pg';
import { ageOn, bogotaDate, bogotaParts, startOfBogotaDay } from '@metrobici/common';
import { redisConnectionOptions } from '@metrobici/redis';
import {
  addDays,
  ageBand,
  AGE_BAND_NAMES,
  co2Grams,
  eachDate,
  haversineMeters,
  ratio,
  roundTo,
  StatsService,
} from '@metrobici/stats';
import { createWorkerApp } from '../apps/worker/src/app.factory';
import type { TripsAggregateJob } from '../apps/worker/src/queues';
import { startApi, type ApiHarness } from './support/api-harness';
import type { ApiClient } from './support/http';
import { generateTripWorld, Rand, type TripWorld } from './support/trip-generator';

const FROM = '2019-10-01';
const TO = '2019-10-31';
const PILOT_HOURS = 'Mo-Fr 06:00-19:00; Sa 06:00-13:00; Su off; PH off';
const CO2 = 120;
const POPULATION = 613400;
/** October 2019 without its four Sundays and Día de la Raza (Monday 14): counted by hand. */
const OCTOBER_OPERATING_DAYS = 31 - 4 - 1;
const SEED = 20191003;

const settle = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until<T>(what: string, probe: () => Promise<T | undefined | false>, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await settle(100);
  }
}

interface Snapshot {
  summary: Record<string, unknown>;
  daily: unknown[];
  hourly: unknown[];
  stations: unknown[];
  od: unknown[];
  donors: unknown[];
}

describe('trip statistics: worker, rebuild and planner API (e2e)', () => {
  let h: ApiHarness;
  let worker: INestApplicationContext | undefined;
  let world: TripWorld;
  let planner: ApiClient;
  let trips: Queue;
  let samples: SampleRow[];

  const startWorker = async () => {
    worker = await createWorkerApp(h.env.config, { logLevels: ['fatal'] });
    return worker;
  };
  const stats = () => worker!.get(StatsService);
  const factCount = async () =>
    Number((await h.ds.query<Array<{ n: string }>>('SELECT count(*) AS n FROM trip_facts'))[0].n);

  const snapshot = async (query: Record<string, string>): Promise<Snapshot> => {
    const qs = new URLSearchParams(query).toString();
    const get = async (path: string) => {
      const res = await planner.get(`/api/v1/stats/${path}?${qs}`);
      if (res.status !== 200) throw new Error(`${path}: ${res.status} ${JSON.stringify(res.body)}`);
      return res.body;
    };
    const [summary, daily, hourly, stations, od, donors] = await Promise.all(
      ['summary', 'daily', 'hourly', 'stations', 'od', 'donors'].map(get),
    );
    return { summary, daily, hourly, stations, od, donors };
  };

  beforeAll(async () => {
    h = await startApi({
      env: {
        OPENING_HOURS: PILOT_HOURS,
        WORKER_HEALTH_PORT: '0',
        CO2_GRAMS_PER_KM: String(CO2),
        POPULATION: String(POPULATION),
      },
    });
    planner = (await h.signedIn('planner')).api;
    trips = new Queue('trips', { connection: redisConnectionOptions(h.env.redisUrl), prefix: 'metrobici' });
    world = await generateTripWorld(h.ds, {
      from: FROM,
      days: 31,
      journeysPerDay: 40,
      seed: SEED,
      duplicateOutboxShare: 0.1,
      // Stands in for real operations: the KPIs leave synthetic demo trips out unless asked (issue 11).
      synthetic: false,
    });
    samples = await insertOperationalHistory(h, world);
  });
  afterAll(async () => {
    await worker?.close();
    await trips?.close();
    await h?.close();
  });

  let incremental: Snapshot;
  let incrementalStation: Snapshot;

  it('aggregates every trip segment once through outbox → BullMQ → worker: duplicates, any order, a failed attempt, a restart', async () => {
    expect(world.trips).toBeGreaterThan(800);
    const duplicated = Number(
      (
        await h.ds.query<Array<{ n: string }>>(
          `SELECT count(*) - count(DISTINCT aggregate_id) AS n FROM outbox_events WHERE type = 'loan.closed'`,
        )
      )[0].n,
    );
    expect(duplicated).toBeGreaterThan(50);

    // A crash mid-job: the first attempts for this renewal segment fail inside the statement.
    const victim = world.loans.find((l) => l.endReason === 'renewed')!;
    await h.ds.query(`CREATE FUNCTION test_fail_fact() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN IF NEW.loan_id = '${victim.id}' THEN RAISE EXCEPTION 'simulated crash mid-job'; END IF; RETURN NEW; END $$`);
    await h.ds.query(
      'CREATE TRIGGER test_fail_fact BEFORE INSERT ON trip_facts FOR EACH ROW EXECUTE FUNCTION test_fail_fact()',
    );
    // The relay batches that carried the victim's rows (a duplicated row may put it in two).
    const victimJobs = async () =>
      (await trips.getJobs(['active', 'waiting', 'delayed', 'completed', 'failed'])).filter((j) =>
        (j.data as TripsAggregateJob).loanIds.includes(victim.id),
      );

    await startWorker();
    // Restart the worker part-way (a deploy): queued jobs wait in Redis, the outbox keeps the rest.
    await until('a third of the facts', async () => (await factCount()) >= world.trips / 3);
    await worker!.close();
    worker = undefined;
    await startWorker();

    await until('a failed attempt of the victim', async () => (await victimJobs()).some((j) => j.attemptsMade >= 1));
    await h.ds.query('DROP TRIGGER test_fail_fact ON trip_facts');
    await h.ds.query('DROP FUNCTION test_fail_fact()');

    await until(
      'the trips queue to drain',
      async () => {
        const counts = await trips.getJobCounts('waiting', 'active', 'delayed', 'prioritized');
        const unpublished = Number(
          (
            await h.ds.query<Array<{ n: string }>>('SELECT count(*) AS n FROM outbox_events WHERE published_at IS NULL')
          )[0].n,
        );
        return Object.values(counts).every((n) => n === 0) && unpublished === 0 && (await factCount()) === world.trips;
      },
      90_000,
    );
    expect(await trips.getJobCounts('failed')).toEqual({ failed: 0 });
    // One job per relay batch, named after the range of its trip-ending rows and carrying their
    // distinct loans; reverted and bike-missing closings are in no job. No relay crashed here, so
    // the ranges split the rows exactly.
    const tripRows = await h.ds.query<Array<{ id: string; loan_id: string }>>(
      `SELECT id, payload->>'loanId' AS loan_id FROM outbox_events
        WHERE type = 'loan.closed' AND payload->>'endReason' IN ('returned', 'renewed', 'forced') ORDER BY id`,
    );
    expect(tripRows.length).toBeLessThan(world.outboxRows);
    const completed = await trips.getJobs(['completed']);
    expect(completed.length).toBeGreaterThan(1);
    expect(completed.length).toBeLessThan(tripRows.length / 100);
    const covered = new Set<string>();
    for (const job of completed) {
      const data = job.data as TripsAggregateJob;
      expect({ name: job.name, id: job.id }).toEqual({
        name: 'trips.aggregate',
        id: `trips-${data.fromOutboxId}-${data.toOutboxId}`,
      });
      const inRange = tripRows.filter(
        (r) => BigInt(r.id) >= BigInt(data.fromOutboxId) && BigInt(r.id) <= BigInt(data.toOutboxId),
      );
      expect([inRange[0].id, inRange[inRange.length - 1].id]).toEqual([data.fromOutboxId, data.toOutboxId]);
      expect([...data.loanIds].sort()).toEqual([...new Set(inRange.map((r) => r.loan_id))].sort());
      const result = job.returnvalue as Record<'inserted' | 'duplicate' | 'not_a_trip', number>;
      expect(result.inserted + result.duplicate + result.not_a_trip).toBe(data.loanIds.length);
      for (const r of inRange) {
        expect(covered.has(r.id)).toBe(false);
        covered.add(r.id);
      }
    }
    expect(covered.size).toBe(tripRows.length);
    const [victimJob] = await victimJobs();
    expect(await victimJob.getState()).toBe('completed');
    expect(victimJob.attemptsMade).toBeGreaterThanOrEqual(2);

    // Processing again (a redelivery after the completed job was cleaned up) changes nothing.
    for (const loan of world.loans.filter((l) => l.endReason === 'renewed').slice(0, 25)) {
      await expect(stats().aggregateTrip(loan.id)).resolves.toEqual({ loanId: loan.id, outcome: 'duplicate' });
    }
    for (const loan of world.loans.filter((l) => l.state !== 'closed' || l.endReason === 'bike_missing')) {
      await expect(stats().aggregateTrip(loan.id)).resolves.toEqual({ loanId: loan.id, outcome: 'not_a_trip' });
    }
    await expect(stats().aggregateTrip('00000000-0000-4000-8000-00000000dead')).rejects.toMatchObject({
      code: 'LOAN_NOT_FOUND',
    });
    // The worker's batch form counts the same outcomes and names the loans that do not exist.
    const renewedIds = world.loans.filter((l) => l.endReason === 'renewed').map((l) => l.id);
    const notTripIds = world.loans
      .filter((l) => l.state !== 'closed' || l.endReason === 'bike_missing')
      .map((l) => l.id);
    await expect(
      stats().aggregateTripBatch([...renewedIds, ...notTripIds, '00000000-0000-4000-8000-00000000dead', renewedIds[0]]),
    ).resolves.toEqual({
      inserted: 0,
      duplicate: renewedIds.length,
      not_a_trip: notTripIds.length,
      missing: ['00000000-0000-4000-8000-00000000dead'],
    });
    expect(await factCount()).toBe(world.trips);
    const notTrips: unknown[] = await h.ds.query(
      `SELECT f.loan_id FROM trip_facts f JOIN loans l ON l.id = f.loan_id WHERE l.state <> 'closed' OR l.end_reason NOT IN ('returned', 'renewed', 'forced')`,
    );
    expect(notTrips).toEqual([]);

    incremental = await snapshot({ from: FROM, to: TO });
    incrementalStation = await snapshot({ from: FROM, to: TO, stationId: world.stations[1].id });
    expect(incremental.summary.trips).toBeGreaterThan(800);
  });

  it('gives the same numbers after rebuilding the month, and after rebuilding from nothing', async () => {
    const rebuilt = await stats().rebuild(FROM, TO);
    expect(rebuilt.inserted).toBe(rebuilt.deleted);
    await expect(snapshot({ from: FROM, to: TO })).resolves.toEqual(incremental);

    await h.ds.query('DELETE FROM trip_facts');
    // The day before holds the trip that arrives after midnight on the 1st.
    const fromScratch = await stats().rebuild(addDays(FROM, -1), TO);
    expect(fromScratch).toMatchObject({ deleted: 0, inserted: world.trips });
    await expect(snapshot({ from: FROM, to: TO })).resolves.toEqual(incremental);
    await expect(snapshot({ from: FROM, to: TO, stationId: world.stations[1].id })).resolves.toEqual(
      incrementalStation,
    );
  });

  it('agrees with the KPIs computed directly from the loans', async () => {
    const raw = await rawTrips(h);
    const expected = expectedSnapshot(world, raw, samples, {});
    expect(incremental.summary).toEqual(expected.summary);
    expect(incremental.daily).toEqual(expected.daily);
    expect(incremental.hourly).toEqual(expected.hourly);
    expect(incremental.stations).toEqual(expected.stations);
    expect(incremental.od).toEqual(expected.od);
    expect(incremental.donors).toEqual(expected.donors);

    const forStation = expectedSnapshot(world, raw, samples, { stationId: world.stations[1].id });
    expect(incrementalStation).toEqual(forStation);

    // The SQL haversine and the TypeScript one agree to the metre.
    const sqlDistances: Array<{ id: string; distance_m: number }> = await h.ds.query(
      'SELECT loan_id AS id, distance_m FROM trip_facts',
    );
    const byId = new Map(raw.map((t) => [t.id, t.distanceM]));
    for (const row of sqlDistances) expect(Math.abs(row.distance_m - byId.get(row.id)!)).toBeLessThanOrEqual(1);
  });

  it('answers a single day, a range without trips, and the default range', async () => {
    const day = await snapshot({ from: '2019-10-07', to: '2019-10-07' });
    expect((day.daily as Array<{ date: string }>).map((d) => d.date)).toEqual(['2019-10-07']);
    expect(day.summary.operatingDays).toBe(1);
    // Before the pilot, and inside the dates the API accepts (2019-01-01 … 2100-12-31).
    const empty = await snapshot({ from: '2019-01-01', to: '2019-01-31' });
    expect(empty.summary).toMatchObject({
      trips: 0,
      riders: 0,
      averageDurationSeconds: null,
      medianDurationSeconds: null,
      womenShare: null,
      distanceKm: 0,
    });
    expect(empty.daily).toHaveLength(31);
    expect(empty.od).toEqual([]);
    const byDefault = await planner.get('/api/v1/stats/daily');
    expect(byDefault.status).toBe(200);
    expect(byDefault.body).toHaveLength(30);
    expect(byDefault.body[29].date).toBe(bogotaDate(new Date()));
  });

  it('samples public stations once a minute during opening hours only', async () => {
    const monday = new Date('2019-11-05T15:30:20Z'); // Tuesday 10:30 in Bogotá (Monday 4th is a holiday)
    const active = world.stations.length;
    await h.ds.query('UPDATE stations SET active = false WHERE id = $1', [world.stations[0].id]);
    try {
      await expect(stats().sampleStations(monday)).resolves.toEqual({
        at: '2019-11-05T15:30:00.000Z',
        sampled: active - 1,
      });
      await expect(stats().sampleStations(new Date('2019-11-05T15:30:59Z'))).resolves.toEqual({
        at: '2019-11-05T15:30:00.000Z',
        sampled: 0,
      });
      await expect(stats().sampleStations(new Date('2019-11-03T15:30:00Z'))).resolves.toEqual({
        at: '2019-11-03T15:30:00.000Z',
        sampled: 0,
        skipped: 'closed',
      });
      await expect(stats().sampleStations(new Date('2019-11-06T01:00:00Z'))).resolves.toMatchObject({
        sampled: 0,
        skipped: 'closed',
      });
      const rows: Array<{ bikes_available: number; spaces_available: number; station_id: string }> = await h.ds.query(
        `SELECT station_id, bikes_available, spaces_available FROM station_samples WHERE sampled_at = '2019-11-05T15:30:00Z'`,
      );
      const s1: Array<{ bikes_available: number; capacity: number; bikes_docked: number }> = await h.ds.query(
        'SELECT bikes_available, capacity, bikes_docked FROM stations WHERE id = $1',
        [world.stations[1].id],
      );
      expect(rows.find((r) => r.station_id === world.stations[1].id)).toMatchObject({
        bikes_available: s1[0].bikes_available,
        spaces_available: s1[0].capacity - s1[0].bikes_docked,
      });
      expect(rows.some((r) => r.station_id === world.stations[0].id)).toBe(false);
    } finally {
      await h.ds.query('UPDATE stations SET active = true WHERE id = $1', [world.stations[0].id]);
    }
  });

  it('is for planners and admins only, and validates the range', async () => {
    const { api: operator } = await h.signedIn('operator', { allStations: true });
    const { api: admin } = await h.signedIn('admin');
    for (const path of ['summary', 'daily', 'hourly', 'stations', 'od', 'donors']) {
      expect((await h.api.get(`/api/v1/stats/${path}?from=${FROM}&to=${TO}`)).status).toBe(401);
      const refused = await operator.get(`/api/v1/stats/${path}?from=${FROM}&to=${TO}`);
      expect({ path, status: refused.status, code: refused.body.code }).toEqual({
        path,
        status: 403,
        code: 'FORBIDDEN',
      });
      expect((await admin.get(`/api/v1/stats/${path}?from=${FROM}&to=${TO}`)).status).toBe(200);
    }
    const bad = async (qs: string) => {
      const res = await planner.get(`/api/v1/stats/summary?${qs}`);
      return {
        status: res.status,
        code: res.body.code,
        fields: (res.body.details?.fields ?? []).map((f: { field: string }) => f.field),
      };
    };
    await expect(bad('from=2019-10-32&to=2019-11-01')).resolves.toEqual({
      status: 400,
      code: 'VALIDATION_FAILED',
      fields: ['from'],
    });
    await expect(bad('from=2019-02-29&to=2019-03-01')).resolves.toEqual({
      status: 400,
      code: 'VALIDATION_FAILED',
      fields: ['from'],
    });
    await expect(bad('from=1%2F10%2F2019&to=2019-11-01')).resolves.toEqual({
      status: 400,
      code: 'VALIDATION_FAILED',
      fields: ['from'],
    });
    await expect(bad('from=2019-11-01&to=2019-10-01')).resolves.toEqual({
      status: 400,
      code: 'VALIDATION_FAILED',
      fields: ['from'],
    });
    await expect(bad('from=2019-01-01&to=2020-02-05')).resolves.toEqual({
      status: 400,
      code: 'VALIDATION_FAILED',
      fields: ['to'],
    });
    await expect(bad('from=2019-01-01&to=2020-02-04')).resolves.toMatchObject({ status: 200 });
    await expect(bad(`from=${FROM}&to=${TO}&stationId=nope`)).resolves.toEqual({
      status: 400,
      code: 'VALIDATION_FAILED',
      fields: ['stationId'],
    });
    await expect(bad(`from=${FROM}&to=${TO}&extra=1`)).resolves.toMatchObject({
      status: 400,
      code: 'VALIDATION_FAILED',
    });
    const unknown = await planner.get(
      `/api/v1/stats/od?from=${FROM}&to=${TO}&stationId=00000000-0000-4000-8000-000000000000`,
    );
    expect(unknown).toMatchObject({ status: 404, body: { code: 'STATION_NOT_FOUND' } });
  });

  it('lists failed jobs for admins (the dead-letter view) and retries one', async () => {
    const { api: admin } = await h.signedIn('admin');
    const loanId = new Rand(7).uuid();
    const known = world.loans.find((x) => x.endReason === 'returned')!.id;
    // One loan does not exist yet: the job writes the others and fails for good at once (no
    // retries wasted on it).
    const data: TripsAggregateJob = { fromOutboxId: '900000001', toOutboxId: '900000002', loanIds: [known, loanId] };
    await trips.add('trips.aggregate', data, {
      jobId: 'test-dead-letter',
      attempts: 5,
      backoff: { type: 'exponential', delay: 1000 },
    });
    // Payloads the relay never writes fail for good too, quoting what they got.
    await trips.add(
      'trips.aggregate',
      { fromOutboxId: '2', toOutboxId: '1', loanIds: [known] },
      { jobId: 'test-bad-range' },
    );
    await trips.add('trips.aggregate', { fromOutboxId: '1', toOutboxId: '1', loanIds: [] }, { jobId: 'test-no-loans' });
    const failed = await until('the job to fail', async () => {
      const res = await admin.get('/api/v1/stats/jobs/failed');
      return (res.body as Array<{ id: string }>).find((j) => j.id === 'test-dead-letter') ? res : undefined;
    });
    expect(failed.status).toBe(200);
    expect(failed.body.find((j: { id: string }) => j.id === 'test-dead-letter')).toEqual({
      queue: 'trips',
      name: 'trips.aggregate',
      id: 'test-dead-letter',
      data,
      failedReason: `loan ${loanId} does not exist`,
      attemptsMade: 1,
      timestamp: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T/),
      failedAt: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T/),
    });
    for (const id of ['test-bad-range', 'test-no-loans']) {
      const job = await until(`${id} to fail`, async () => {
        const j = await trips.getJob(id);
        return j && (await j.getState()) === 'failed' ? j : undefined;
      });
      expect({ reason: job.failedReason, attemptsMade: job.attemptsMade }).toEqual({
        reason: `invalid payload: ${JSON.stringify(job.data)}`,
        attemptsMade: 1,
      });
    }
    expect(
      (await admin.get('/api/v1/stats/jobs/failed?queue=system')).body.every(
        (j: { queue: string }) => j.queue === 'system',
      ),
    ).toBe(true);
    expect((await planner.get('/api/v1/stats/jobs/failed')).status).toBe(403);
    expect((await planner.post('/api/v1/stats/jobs/trips/test-dead-letter/retry')).status).toBe(403);
    expect((await admin.post('/api/v1/stats/jobs/trips/nope/retry')).body.code).toBe('JOB_NOT_FOUND');
    expect((await admin.post('/api/v1/stats/jobs/no-such-queue/test-dead-letter/retry')).status).toBe(404);
    expect((await admin.get('/api/v1/stats/jobs/failed?queue=BAD%20NAME')).status).toBe(400);

    // Once the loan exists, a retry succeeds.
    const l = world.loans.find((x) => x.endReason === 'returned')!;
    await h.ds.query(
      `INSERT INTO loans (id, journey_id, bike_id, rider_id, from_station_id, to_station_id, started_at, due_at, ended_at, state, end_reason, checked_out_by)
       VALUES ($1, $1, $2, $3, $4, $5, '2019-12-02T14:00:00Z', '2019-12-02T15:00:00Z', '2019-12-02T14:20:00Z', 'closed', 'returned', $3)`,
      [loanId, l.bikeId, l.riderId, l.fromStationId, l.toStationId],
    );
    const retried = await admin.post('/api/v1/stats/jobs/trips/test-dead-letter/retry');
    expect(retried.status).toBe(200);
    expect(retried.body).toMatchObject({ queue: 'trips', id: 'test-dead-letter' });
    await until(
      'the retried job to complete',
      async () => (await trips.getJobState('test-dead-letter')) === 'completed',
    );
    expect((await trips.getJob('test-dead-letter'))!.returnvalue).toEqual({
      fromOutboxId: data.fromOutboxId,
      toOutboxId: data.toOutboxId,
      inserted: 1,
      duplicate: 1,
      not_a_trip: 0,
    });
    expect(await h.ds.query('SELECT duration_s FROM trip_facts WHERE loan_id = $1', [loanId])).toEqual([
      { duration_s: 1200 },
    ]);
    const again = await admin.post('/api/v1/stats/jobs/trips/test-dead-letter/retry');
    expect(again).toMatchObject({ status: 409, body: { code: 'JOB_NOT_FAILED' } });

    // A one-trip job as enqueued before range jobs (left in Redis by an upgrade) still runs.
    await trips.add('trip.aggregate', { loanId }, { jobId: 'test-legacy' });
    await until('the legacy job to complete', async () => (await trips.getJobState('test-legacy')) === 'completed');
    expect((await trips.getJob('test-legacy'))!.returnvalue).toEqual({
      loanId,
      inserted: 0,
      duplicate: 1,
      not_a_trip: 0,
    });
  });

  it('lets the job in progress finish before the worker shuts down', async () => {
    const l = world.loans.find((x) => x.endReason === 'returned')!;
    const loanId = new Rand(8).uuid();
    await h.ds.query(
      `INSERT INTO loans (id, journey_id, bike_id, rider_id, from_station_id, to_station_id, started_at, due_at, ended_at, state, end_reason, checked_out_by)
       VALUES ($1, $1, $2, $3, $4, $5, '2019-12-03T14:00:00Z', '2019-12-03T15:00:00Z', '2019-12-03T14:10:00Z', 'closed', 'returned', $3)`,
      [loanId, l.bikeId, l.riderId, l.fromStationId, l.toStationId],
    );
    // Hold the job inside its INSERT: SHARE mode blocks writers until we let go.
    const blocker = new Client({ connectionString: h.env.databaseUrl });
    await blocker.connect();
    try {
      await blocker.query('BEGIN');
      await blocker.query('LOCK TABLE trip_facts IN SHARE MODE');
      await h.ds.query(`INSERT INTO outbox_events (type, aggregate_id, payload) VALUES ('loan.closed', $1, $2)`, [
        loanId,
        {
          loanId,
          journeyId: loanId,
          endReason: 'returned',
          toStationId: l.toStationId,
          endedAt: '2019-12-03T14:10:00.000Z',
        },
      ]);
      await until('the job to be active', async () => (await trips.getActiveCount()) === 1, 15_000);

      let closed = false;
      const closing = worker!.close().then(() => (closed = true));
      await settle(700);
      expect(closed).toBe(false); // waiting for the job, not abandoning it
      await blocker.query('COMMIT');
      await closing;
      worker = undefined;
    } finally {
      await blocker.end();
    }
    expect(await h.ds.query('SELECT duration_s FROM trip_facts WHERE loan_id = $1', [loanId])).toEqual([
      { duration_s: 600 },
    ]);
    // Finished by the worker that was shutting down, on its first attempt (not abandoned and retried).
    const [{ id }] = await h.ds.query<Array<{ id: string }>>('SELECT id FROM outbox_events WHERE aggregate_id = $1', [
      loanId,
    ]);
    const job = (await trips.getJob(`trips-${id}-${id}`))!;
    expect({ state: await job.getState(), attemptsMade: job.attemptsMade }).toEqual({
      state: 'completed',
      attemptsMade: 1,
    });
  });
});

// ---- the month's other operational history --------------------------------------------------------

interface SampleRow {
  stationId: string;
  at: Date;
  bikes: number;
  spaces: number;
  interval: number;
}

/** Samples, rebalancing moves, damage reports and suspensions, inside and just outside October. */
async function insertOperationalHistory(h: ApiHarness, world: TripWorld): Promise<SampleRow[]> {
  const rnd = new Rand(SEED + 1);
  const [s0, s1, s2] = world.stations;
  const rows: SampleRow[] = [];
  for (const station of [s0, s1, s2]) {
    for (const date of ['2019-10-07', '2019-10-08']) {
      const open = startOfBogotaDay(date).getTime() + 6 * 3_600_000;
      let state: 'ok' | 'empty' | 'full' = 'ok';
      let left = 0;
      for (let m = 0; m < 13 * 60; m++) {
        if (station === s0 && date === '2019-10-07' && m >= 360 && m < 370) continue; // a 10-minute worker outage
        if (left-- <= 0) {
          state = (['ok', 'empty', 'full'] as const)[rnd.weighted([5, 2, 1])];
          left = rnd.int(1, 45);
        }
        rows.push({
          stationId: station.id,
          at: new Date(open + m * 60_000),
          bikes: state === 'empty' ? 0 : 4,
          spaces: state === 'full' ? 0 : 6,
          interval: 60,
        });
      }
    }
  }
  // Outside the range: not counted.
  rows.push({ stationId: s0.id, at: new Date('2019-11-01T12:00:00Z'), bikes: 0, spaces: 20, interval: 60 });
  await h.ds.query(
    `INSERT INTO station_samples (station_id, sampled_at, bikes_available, spaces_available, interval_seconds)
     SELECT * FROM unnest($1::uuid[], $2::timestamptz[], $3::int[], $4::int[], $5::int[])`,
    [
      rows.map((r) => r.stationId),
      rows.map((r) => r.at),
      rows.map((r) => r.bikes),
      rows.map((r) => r.spaces),
      rows.map((r) => r.interval),
    ],
  );

  const bike = (i: number) => world.bikes[i].id;
  const move = async (b: string, from: string, to: string, state: string, at: string) =>
    h.ds.query(
      `INSERT INTO rebalancing_moves (bike_id, from_station_id, to_station_id, state, picked_up_at, picked_up_by, dropped_at, dropped_by)
       VALUES ($1, $2, $3, $4::varchar, $5::timestamptz - interval '20 minutes', $6, CASE WHEN $4::varchar = 'completed' THEN $5::timestamptz END, $6)`,
      [b, from, to, state, at, '00000000-0000-4000-8000-000000000002'],
    );
  await move(bike(10), s0.id, s1.id, 'completed', '2019-10-02T14:00:00Z');
  await move(bike(11), s2.id, s1.id, 'completed', '2019-10-09T14:00:00Z');
  await move(bike(12), s2.id, s0.id, 'completed', '2019-10-15T14:00:00Z');
  await move(bike(13), s3(world), s2.id, 'completed', '2019-10-22T14:00:00Z');
  await move(bike(14), s1.id, s3(world), 'completed', '2019-10-31T23:00:00Z'); // 18:00 local on the 31st
  await move(bike(15), s1.id, s0.id, 'cancelled', '2019-10-10T14:00:00Z');
  await move(bike(16), s1.id, s0.id, 'completed', '2019-11-01T06:00:00Z'); // 1 Nov local: outside

  const event = async (b: string, type: string, station: string, at: string) =>
    h.ds.query(
      `INSERT INTO bike_events (bike_id, type, from_state, to_state, from_station_id, to_station_id, occurred_at)
       VALUES ($1, $2, $3, $4, $5, $5, $6)`,
      [
        b,
        type,
        type === 'repaired' ? 'maintenance' : 'available',
        type === 'repaired' ? 'available' : 'maintenance',
        station,
        at,
      ],
    );
  await event(bike(20), 'damage_reported', s1.id, '2019-10-05T15:00:00Z');
  await event(bike(20), 'repaired', s1.id, '2019-10-05T19:30:00Z'); // 4.5 h
  await event(bike(21), 'damage_reported', s2.id, '2019-10-20T14:00:00Z');
  await event(bike(21), 'repaired', s2.id, '2019-10-22T14:00:00Z'); // 48 h
  await event(bike(22), 'damage_reported', s1.id, '2019-10-30T22:00:00Z');
  await event(bike(22), 'repaired', s1.id, '2019-11-02T22:00:00Z'); // 72 h, repaired after the range
  await event(bike(23), 'damage_reported', s0.id, '2019-10-25T13:00:00Z'); // never repaired
  await event(bike(24), 'damage_reported', s1.id, '2019-09-28T13:00:00Z'); // before the range
  await event(bike(24), 'repaired', s1.id, '2019-10-01T13:00:00Z');

  const suspend = (i: number, at: string) =>
    h.ds.query(`UPDATE riders SET status = 'suspended', suspended_at = $2, suspension_reason = 'test' WHERE id = $1`, [
      world.riders[i].id,
      at,
    ]);
  await suspend(1, '2019-10-04T20:00:00Z');
  await suspend(2, '2019-10-18T20:00:00Z');
  await suspend(3, '2019-11-01T04:59:00Z'); // 23:59 local on the 31st
  await suspend(4, '2019-09-30T20:00:00Z');
  return rows;
}

function s3(world: TripWorld): string {
  return world.stations[3].id;
}

// ---- the same KPIs, straight from the loans ---------------------------------------------------------

interface RawTrip {
  id: string;
  journeyId: string;
  riderId: string;
  bikeId: string;
  donorId: string;
  from: string;
  to: string;
  startDate: string;
  startHour: number;
  endDate: string;
  endHour: number;
  durationS: number;
  distanceM: number;
  co2G: number;
  gender: string;
  band: string;
  helmet: boolean;
  overdue: boolean;
  renewed: boolean;
  metro: boolean;
}

/** Trip segments read from `loans` with plain SQL; every derivation below is TypeScript. */
async function rawTrips(h: ApiHarness): Promise<RawTrip[]> {
  const rows: Array<Record<string, any>> = await h.ds.query(
    `SELECT l.id, l.journey_id, l.rider_id, l.bike_id, b.donor_id, l.from_station_id, l.to_station_id, l.started_at, l.ended_at,
            l.helmet, l.overdue, l.end_reason, r.gender, r.birth_date::text AS birth_date,
            fs.lat AS flat, fs.lon AS flon, ts.lat AS tlat, ts.lon AS tlon, fs.near_metrolinea OR ts.near_metrolinea AS metro
       FROM loans l JOIN bikes b ON b.id = l.bike_id JOIN riders r ON r.id = l.rider_id
       JOIN stations fs ON fs.id = l.from_station_id JOIN stations ts ON ts.id = l.to_station_id
      WHERE l.state = 'closed' AND l.end_reason IN ('returned', 'renewed', 'forced')`,
  );
  return rows.map((r) => {
    const started = new Date(r.started_at);
    const ended = new Date(r.ended_at);
    const distanceM = Math.round(haversineMeters({ lat: r.flat, lon: r.flon }, { lat: r.tlat, lon: r.tlon }));
    return {
      id: r.id,
      journeyId: r.journey_id,
      riderId: r.rider_id,
      bikeId: r.bike_id,
      donorId: r.donor_id,
      from: r.from_station_id,
      to: r.to_station_id,
      startDate: bogotaDate(started),
      startHour: bogotaParts(started).hour,
      endDate: bogotaDate(ended),
      endHour: bogotaParts(ended).hour,
      durationS: Math.round((ended.getTime() - started.getTime()) / 1000),
      distanceM,
      co2G: co2Grams(distanceM, CO2),
      gender: r.gender,
      band: ageBand(ageOn(r.birth_date, started)),
      helmet: r.helmet,
      overdue: r.overdue,
      renewed: r.end_reason === 'renewed',
      metro: r.metro,
    };
  });
}

function median(values: number[]): number | null {
  if (values.length === 0) return null;
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return roundTo(s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2, 1);
}

function count<T>(items: T[], pred: (t: T) => boolean): number {
  return items.reduce((n, t) => n + (pred(t) ? 1 : 0), 0);
}

const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
/** Code-point order, as PostgreSQL orders uuids and these ASCII codes. */
const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

function expectedSnapshot(
  world: TripWorld,
  raw: RawTrip[],
  samples: SampleRow[],
  opts: { stationId?: string },
): Snapshot {
  const station = opts.stationId;
  const touches = (t: RawTrip) => !station || t.from === station || t.to === station;
  const inRange = raw.filter((t) => t.startDate >= FROM && t.startDate <= TO && touches(t));
  const inService = count(world.bikes, (b) => b.state !== 'retired' && b.state !== 'missing');
  const end = startOfBogotaDay(addDays(TO, 1));
  const start = startOfBogotaDay(FROM);
  const n = inRange.length;

  const genders: Record<string, number> = { female: 0, male: 0, other: 0, undisclosed: 0 };
  for (const t of inRange) genders[t.gender]++;
  const fleet: Record<string, number> = {
    available: 0,
    on_loan: 0,
    maintenance: 0,
    in_transit: 0,
    missing: 0,
    retired: 0,
  };
  for (const b of world.bikes) if (!station || b.stationId === station) fleet[b.state]++;
  // From insertOperationalHistory, by hand.
  const moves = station === world.stations[1].id ? 3 : 5;
  const damage =
    station === world.stations[1].id
      ? { reports: 2, repairs: 2, hours: 38.25 }
      : { reports: 4, repairs: 3, hours: 41.5 };

  const summary = {
    from: FROM,
    to: TO,
    stationId: station ?? null,
    // Real operations only (the generated world is not marked synthetic here).
    includesSynthetic: false,
    syntheticTrips: 0,
    trips: n,
    journeys: new Set(inRange.map((t) => t.journeyId)).size,
    renewals: count(inRange, (t) => t.renewed),
    riders: new Set(inRange.map((t) => t.riderId)).size,
    averageDurationSeconds: roundTo(sum(inRange.map((t) => t.durationS)) / n, 1),
    medianDurationSeconds: median(inRange.map((t) => t.durationS)),
    tripsPerBikePerDay: roundTo(n / inService / OCTOBER_OPERATING_DAYS, 4),
    tripsPerDay: roundTo(n / OCTOBER_OPERATING_DAYS, 2),
    bikesInService: inService,
    operatingDays: OCTOBER_OPERATING_DAYS,
    tripsPer1000Residents: roundTo((n * 1000) / POPULATION, 4),
    population: POPULATION,
    womenShare: ratio(genders.female, n),
    tripsByGender: genders,
    ageBands: AGE_BAND_NAMES.map((band) => ({
      band,
      trips: count(inRange, (t) => t.band === band),
      share: ratio(
        count(inRange, (t) => t.band === band),
        n,
      ),
    })),
    helmetShare: ratio(
      count(inRange, (t) => t.helmet),
      n,
    ),
    overdueTrips: count(inRange, (t) => t.overdue),
    overdueRate: ratio(
      count(inRange, (t) => t.overdue),
      n,
    ),
    suspensions: 2 + 1,
    registeredRiders: count(world.riders, (r) => r.createdAt < end),
    verifiedRiders: count(world.riders, (r) => r.verifiedAt !== null && r.verifiedAt < end),
    activeRiders: new Set(inRange.map((t) => t.riderId)).size,
    metrolineaTrips: count(inRange, (t) => t.metro),
    metrolineaShare: ratio(
      count(inRange, (t) => t.metro),
      n,
    ),
    distanceKm: sum(inRange.map((t) => t.distanceM)) / 1000,
    co2AvoidedKg: sum(inRange.map((t) => t.co2G)) / 1000,
    co2GramsPerKm: CO2,
    rebalancingMoves: moves,
    damageReports: damage.reports,
    repairs: damage.repairs,
    averageRepairHours: damage.hours,
    fleetByState: fleet,
  };

  const daily = eachDate(FROM, TO).map((date) => {
    const day = inRange.filter((t) => t.startDate === date);
    const k = day.length;
    return {
      date,
      trips: k,
      journeys: new Set(day.map((t) => t.journeyId)).size,
      riders: new Set(day.map((t) => t.riderId)).size,
      averageDurationSeconds: k ? roundTo(sum(day.map((t) => t.durationS)) / k, 1) : null,
      medianDurationSeconds: median(day.map((t) => t.durationS)),
      tripsPerBike: ratio(k, inService),
      helmetShare: ratio(
        count(day, (t) => t.helmet),
        k,
      ),
      overdueTrips: count(day, (t) => t.overdue),
      overdueRate: ratio(
        count(day, (t) => t.overdue),
        k,
      ),
      womenShare: ratio(
        count(day, (t) => t.gender === 'female'),
        k,
      ),
      metrolineaShare: ratio(
        count(day, (t) => t.metro),
        k,
      ),
      distanceKm: sum(day.map((t) => t.distanceM)) / 1000,
      co2AvoidedKg: sum(day.map((t) => t.co2G)) / 1000,
    };
  });

  const cells = new Map<
    string,
    { date: string; hour: number; stationId: string; departures: number; arrivals: number; netFlow: number }
  >();
  const cell = (date: string, hour: number, stationId: string) => {
    const key = `${date}|${String(hour).padStart(2, '0')}|${stationId}`;
    let c = cells.get(key);
    if (!c) cells.set(key, (c = { date, hour, stationId, departures: 0, arrivals: 0, netFlow: 0 }));
    return c;
  };
  for (const t of raw) {
    if (t.startDate >= FROM && t.startDate <= TO && (!station || t.from === station))
      cell(t.startDate, t.startHour, t.from).departures++;
    if (t.endDate >= FROM && t.endDate <= TO && (!station || t.to === station))
      cell(t.endDate, t.endHour, t.to).arrivals++;
  }
  const hourly = [...cells.entries()]
    .sort(([a], [b]) => cmp(a, b))
    .map(([, c]) => ({ ...c, netFlow: c.arrivals - c.departures }));

  const stations = [...world.stations]
    .filter((s) => !station || s.id === station)
    .sort((a, b) => cmp(a.code, b.code))
    .map((s) => {
      const departures = count(raw, (t) => t.startDate >= FROM && t.startDate <= TO && t.from === s.id);
      const arrivals = count(raw, (t) => t.endDate >= FROM && t.endDate <= TO && t.to === s.id);
      const mine = samples
        .filter((x) => x.stationId === s.id && x.at >= start && x.at < end)
        .sort((a, b) => a.at.getTime() - b.at.getTime());
      const spells = (pred: (x: SampleRow) => boolean) => {
        let longest = 0;
        let run = 0;
        let prev: SampleRow | undefined;
        for (const x of mine) {
          const contiguous =
            prev !== undefined && pred(prev) && x.at.getTime() - prev.at.getTime() <= 2 * prev.interval * 1000;
          run = pred(x) ? (contiguous ? run : 0) + x.interval : 0;
          longest = Math.max(longest, run);
          prev = x;
        }
        return longest;
      };
      const sampled = sum(mine.map((x) => x.interval));
      const emptyS = sum(mine.filter((x) => x.bikes === 0).map((x) => x.interval));
      const fullS = sum(mine.filter((x) => x.spaces === 0).map((x) => x.interval));
      return {
        stationId: s.id,
        code: s.code,
        name: `Generated station ${world.stations.indexOf(s) + 1}`,
        nearMetrolinea: s.nearMetrolinea,
        departures,
        arrivals,
        netFlow: arrivals - departures,
        samples: mine.length,
        sampledMinutes: roundTo(sampled / 60, 1),
        emptyMinutes: roundTo(emptyS / 60, 1),
        fullMinutes: roundTo(fullS / 60, 1),
        emptyShare: ratio(emptyS, sampled),
        fullShare: ratio(fullS, sampled),
        longestEmptySpellMinutes: roundTo(spells((x) => x.bikes === 0) / 60, 1),
        longestFullSpellMinutes: roundTo(spells((x) => x.spaces === 0) / 60, 1),
      };
    });

  const pairs = new Map<string, { fromStationId: string; toStationId: string; trips: number }>();
  for (const t of inRange) {
    const key = `${t.from}|${t.to}`;
    const p = pairs.get(key) ?? { fromStationId: t.from, toStationId: t.to, trips: 0 };
    p.trips++;
    pairs.set(key, p);
  }
  const od = [...pairs.values()].sort(
    (a, b) => b.trips - a.trips || cmp(a.fromStationId, b.fromStationId) || cmp(a.toStationId, b.toStationId),
  );

  const donors = world.donors
    .map((d) => {
      const mine = inRange.filter((t) => t.donorId === d.id);
      const bikes = world.bikes.filter((b) => b.donorId === d.id);
      const bikesInService = count(bikes, (b) => b.state !== 'retired' && b.state !== 'missing');
      return {
        donorId: d.id,
        code: d.code,
        name: d.code,
        bikes: bikes.length,
        bikesInService,
        bikesUsed: new Set(mine.map((t) => t.bikeId)).size,
        trips: mine.length,
        tripsPerBikePerDay: bikesInService ? roundTo(mine.length / bikesInService / OCTOBER_OPERATING_DAYS, 4) : null,
        durationHours: roundTo(sum(mine.map((t) => t.durationS)) / 3600, 2),
        distanceKm: sum(mine.map((t) => t.distanceM)) / 1000,
        co2AvoidedKg: sum(mine.map((t) => t.co2G)) / 1000,
      };
    })
    .sort((a, b) => b.trips - a.trips || cmp(a.code, b.code));

  return { summary, daily, hourly, stations, od, donors };
}
