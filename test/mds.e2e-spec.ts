import { io } from 'socket.io-client';
import { bogotaDate, FixedClock } from '@metrobici/common';
import { type MdsEvent, type MdsStop, type MdsTrip, type MdsVehicle, type MdsVehicleStatus } from '@metrobici/mds';
import { rebuildTripFacts } from '@metrobici/stats';
import { startApi, type ApiHarness } from './support/api-harness';
import { TEST_PASSWORD } from './support/factories';
import type { ApiClient, HttpResult } from './support/http';
import { MdsOpenApi } from './support/mds-openapi';
import { generateTripWorld, type TripWorld } from './support/trip-generator';

// Tuesday 5 November 2019, 10:00 in Bogotá = 15:00 UTC: October is over, so its report exists.
const NOW = new Date('2019-11-05T10:00:00-05:00');
const MDS_JSON = /^application\/vnd\.mds\+json;version=2\.0$/;
const CO2 = 120;

const spec = new MdsOpenApi();

/** `YYYY-MM-DDTHH` of the UTC hour containing `at`. */
const utcHour = (at: Date | number): string => new Date(at).toISOString().slice(0, 13);

function expectValid(apiPath: string, res: HttpResult, status = '200'): void {
  expect(res.headers.get('content-type')).toMatch(MDS_JSON);
  expect(spec.problems(apiPath, res.body, status)).toEqual([]);
}

describe('MDS 2.0 Provider API (e2e)', () => {
  const clock = new FixedClock(NOW);
  let h: ApiHarness;
  let agency: ApiClient;
  let world: TripWorld;

  beforeAll(async () => {
    h = await startApi({
      clock,
      env: { OPENING_HOURS: '24/7', PILOT_START: '2019-09-01T00:00', CO2_GRAMS_PER_KM: String(CO2) },
    });
    agency = (await h.signedIn('agency')).api;
    // A month of trips standing in for real operations (not synthetic), aggregated later.
    world = await generateTripWorld(h.ds, {
      from: '2019-10-01',
      days: 31,
      journeysPerDay: 12,
      seed: 20191105,
      synthetic: false,
    });
  });
  afterAll(async () => {
    await h?.close();
  });
  beforeEach(() => clock.set(NOW));

  describe('who may read it', () => {
    it('opens to agency accounts only: 401 without a token, 403 for the pilot’s own staff', async () => {
      expect((await agency.get('/mds/stops')).status).toBe(200);
      expect((await h.api.get('/mds/stops')).status).toBe(401);
      expect((await h.api.get('/mds/trips?end_time=2019-10-10T15')).status).toBe(401);
      for (const role of ['operator', 'planner', 'admin'] as const) {
        const { api } = await h.signedIn(role, role === 'operator' ? { allStations: true } : {});
        for (const path of ['/mds/vehicles', '/mds/stops', '/mds/reports/2019-10.csv']) {
          const res = await api.get(path);
          expect(res.status).toBe(403);
        }
      }
    });

    it('refuses an agency token everywhere else, including routes open to any signed-in staff', async () => {
      for (const path of [
        '/api/v1/riders?documentType=CC&documentNumber=123',
        '/api/v1/auth/me',
        '/api/v1/loans',
        '/api/v1/bikes',
        '/api/v1/stats/summary?from=2019-10-01&to=2019-10-31',
        '/api/v1/staff',
        '/api/v1/exports',
        '/api/v1/pilot',
      ]) {
        const res = await agency.get(path);
        expect([path, res.status]).toEqual([path, 403]);
      }
      const station = await h.make.station();
      expect((await agency.post(`/api/v1/stations/${station.id}/close`)).status).toBe(403);
      // Nor the staff alerts socket.
      const socket = io(`${h.url}/operations`, {
        auth: { token: (agency as unknown as { token: string }).token },
        transports: ['websocket'],
        reconnection: false,
      });
      const outcome = await new Promise<string>((resolve) => {
        socket.once('connect', () => resolve('connected'));
        socket.once('connect_error', (e) => resolve(e.message));
      });
      socket.close();
      expect(outcome).toBe('FORBIDDEN');
    });

    it('lets an admin create an agency account through /api/v1/staff', async () => {
      const { api: admin } = await h.signedIn('admin');
      const email = `amb-${Date.now()}@agencia.test`;
      const created = await admin.post('/api/v1/staff', { email, password: TEST_PASSWORD, role: 'agency' });
      expect(created.status).toBe(201);
      expect(created.body.role).toBe('agency');
      const login = await h.api.post('/api/v1/auth/login', { email, password: TEST_PASSWORD });
      expect(login.status).toBe(200);
      const res = await h.api.as(login.body.accessToken).get('/mds/vehicles');
      expect(res.status).toBe(200);
      expect(
        (await admin.post('/api/v1/staff', { email: `x${email}`, password: TEST_PASSWORD, role: 'city' })).status,
      ).toBe(400);
    });
  });

  describe('versions', () => {
    it('answers application/vnd.mds+json;version=2.0 and refuses another major version with 406', async () => {
      for (const accept of [
        undefined,
        '*/*',
        'application/json',
        'application/vnd.mds+json',
        'application/vnd.mds+json;version=2.0',
        'application/vnd.mds+json; version=2.1',
        'application/vnd.mds+json;version=1.2, application/vnd.mds+json;version=2.0',
      ]) {
        const res = await agency.get('/mds/stops', accept ? { Accept: accept } : {});
        expect([accept, res.status]).toEqual([accept, 200]);
        expect(res.headers.get('content-type')).toMatch(MDS_JSON);
        expect(res.body.version).toBe('2.0.0');
      }
      for (const accept of [
        'application/vnd.mds+json;version=1.2',
        'application/vnd.mds+json;version=3.0',
        'text/html',
      ]) {
        const res = await agency.get('/mds/vehicles', { Accept: accept });
        expect([accept, res.status]).toEqual([accept, 406]);
        expect(spec.modelProblems('models/response/error.yaml', res.body)).toEqual([]);
      }
      expect((await agency.get('/mds/reports/2019-10.csv', { Accept: 'text/vnd.mds+csv;version=1.0' })).status).toBe(
        406,
      );
    });
  });

  describe('trips and the monthly report, against the planners’ statistics', () => {
    it('answers 202 for an hour whose trips are not processed yet, then 200', async () => {
      const loan = world.loans.find((l) => l.state === 'closed' && l.endReason === 'returned')!;
      const hour = utcHour(loan.endedAt!);
      const pending = await agency.get(`/mds/trips?end_time=${hour}`);
      expect(pending.status).toBe(202);
      expect(pending.headers.get('content-type')).toMatch(MDS_JSON);
      await rebuildTripFacts(h.ds, { from: '2019-09-01', to: '2019-11-04' }, CO2);
      const done = await agency.get(`/mds/trips?end_time=${hour}`);
      expect(done.status).toBe(200);
      expectValid('/trips', done);
      expect((done.body.trips as MdsTrip[]).some((t) => t.end_time === loan.endedAt!.getTime())).toBe(true);
    });

    it('lists every October trip once, hour by hour, as the stats count them', async () => {
      const planner = (await h.signedIn('planner')).api;
      const summary = (await planner.get('/api/v1/stats/summary?from=2019-10-01&to=2019-10-31')).body;
      const daily: Array<{ date: string; trips: number }> = (
        await planner.get('/api/v1/stats/daily?from=2019-10-01&to=2019-10-31')
      ).body;
      expect(summary.trips).toBeGreaterThan(300);

      // Every UTC hour from the day before October (Bogotá) to the day after.
      const hours: string[] = [];
      for (let t = Date.parse('2019-09-30T00:00:00Z'); t < Date.parse('2019-11-02T12:00:00Z'); t += 3_600_000)
        hours.push(utcHour(t));
      const trips: MdsTrip[] = [];
      for (let i = 0; i < hours.length; i += 8) {
        const answers = await Promise.all(hours.slice(i, i + 8).map((hr) => agency.get(`/mds/trips?end_time=${hr}`)));
        answers.forEach((res, j) => {
          expect([hours[i + j], res.status]).toEqual([hours[i + j], 200]);
          expectValid('/trips', res);
          for (const t of res.body.trips as MdsTrip[]) {
            // Each trip sits in the hour it ended in (UTC), never in another.
            expect(utcHour(t.end_time)).toBe(hours[i + j]);
            trips.push(t);
          }
        });
      }
      expect(new Set(trips.map((t) => t.trip_id)).size).toBe(trips.length);
      const october = trips.filter((t) => bogotaDate(new Date(t.start_time)).startsWith('2019-10'));
      expect(october.length).toBe(summary.trips);
      expect(new Set(october.map((t) => t.journey_id)).size).toBe(summary.journeys);
      const perDay = new Map<string, number>();
      for (const t of october) {
        const day = bogotaDate(new Date(t.start_time));
        perDay.set(day, (perDay.get(day) ?? 0) + 1);
      }
      for (const d of daily) expect([d.date, perDay.get(d.date) ?? 0]).toEqual([d.date, d.trips]);
      expect(october.reduce((s, t) => s + t.duration, 0) / october.length).toBeCloseTo(
        summary.averageDurationSeconds,
        0,
      );

      // Renewals share a journey: the generator's multi-segment journeys come back linked, and
      // one segment ends where the next starts.
      const byJourney = new Map<string, MdsTrip[]>();
      for (const t of trips) byJourney.set(t.journey_id, [...(byJourney.get(t.journey_id) ?? []), t]);
      const renewed = [...byJourney.values()].filter((segments) => segments.length > 1);
      expect(renewed.length).toBeGreaterThan(10);
      for (const segments of renewed) {
        segments.sort((a, b) => a.start_time - b.start_time);
        for (let i = 1; i < segments.length; i++) {
          expect(segments[i].start_time).toBe(segments[i - 1].end_time);
          expect(segments[i].start_location).toEqual(segments[i - 1].end_location);
          expect(segments[i].device_id).toBe(segments[i - 1].device_id);
        }
      }
      // Start and end at the stations' coordinates; no rider data at all.
      const stations = new Set(world.stations.map((s) => `${s.lat},${s.lon}`));
      for (const t of october) {
        expect(stations.has(`${t.start_location.lat},${t.start_location.lng}`)).toBe(true);
        expect(stations.has(`${t.end_location.lat},${t.end_location.lng}`)).toBe(true);
        expect(Object.keys(t).some((k) => /rider|gender|age|birth|document/.test(k))).toBe(false);
      }
      // Neither loan ids nor journey ids of the database leave the system.
      const loanIds = new Set(world.loans.flatMap((l) => [l.id, l.journeyId]));
      for (const t of trips) expect(loanIds.has(t.trip_id) || loanIds.has(t.journey_id)).toBe(false);
    });

    it('publishes October as the spec’s CSV with the stats’ counts, and suppresses counts under 10', async () => {
      const planner = (await h.signedIn('planner')).api;
      const summary = (await planner.get('/api/v1/stats/summary?from=2019-10-01&to=2019-10-31')).body;
      const res = await agency.get('/mds/reports/2019-10.csv');
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe('text/vnd.mds+csv;version=2.0');
      const text = res.body as string;
      expect(spec.modelProblems('models/report.yaml', text)).toEqual([]);
      const [header, ...rows] = text.trim().split('\n');
      expect(header.split(',')).toEqual([
        'provider_id',
        'start_date',
        'duration',
        'special_group_type',
        'geography_id',
        'vehicle_type',
        'trip_count',
        'rider_count',
      ]);
      expect(rows).toHaveLength(1);
      const [providerId, startDate, duration, group, geography, vehicleType, tripCount, riderCount] =
        rows[0].split(',');
      expect(providerId).toMatch(/^[0-9a-f-]{36}$/);
      expect([startDate, duration, group, geography, vehicleType]).toEqual([
        '2019-10-01',
        'P1M',
        'all_riders',
        'null',
        'bicycle',
      ]);
      expect(Number(tripCount)).toBe(summary.trips);
      expect(Number(riderCount)).toBe(summary.riders);

      // September holds only the generator's few edge-case trips: under k = 10, published as -1.
      const september = (await planner.get('/api/v1/stats/summary?from=2019-09-01&to=2019-09-30')).body;
      expect(september.trips).toBeLessThan(10);
      const sep = await agency.get('/mds/reports/2019-09.csv');
      expect(sep.status).toBe(200);
      expect((sep.body as string).trim().split('\n')[1].split(',').slice(-2)).toEqual(['-1', '-1']);

      // Not over yet, before the pilot, not a report name: 404.
      for (const name of ['2019-11.csv', '2019-08.csv', '2019-13.csv', 'octubre.csv', '2019-10.json']) {
        expect([name, (await agency.get(`/mds/reports/${name}`)).status]).toEqual([name, 404]);
      }
    });

    it('never lists synthetic demo trips', async () => {
      const demo = await generateTripWorld(h.ds, {
        from: '2019-09-10',
        days: 2,
        journeysPerDay: 15,
        seed: 99,
        codePrefix: 'SYN',
        edgeCases: false,
      });
      await rebuildTripFacts(h.ds, { from: '2019-09-10', to: '2019-09-11' }, CO2);
      const ended = demo.loans.filter((l) => l.state === 'closed' && l.endReason !== 'reverted' && l.endedAt);
      expect(ended.length).toBeGreaterThan(0);
      for (const hour of new Set(ended.slice(0, 10).map((l) => utcHour(l.endedAt!)))) {
        const res = await agency.get(`/mds/trips?end_time=${hour}`);
        expect(res.status).toBe(200);
        expect(res.body.trips).toEqual([]);
      }
    });

    it('answers 400 without or with a malformed end_time, 404 for an hour not over or before the pilot', async () => {
      const missing = await agency.get('/mds/trips');
      expect(missing.status).toBe(400);
      expect(spec.modelProblems('models/response/error_missing_param.yaml', missing.body)).toEqual([]);
      expect(missing.body.error_details).toEqual(['end_time']);
      for (const bad of ['2019-10-10', '2019-10-10T24', '2019-02-30T10', '2019-10-10T10:00', 'ayer']) {
        const res = await agency.get(`/mds/trips?end_time=${encodeURIComponent(bad)}`);
        expect([bad, res.status]).toEqual([bad, 400]);
        expect(spec.modelProblems('models/response/error_bad_param.yaml', res.body)).toEqual([]);
      }
      expect((await agency.get(`/mds/trips?end_time=${utcHour(NOW)}`)).status).toBe(404); // this hour
      expect((await agency.get('/mds/trips?end_time=2019-11-06T10')).status).toBe(404); // tomorrow
      expect((await agency.get('/mds/trips?end_time=2019-08-20T10')).status).toBe(404); // before PILOT_START
      const quiet = await agency.get('/mds/trips?end_time=2019-09-05T03');
      expect(quiet.status).toBe(200);
      expect(quiet.body.trips).toEqual([]);
    });
  });

  describe('vehicles, events and stops from the live system', () => {
    it('follows one bike through its life in /events/historical, /events/recent and /vehicles/status', async () => {
      const { api: admin } = await h.signedIn('admin');
      const { api: operator } = await h.signedIn('operator', { allStations: true });
      const a = await h.make.station({ name: 'A (demo)', lat: 7.11, lon: -73.12 });
      const b = await h.make.station({ name: 'B (demo)', lat: 7.12, lon: -73.11 });
      const donor = await h.make.donor();
      const rider = await h.make.rider();
      const step = async (minute: number, call: () => Promise<HttpResult>) => {
        clock.set(new Date(NOW.getTime() + minute * 60_000));
        const res = await call();
        expect([minute, res.status]).toEqual([minute, expect.any(Number)]);
        expect(res.status).toBeLessThan(300);
        return res;
      };
      const bike = (
        await step(1, () => admin.post('/api/v1/bikes', { code: 'MDS-001', donor: donor.code, stationId: a.id }))
      ).body;
      const out = await step(2, () =>
        operator.post('/api/v1/loans', { bikeCode: bike.code, riderId: rider.id, stationId: a.id }),
      );
      await step(3, () => operator.post(`/api/v1/loans/${out.body.id}/renew`, { stationId: b.id }));
      await step(4, () => operator.post('/api/v1/returns', { bikeCode: bike.code, stationId: a.id }));
      await step(5, () => operator.post(`/api/v1/bikes/${bike.id}/damage`, { note: 'Cadena rota' }));
      await step(6, () => operator.post(`/api/v1/bikes/${bike.id}/repair`, {}));
      const move = await step(7, () =>
        operator.post('/api/v1/rebalancing', { bikeCode: bike.code, fromStationId: a.id }),
      );
      await step(8, () => operator.post(`/api/v1/rebalancing/${move.body.id}/drop`, { toStationId: b.id }));
      await step(9, () => operator.post(`/api/v1/bikes/${bike.id}/missing`, { policeReport: 'NUNC-2019-1' }));
      await step(10, () => operator.post(`/api/v1/bikes/${bike.id}/found`, { stationId: b.id }));
      await step(11, () => admin.post(`/api/v1/bikes/${bike.id}/retire`, { reason: 'Fin de vida útil' }));

      clock.set(new Date(NOW.getTime() + 90 * 60_000)); // 11:30 Bogotá: the 15:00 UTC hour is over
      const historical = await agency.get(`/mds/events/historical?event_time=${utcHour(NOW)}`);
      expect(historical.status).toBe(200);
      expectValid('/events/historical', historical);
      const events = (historical.body.events as MdsEvent[]).filter((e) => e.device_id === bike.id);
      expect(events.map((e) => [e.vehicle_state, e.event_types])).toEqual([
        ['available', ['provider_drop_off']],
        ['on_trip', ['trip_start']],
        ['available', ['trip_end']],
        ['on_trip', ['trip_start']],
        ['available', ['trip_end']],
        ['non_operational', ['maintenance']],
        ['available', ['maintenance']],
        ['removed', ['rebalance_pick_up']],
        ['available', ['provider_drop_off']],
        ['missing', ['not_located']],
        ['non_operational', ['located']],
        ['removed', ['decommissioned']],
      ]);
      expect(events.map((e) => e.location)).toEqual(
        [a, a, b, b, a, a, a, a, b, b, b, b].map((s) => ({ lat: s.lat, lng: s.lon })),
      );
      // The renewal ends the first trip and starts the second of the same journey.
      const [start1, end1, start2, end2] = events.slice(1, 5);
      expect(end1.trip_ids).toEqual(start1.trip_ids);
      expect(end2.trip_ids).toEqual(start2.trip_ids);
      expect(start2.trip_ids).not.toEqual(start1.trip_ids);
      expect(new Set(events.map((e) => e.event_id)).size).toBe(events.length);

      // The two segments are trips of that hour once the worker's facts exist (202 before).
      expect((await agency.get(`/mds/trips?end_time=${utcHour(NOW)}`)).status).toBe(202);
      await rebuildTripFacts(h.ds, { from: '2019-11-05', to: '2019-11-05' }, CO2);
      const trips = await agency.get(`/mds/trips?end_time=${utcHour(NOW)}`);
      expectValid('/trips', trips);
      const mine = (trips.body.trips as MdsTrip[]).filter((t) => t.device_id === bike.id);
      expect(mine.map((t) => t.trip_id)).toEqual([start1.trip_ids![0], start2.trip_ids![0]]);
      expect(mine[0].journey_id).toBe(mine[1].journey_id);

      // The same events, near-realtime.
      const recent = await agency.get(
        `/mds/events/recent?start_time=${NOW.getTime()}&end_time=${NOW.getTime() + 3_600_000}`,
      );
      expect(recent.status).toBe(200);
      expectValid('/events/recent', recent);
      expect((recent.body.events as MdsEvent[]).filter((e) => e.device_id === bike.id)).toEqual(events);
      expect(recent.body.links.next).toBeNull();

      // Its status: removed (retired); it leaves the list 90 minutes after, but stays readable by id.
      const status = await agency.get(`/mds/vehicles/status/${bike.id}`);
      expectValid('/vehicles/status/{device_id}', status);
      expect(status.body.vehicles_status[0].last_event).toEqual(events[events.length - 1]);
      const statusList = async () => {
        const all: MdsVehicleStatus[] = [];
        let next: string | null = '/mds/vehicles/status';
        while (next) {
          const res: HttpResult = await agency.get(next.replace(h.url, ''));
          expectValid('/vehicles/status', res);
          all.push(...(res.body.vehicles_status as MdsVehicleStatus[]));
          next = res.body.links.next;
        }
        return all;
      };
      expect((await statusList()).some((s) => s.device_id === bike.id)).toBe(true);
      clock.set(new Date(NOW.getTime() + 102 * 60_000));
      expect((await statusList()).some((s) => s.device_id === bike.id)).toBe(false);
    });

    it('maps every bike state, and pages /vehicles with links', async () => {
      const station = await h.make.station();
      const depot = await h.make.station({ kind: 'depot', name: 'Bodega' });
      const states = {
        available: await h.make.bike({ stationId: station.id }),
        maintenance: await h.make.bike({ stationId: station.id, state: 'maintenance' }),
        inDepot: await h.make.bike({ stationId: depot.id }),
      };
      const rider = await h.make.rider();
      const { api: operator } = await h.signedIn('operator', { allStations: true });
      const onLoan = await h.make.bike({ stationId: station.id });
      expect(
        (await operator.post('/api/v1/loans', { bikeCode: onLoan.code, riderId: rider.id, stationId: station.id }))
          .status,
      ).toBe(201);
      const status = async (id: string) => {
        const res = await agency.get(`/mds/vehicles/status/${id}`);
        expectValid('/vehicles/status/{device_id}', res);
        return res.body.vehicles_status[0] as MdsVehicleStatus;
      };
      const avail = await status(states.available.id);
      expect(avail.last_event.vehicle_state).toBe('available');
      expect(avail.last_telemetry).toMatchObject({
        stop_id: station.id,
        location: { lat: station.lat, lng: station.lon },
      });
      expect((await status(states.maintenance.id)).last_event.vehicle_state).toBe('non_operational');
      expect((await status(states.inDepot.id)).last_event.vehicle_state).toBe('removed');
      const loaned = await status(onLoan.id);
      expect(loaned.last_event).toMatchObject({ vehicle_state: 'on_trip', event_types: ['trip_start'] });
      expect(loaned.last_telemetry.trip_ids).toEqual(loaned.last_event.trip_ids);
      expect(loaned.last_telemetry.journey_id).toMatch(/^[0-9a-f-]{36}$/);

      // More than a page of bikes: follow `next` to the end.
      const donor = await h.make.donor();
      await h.ds.query(
        `INSERT INTO bikes (code, donor_id, state, station_id)
         SELECT 'PG-' || lpad(n::text, 4, '0'), $1, 'retired', NULL FROM generate_series(1, 520) n`,
        [donor.id],
      );
      const [{ n: total }] = await h.ds.query<Array<{ n: number }>>('SELECT count(*)::integer AS n FROM bikes');
      const seen: MdsVehicle[] = [];
      let next: string | null = `${h.url}/mds/vehicles`;
      let pages = 0;
      while (next) {
        const res: HttpResult = await agency.get(next.replace(h.url, ''));
        expectValid('/vehicles', res);
        seen.push(...(res.body.vehicles as MdsVehicle[]));
        expect(res.body.links.first).toBe(`${h.url}/mds/vehicles`);
        next = res.body.links.next;
        pages++;
      }
      expect(pages).toBeGreaterThan(1);
      expect(seen).toHaveLength(total);
      expect(new Set(seen.map((v) => v.device_id)).size).toBe(total);
      for (const v of seen) expect(v).toMatchObject({ vehicle_type: 'bicycle', propulsion_types: ['human'] });
      const one = await agency.get(`/mds/vehicles/${onLoan.id}`);
      expectValid('/vehicles/{device_id}', one);
      expect(one.body.vehicles[0]).toMatchObject({ device_id: onLoan.id, vehicle_id: onLoan.code });

      expect((await agency.get('/mds/vehicles/2a7c0b1e-9b1d-4c5e-8f7a-000000000000')).status).toBe(404);
      expect((await agency.get('/mds/vehicles/no-es-uuid')).status).toBe(400);
      expect((await agency.get('/mds/vehicles/status/no-es-uuid')).status).toBe(400);
      expect((await agency.get('/mds/vehicles?cursor=%%%')).status).toBe(400);
    });

    it('refuses /events/recent without both bounds or older than two weeks, and /events/historical without an hour', async () => {
      const now = NOW.getTime();
      for (const qs of [`start_time=${now - 60_000}`, `end_time=${now}`, '']) {
        const res = await agency.get(`/mds/events/recent?${qs}`);
        expect([qs, res.status]).toEqual([qs, 400]);
        expect(spec.modelProblems('models/response/error_missing_param.yaml', res.body)).toEqual([]);
      }
      const old = now - 15 * 24 * 3_600_000;
      for (const qs of [`start_time=${old}&end_time=${now}`, `start_time=abc&end_time=${now}`]) {
        const res = await agency.get(`/mds/events/recent?${qs}`);
        expect([qs, res.status]).toEqual([qs, 400]);
        expect(spec.modelProblems('models/response/error_bad_param.yaml', res.body)).toEqual([]);
      }
      expect((await agency.get('/mds/events/historical')).status).toBe(400);
      expect((await agency.get(`/mds/events/historical?event_time=${utcHour(NOW)}`)).status).toBe(404);
    });

    it('publishes the stations, never depots, with the counts and renting state GBFS shows', async () => {
      await h.make.station({ active: false, name: 'Cerrada (demo)' });
      const depot = await h.make.station({ kind: 'depot', name: 'Bodega 2' });
      const res = await agency.get('/mds/stops');
      expectValid('/stops', res);
      const stops = res.body.stops as MdsStop[];
      const gbfs = (await h.api.get('/gbfs/station_status.json')).body.data.stations as Array<{
        station_id: string;
        num_vehicles_available: number;
        num_vehicles_disabled: number;
        num_docks_available: number;
        is_renting: boolean;
        is_returning: boolean;
      }>;
      expect(stops.map((s) => s.stop_id).sort()).toEqual(gbfs.map((s) => s.station_id).sort());
      expect(stops.some((s) => s.stop_id === depot.id)).toBe(false);
      for (const s of stops) {
        const g = gbfs.find((x) => x.station_id === s.stop_id)!;
        expect(s.num_vehicles_available).toEqual({ bicycle: g.num_vehicles_available });
        expect(s.num_vehicles_disabled).toEqual({ bicycle: g.num_vehicles_disabled });
        expect(s.num_places_available).toEqual({ bicycle: g.num_docks_available });
        expect(s.status).toEqual({ is_installed: true, is_renting: g.is_renting, is_returning: g.is_returning });
        const racked = await h.ds.query<Array<{ id: string }>>(
          'SELECT id FROM bikes WHERE station_id = $1 ORDER BY id',
          [s.stop_id],
        );
        expect(s.devices).toEqual(racked.map((r) => r.id));
      }
      const one = await agency.get(`/mds/stops/${stops[0].stop_id}`);
      expectValid('/stops/{stop_id}', one);
      expect(one.body.stops).toEqual([stops[0]]);
      expect((await agency.get(`/mds/stops/${depot.id}`)).status).toBe(404);
      expect((await agency.get('/mds/stops/estacion-1')).status).toBe(400);
    });
  });
});
