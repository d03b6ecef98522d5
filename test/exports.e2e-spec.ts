import type { INestApplicationContext } from '@nestjs/common';
import { createHash, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { io, type Socket } from 'socket.io-client';
import { bogotaDate } from '@metrobici/common';
import { haversineMeters, PACKAGE_FILES, TRIP_COLUMNS } from '@metrobici/exports';
import type { ExportProgressEvent } from '@metrobici/realtime';
import type { RiderEntity } from '@metrobici/riders';
import type { StationEntity } from '@metrobici/stations';
import { createWorkerApp } from '../apps/worker/src/app.factory';
import { parseCsv } from '../apps/cli/src/csv-import/csv';
import { startApi, type ApiHarness } from './support/api-harness';
import { TEST_PASSWORD } from './support/factories';
import type { ApiClient } from './support/http';
import { GbfsSchemas } from './support/standards';
import { unzip } from './support/zip';

const GBFS_SCHEMAS = new GbfsSchemas('3.0');

/** Problems of a GBFS file against its official v3.0 schema (vendored under standards/). */
function gbfsProblems(name: string, file: unknown): unknown[] {
  return GBFS_SCHEMAS.problems(name, file);
}

const settle = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Header and rows of a CSV, parsed by the RFC 4180 reader the importer uses. */
function csv(text: string): { header: string[]; rows: Array<Record<string, string>> } {
  const [head, ...records] = parseCsv(text);
  return {
    header: head.fields,
    rows: records.map((r) => Object.fromEntries(head.fields.map((h, i) => [h, r.fields[i]]))),
  };
}

async function waitFor<T>(
  what: string,
  probe: () => T | undefined | Promise<T | undefined>,
  timeoutMs = 30_000,
  describe?: () => Promise<unknown>,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline)
      throw new Error(`timed out waiting for ${what}${describe ? `: ${JSON.stringify(await describe())}` : ''}`);
    await settle(150);
  }
}

describe('exports and the closing of the pilot (e2e)', () => {
  let h: ApiHarness;
  let worker: INestApplicationContext;
  let exportsDir: string;
  let planner: ApiClient;
  let plannerEmail: string;
  let operator: ApiClient;
  let admin: ApiClient;
  let adminId: string;
  const sockets: Socket[] = [];

  // A Monday and Tuesday in the past, so the range never depends on today.
  const FROM = '2026-03-02';
  const TO = '2026-03-03';
  let stations: { a: StationEntity; b: StationEntity; c: StationEntity };
  let riders: RiderEntity[];
  const loanIds = { renewalFirst: '', renewalSecond: '', reverted: '', outside: '', sample: '' };

  beforeAll(async () => {
    exportsDir = mkdtempSync(join(tmpdir(), 'metrobici-exports-'));
    h = await startApi({ env: { EXPORTS_DIR: exportsDir, NIGHTLY_EXPORT_CRON: '', WORKER_HEALTH_PORT: '0' } });
    worker = await createWorkerApp(h.env.config, { logLevels: ['fatal'] });
    ({ api: planner, email: plannerEmail } = await h.signedIn('planner'));
    ({ api: operator } = await h.signedIn('operator', { allStations: true }));
    ({ api: admin, id: adminId } = await h.signedIn('admin'));

    stations = {
      a: await h.make.station({ name: 'Parque "San Pío", norte', lat: 7.118, lon: -73.11 }),
      b: await h.make.station({ name: 'UIS', lat: 7.1395, lon: -73.1205 }),
      c: await h.make.station({ name: 'Cabecera', lat: 7.1125, lon: -73.108 }),
    };
    const donor = await h.make.donor({ code: 'bavaria-t', name: 'Fundación Bavaria' });
    const bike = await h.make.bike({ stationId: stations.a.id, donorId: donor.id });
    riders = [
      await h.make.rider({
        firstName: 'Zulema',
        lastName: 'Quintanilla',
        documentNumber: '1098765432',
        phone: '3157771234',
        email: 'zulema.q@example.org',
        birthDate: '1990-05-17',
        gender: 'female',
      }),
      await h.make.rider({
        firstName: 'Bartolomé',
        lastName: 'Arciniegas',
        documentNumber: '91234567',
        phone: '3209998877',
        email: 'barto@example.org',
        birthDate: '2009-11-30',
        gender: 'male',
      }),
    ];

    // 12 trips A→B (a publishable OD cell), 3 A→C (suppressed), a renewal journey, a reverted
    // check-out (not a trip) and a trip outside the range.
    const insert = async (o: {
      from: string;
      to: string;
      start: string;
      minutes: number;
      rider: RiderEntity;
      state?: string;
      journeyId?: string;
      endReason?: string;
      helmet?: boolean;
    }) => {
      const start = new Date(o.start);
      const end = new Date(start.getTime() + o.minutes * 60_000);
      const [row] = await h.ds.query<Array<{ id: string }>>(
        `INSERT INTO loans (journey_id, bike_id, rider_id, from_station_id, to_station_id, started_at, due_at, ended_at, state, end_reason, helmet, overdue, checked_out_by, closed_by)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $13) RETURNING id`,
        [
          o.journeyId ?? randomUUID(),
          bike.id,
          o.rider.id,
          o.from,
          o.to,
          start,
          new Date(start.getTime() + 3600_000),
          end,
          o.state ?? 'closed',
          o.endReason ?? 'returned',
          o.helmet ?? false,
          o.minutes > 60,
          adminId,
        ],
      );
      return row.id;
    };
    for (let i = 0; i < 12; i++) {
      const id = await insert({
        from: stations.a.id,
        to: stations.b.id,
        start: `2026-03-02T${String(7 + (i % 10)).padStart(2, '0')}:0${i % 6}:00-05:00`,
        minutes: 12 + i,
        rider: riders[i % 2],
        helmet: i % 3 === 0,
      });
      if (i === 0) loanIds.sample = id;
    }
    for (let i = 0; i < 3; i++)
      await insert({
        from: stations.a.id,
        to: stations.c.id,
        start: `2026-03-03T08:1${i}:00-05:00`,
        minutes: 9,
        rider: riders[0],
      });
    const journey = randomUUID();
    loanIds.renewalFirst = await insert({
      from: stations.b.id,
      to: stations.c.id,
      start: '2026-03-03T17:00:00-05:00',
      minutes: 55,
      rider: riders[1],
      journeyId: journey,
      endReason: 'renewed',
    });
    loanIds.renewalSecond = await insert({
      from: stations.c.id,
      to: stations.a.id,
      start: '2026-03-03T17:55:00-05:00',
      minutes: 70,
      rider: riders[1],
      journeyId: journey,
    });
    loanIds.reverted = await insert({
      from: stations.a.id,
      to: stations.a.id,
      start: '2026-03-03T09:00:00-05:00',
      minutes: 1,
      rider: riders[0],
      state: 'reverted',
      endReason: 'reverted',
    });
    loanIds.outside = await insert({
      from: stations.a.id,
      to: stations.b.id,
      start: '2026-03-04T00:00:00-05:00',
      minutes: 10,
      rider: riders[0],
    });
    // Just before the range (23:59 local on 1 March is 04:59 UTC on 2 March).
    await insert({
      from: stations.a.id,
      to: stations.b.id,
      start: '2026-03-01T23:59:00-05:00',
      minutes: 10,
      rider: riders[0],
    });
  });

  afterAll(async () => {
    for (const s of sockets) s.disconnect();
    await worker?.close();
    await h?.close();
    rmSync(exportsDir, { recursive: true, force: true });
  });

  /** Every personal datum of the test riders that must never leave in an export. */
  const pii = () =>
    riders
      .flatMap((r) => [r.firstName, r.lastName, r.documentNumber, r.phone, r.email ?? '', r.birthDate])
      .filter(Boolean);

  describe('GET /api/v1/exports/trips.csv', () => {
    it('streams the trips of the range as CSV in the public layout, without personal data', async () => {
      const res = await fetch(`${h.url}/api/v1/exports/trips.csv?from=${FROM}&to=${TO}`, {
        headers: { authorization: `Bearer ${await token(plannerEmail)}` },
      });
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe('text/csv; charset=utf-8');
      expect(res.headers.get('content-disposition')).toBe(`attachment; filename="metrobici-trips-${FROM}_${TO}.csv"`);
      const text = await res.text();
      const { header, rows } = csv(text);

      expect(header).toEqual([...TRIP_COLUMNS]);
      expect(header.slice(0, 12)).toEqual([
        'ride_id',
        'started_at',
        'ended_at',
        'start_station_id',
        'start_station_name',
        'start_lat',
        'start_lng',
        'end_station_id',
        'end_station_name',
        'end_lat',
        'end_lng',
        'duration_s',
      ]);
      // 12 + 3 + 2 renewal segments; not the reverted check-out nor the trips outside the range.
      expect(rows).toHaveLength(17);
      const ids = rows.map((r) => r.ride_id);
      expect(ids).not.toContain(loanIds.reverted);
      expect(ids).not.toContain(loanIds.outside);
      for (const r of rows) {
        expect(r.started_at).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}-05:00$/);
        expect(r.ended_at).toMatch(/-05:00$/);
        // No rider attribute in the planners' CSV (issue 11).
        for (const attribute of ['rider_key', 'gender', 'age_band']) expect(r).not.toHaveProperty(attribute);
        expect(r.ride_id).toMatch(/^[0-9a-f-]{36}$/);
      }
      // Ordered by start, times in Bogotá time.
      expect(rows.map((r) => Date.parse(r.started_at))).toEqual(
        [...rows.map((r) => Date.parse(r.started_at))].sort((x, y) => x - y),
      );

      // ride_id is random per download (no loan id leaves): the sample is the first trip of the range.
      expect(ids).not.toContain(loanIds.sample);
      const sample = rows.find((r) => r.started_at === '2026-03-02T07:00:00-05:00')!;
      expect(sample).toMatchObject({
        started_at: '2026-03-02T07:00:00-05:00',
        ended_at: '2026-03-02T07:12:00-05:00',
        start_station_id: stations.a.id,
        start_station_name: 'Parque "San Pío", norte',
        end_station_id: stations.b.id,
        end_station_name: 'UIS',
        duration_s: '720',
        donor: 'bavaria-t',
        helmet: 'true',
        synthetic: 'false',
      });
      expect(Number(sample.start_lat)).toBe(7.118);
      expect(Number(sample.distance_m)).toBe(
        Math.round(haversineMeters({ lat: 7.118, lon: -73.11 }, { lat: 7.1395, lon: -73.1205 })),
      );
      // Renewal segments share the journey (a per-download pseudonym of it).
      const first = rows.find((r) => r.started_at === '2026-03-03T17:00:00-05:00')!;
      const second = rows.find((r) => r.started_at === '2026-03-03T17:55:00-05:00')!;
      expect(first.journey_id).toBe(second.journey_id);
      expect(first.end_station_id).toBe(second.start_station_id);
      // The station ids are the API's.
      const api = await h.api.get(`/api/v1/stations/${sample.start_station_id}`);
      expect(api.body.id).toBe(stations.a.id);

      for (const datum of pii()) expect(text).not.toContain(datum);
    });

    it('validates the range and the role', async () => {
      for (const q of [
        'from=2026-03-02',
        'from=2026-13-01&to=2026-13-02',
        'from=2026-03-05&to=2026-03-02',
        'from=2026-02-30&to=2026-03-02',
        'from=yesterday&to=today',
      ]) {
        const res = await planner.get(`/api/v1/exports/trips.csv?${q}`);
        expect({ q, status: res.status, code: res.body.code }).toEqual({ q, status: 400, code: 'VALIDATION_FAILED' });
      }
      expect((await operator.get(`/api/v1/exports/trips.csv?from=${FROM}&to=${TO}`)).status).toBe(403);
      expect((await h.api.get(`/api/v1/exports/trips.csv?from=${FROM}&to=${TO}`)).status).toBe(401);
      expect((await admin.get(`/api/v1/exports/trips.csv?from=${FROM}&to=${TO}`)).status).toBe(200);
    });
  });

  describe('data package', () => {
    it('is built by the worker, reports progress to planners, and its zip checks out', async () => {
      const socket = io(`${h.url}/operations`, {
        transports: ['websocket'],
        auth: { token: await token(plannerEmail) },
        reconnection: false,
        forceNew: true,
      });
      sockets.push(socket);
      const progress: ExportProgressEvent[] = [];
      socket.on('export:progress', (e: ExportProgressEvent) => progress.push(e));
      await new Promise<void>((resolve, reject) => {
        socket.once('connect', () => resolve());
        socket.once('connect_error', reject);
      });
      await settle(100);

      const created = await planner.post('/api/v1/exports', { from: FROM, to: TO });
      expect(created.status).toBe(202);
      expect(created.body).toEqual({ id: expect.any(String), state: 'queued' });
      const id = created.body.id as string;

      const done = await waitFor(
        'the package',
        async () => {
          const res = await planner.get(`/api/v1/exports/${id}`);
          expect(res.status).toBe(200);
          if (res.body.state === 'failed') throw new Error(`export failed: ${res.body.error}`);
          return res.body.state === 'completed' ? res.body : undefined;
        },
        30_000,
        async () => ({
          export: (await planner.get(`/api/v1/exports/${id}`)).body,
          outbox: await h.ds.query(
            `SELECT id, type, published_at FROM outbox_events WHERE type LIKE 'export.%' ORDER BY id`,
          ),
        }),
      );
      expect(done).toMatchObject({
        id,
        state: 'completed',
        progress: 100,
        kind: 'on_request',
        from: FROM,
        to: TO,
        downloadUrl: `/api/v1/exports/${id}/download`,
      });

      // Progress reached the planner's socket, in order, ending at 100.
      await waitFor(
        'the last progress event',
        () => (progress.some((e) => e.id === id && e.state === 'completed') ? true : undefined),
        5000,
      );
      const mine = progress.filter((e) => e.id === id);
      expect(mine[0]).toMatchObject({ state: 'active', progress: 0 });
      expect(mine.at(-1)).toEqual({ id, state: 'completed', progress: 100 });
      const values = mine.map((e) => e.progress);
      expect(values).toEqual([...values].sort((x, y) => x - y));

      const download = await fetch(`${h.url}/api/v1/exports/${id}/download`, {
        headers: { authorization: `Bearer ${await token(plannerEmail)}` },
      });
      expect(download.status).toBe(200);
      expect(download.headers.get('content-type')).toBe('application/zip');
      expect(download.headers.get('content-disposition')).toBe(
        `attachment; filename="metrobici-on-request-${FROM}_${TO}.zip"`,
      );
      const files = await unzip(Buffer.from(await download.arrayBuffer()));
      expect([...files.keys()].sort()).toEqual([...PACKAGE_FILES, 'manifest.json'].sort());

      const manifest = JSON.parse(files.get('manifest.json')!.toString('utf8'));
      expect(manifest).toMatchObject({ generatedAt: expect.any(String), from: FROM, to: TO });
      expect(manifest.files.map((f: { name: string }) => f.name)).toEqual([...PACKAGE_FILES]);
      for (const f of manifest.files as Array<{ name: string; rows: number; sha256: string }>) {
        const content = files.get(f.name)!;
        expect({ name: f.name, sha256: createHash('sha256').update(content).digest('hex') }).toEqual({
          name: f.name,
          sha256: f.sha256,
        });
        const text = content.toString('utf8');
        if (f.name.endsWith('.csv'))
          expect({ name: f.name, rows: csv(text).rows.length }).toEqual({ name: f.name, rows: f.rows });
        if (f.name.endsWith('.geojson')) expect(JSON.parse(text).features).toHaveLength(f.rows);
      }

      // A public package (issue 11): no trip rows, every cell under 10 marked.
      expect(files.has('trips.csv')).toBe(false);
      expect(manifest.packageKind).toBe('public');
      const daily = csv(files.get('daily.csv')!.toString('utf8')).rows;
      expect(daily.map((d) => [d.date, d.trips])).toEqual([
        [FROM, '12'],
        [TO, '<10'],
      ]);
      const hourly = csv(files.get('hourly.csv')!.toString('utf8')).rows;
      expect(hourly.filter((r) => r.station_id === stations.a.id).every((r) => r.departures === '<10')).toBe(true);
      const od = csv(files.get('od.csv')!.toString('utf8')).rows;
      const cell = (from: StationEntity, to: StationEntity) =>
        od.find((r) => r.from_station_id === from.id && r.to_station_id === to.id);
      expect(cell(stations.a, stations.b)).toMatchObject({ trips: '12', suppressed: 'false' });
      expect(cell(stations.a, stations.c)).toMatchObject({
        trips: '<10',
        suppressed: 'true',
        median_duration_s: '<10',
      });
      for (const r of od) if (r.trips !== '<10') expect(Number(r.trips)).toBeGreaterThanOrEqual(10);
      const geo = JSON.parse(files.get('stations.geojson')!.toString('utf8'));
      const a = geo.features.find((f: { id: string }) => f.id === stations.a.id);
      expect(a).toMatchObject({
        geometry: { type: 'Point', coordinates: [-73.11, 7.118] },
        properties: { departures: 15 },
      });
      const dictionary = files.get('data_dictionary.md')!.toString('utf8');
      for (const column of TRIP_COLUMNS) expect(dictionary).toContain(`\`${column}\``);
      expect(dictionary).toContain('America/Bogota');
      expect(dictionary).toContain('k = 10');
      expect(dictionary).toContain(`${h.env.config.stats.co2GramsPerKm} g CO2 per km`);

      const everything = [...files.values()].map((b) => b.toString('utf8')).join('\n');
      for (const datum of pii()) expect(everything).not.toContain(datum);

      const list = await planner.get('/api/v1/exports');
      expect(list.body.map((e: { id: string }) => e.id)).toContain(id);
    });

    it('answers 404 for an unknown package and 409 while one is not ready; operators get 403', async () => {
      expect((await planner.get(`/api/v1/exports/${randomUUID()}`)).status).toBe(404);
      expect((await planner.get(`/api/v1/exports/${randomUUID()}/download`)).body.code).toBe('EXPORT_NOT_FOUND');
      const [row] = await h.ds.query<Array<{ id: string }>>(
        `INSERT INTO exports (kind, from_date, to_date, state) VALUES ('on_request', $1, $2, 'active') RETURNING id`,
        [FROM, TO],
      );
      const notReady = await planner.get(`/api/v1/exports/${row.id}/download`);
      expect(notReady).toMatchObject({ status: 409, body: { code: 'EXPORT_NOT_READY' } });
      expect((await planner.post('/api/v1/exports', { from: TO, to: FROM })).status).toBe(400);
      expect((await planner.post('/api/v1/exports', { from: FROM })).status).toBe(400);
      expect((await operator.post('/api/v1/exports', { from: FROM, to: TO })).status).toBe(403);
      expect((await operator.get('/api/v1/exports')).status).toBe(403);
    });
  });

  describe('closing the pilot', () => {
    it('stops check-outs but not returns, announces the end in GBFS, lists open loans, builds and keeps the final package, and can be reopened', async () => {
      const station = await h.make.station({ capacity: 10 });
      const [out, stay] = [await h.make.bike({ stationId: station.id }), await h.make.bike({ stationId: station.id })];
      const rider = await h.make.rider();
      const loan = await operator.post('/api/v1/loans', {
        bikeCode: out.code,
        riderId: rider.id,
        stationId: station.id,
      });
      expect(loan.status).toBe(201);
      const today = bogotaDate(new Date());

      // Confirmation is required, literally `true`, and only admins may close.
      for (const body of [
        { endDate: today },
        { endDate: today, confirm: false },
        { endDate: today, confirm: 'true' },
        { confirm: true },
        { endDate: '2999-01-01', confirm: true },
      ]) {
        const res = await admin.post('/api/v1/pilot/close', body);
        expect({ body, status: res.status, code: res.body.code }).toEqual({
          body,
          status: 400,
          code: 'VALIDATION_FAILED',
        });
      }
      expect((await operator.post('/api/v1/pilot/close', { endDate: today, confirm: true })).status).toBe(403);
      expect((await planner.post('/api/v1/pilot/close', { endDate: today, confirm: true })).status).toBe(403);
      expect((await admin.get('/api/v1/pilot')).body).toMatchObject({ status: 'running', running: true });

      const live = io(`${h.url}/availability`, { transports: ['websocket'], reconnection: false, forceNew: true });
      sockets.push(live);
      const updates: Array<{ stationId: string; isOpen: boolean }> = [];
      live.on('station:updated', (e: { stationId: string; isOpen: boolean }) => updates.push(e));
      await new Promise<void>((resolve) => live.once('stations:snapshot', () => resolve()));

      const closed = await admin.post('/api/v1/pilot/close', { endDate: today, confirm: true });
      expect(closed.status).toBe(200);
      expect(closed.body).toMatchObject({
        status: 'closed',
        running: false,
        endDate: today,
        closedBy: adminId,
        finalExport: { kind: 'pilot_final', to: today },
      });
      expect(closed.body.openLoans).toEqual([
        expect.objectContaining({
          loanId: loan.body.id,
          bikeCode: out.code,
          riderId: rider.id,
          riderPhone: rider.phone,
        }),
      ]);
      expect((await admin.post('/api/v1/pilot/close', { endDate: today, confirm: true })).body.code).toBe(
        'PILOT_ALREADY_CLOSED',
      );
      // Live maps learn at once that stations stopped renting.
      await waitFor(
        'a live update of the station',
        () => (updates.some((e) => e.stationId === station.id && !e.isOpen) ? true : undefined),
        5000,
      );

      // Planners see the closing and the loans to follow up, without riders' contact data.
      const seenByPlanner = await planner.get('/api/v1/pilot');
      expect(seenByPlanner.body.status).toBe('closed');
      expect(seenByPlanner.body.openLoans).toEqual([expect.objectContaining({ loanId: loan.body.id })]);
      expect(seenByPlanner.body.openLoans[0]).not.toHaveProperty('riderPhone');
      expect(seenByPlanner.body.openLoans[0]).not.toHaveProperty('riderName');

      // No check-out, whatever PILOT_END says (not set here).
      const refused = await operator.post('/api/v1/loans', {
        bikeCode: stay.code,
        riderId: (await h.make.rider()).id,
        stationId: station.id,
      });
      expect(refused).toMatchObject({ status: 409, body: { code: 'PILOT_NOT_RUNNING' } });
      const finalId = closed.body.finalExport.id as string;
      const final = await waitFor('the final package', async () => {
        const res = await admin.get(`/api/v1/exports/${finalId}`);
        if (res.body.state === 'failed') throw new Error(res.body.error);
        return res.body.state === 'completed' ? res.body : undefined;
      });
      // Built from the snapshot at closing: the loan still open then is not a trip yet.
      // No PILOT_START here: the whole pilot starts with its first trip (1 March, local time).
      expect(final).toMatchObject({
        kind: 'pilot_final',
        state: 'completed',
        progress: 100,
        from: '2026-03-01',
        to: today,
      });
      // The pilot's final package is public (issue 11): aggregates only, no trip rows.
      expect(final.packageKind).toBe('public');
      expect(final.files.map((f: { name: string }) => f.name)).toEqual([...PACKAGE_FILES]);
      expect((await admin.get(`/api/v1/exports/${finalId}/download`)).status).toBe(200);

      // Returns still work.
      const returned = await operator.post('/api/v1/returns', { bikeCode: out.code, stationId: station.id });
      expect(returned.status).toBe(200);

      const info = await h.api.get('/gbfs/system_information.json');
      expect(info.body.data.termination_date).toBe(today);
      expect(gbfsProblems('system_information', info.body)).toEqual([]);
      const alerts = await h.api.get('/gbfs/system_alerts.json');
      expect(gbfsProblems('system_alerts', alerts.body)).toEqual([]);
      expect(alerts.body.data.alerts).toEqual(
        expect.arrayContaining([expect.objectContaining({ type: 'system_closure', alert_id: 'pilot-closed' })]),
      );
      const status = await h.api.get('/gbfs/station_status.json');
      expect(
        status.body.data.stations.find((s: { station_id: string }) => s.station_id === station.id).is_renting,
      ).toBe(false);

      expect((await admin.post('/api/v1/pilot/reopen', {})).status).toBe(400);
      expect((await operator.post('/api/v1/pilot/reopen', { reason: 'Ampliación aprobada' })).status).toBe(403);
      const reopened = await admin.post('/api/v1/pilot/reopen', { reason: 'Ampliación aprobada por la Alcaldía' });
      expect(reopened.status).toBe(200);
      expect(reopened.body).toMatchObject({
        status: 'running',
        running: true,
        reopenedBy: adminId,
        reopenReason: 'Ampliación aprobada por la Alcaldía',
        finalExport: { id: finalId },
      });
      expect(reopened.body.events.map((e: { type: string }) => e.type)).toEqual(['reopened', 'closed']);
      expect(reopened.body.events[1]).toMatchObject({
        openLoans: 1,
        exportId: finalId,
        endDate: today,
        actorId: adminId,
      });
      expect((await admin.post('/api/v1/pilot/reopen', { reason: 'otra vez' })).body.code).toBe('PILOT_NOT_CLOSED');
      await expect(h.ds.query('DELETE FROM pilot_events')).rejects.toThrow('pilot_events is append-only');

      const again = await operator.post('/api/v1/loans', {
        bikeCode: stay.code,
        riderId: (await h.make.rider()).id,
        stationId: station.id,
      });
      expect(again.status).toBe(201);
      expect((await h.api.get('/gbfs/system_information.json')).body.data).not.toHaveProperty('termination_date');
      // The final package is kept after reopening.
      expect((await admin.get(`/api/v1/exports/${finalId}/download`)).status).toBe(200);
    });
  });

  async function token(email: string): Promise<string> {
    const res = await h.api.post('/api/v1/auth/login', { email, password: TEST_PASSWORD });
    return res.body.accessToken as string;
  }
});
