import type { ValidateFunction } from 'ajv';
import { FixedClock } from '@metrobici/common';
import {
  GBFS_FEEDS,
  GBFS_TTL,
  GBFS_V2_FEEDS,
  GBFS_V2_TTL,
  type GbfsDiscoveryData,
  type GbfsFeedName,
  type GbfsFile,
  type GbfsV2DiscoveryData,
  type GbfsV2FeedName,
  type GbfsV2File,
  type GbfsV2StationInformationData,
  type GbfsV2StationStatusData,
  type GbfsV2SystemAlertsData,
  type GbfsV2SystemHoursData,
  type GbfsV2SystemInformationData,
  type StationInformationData,
  type StationStatusData,
  type SystemAlertsData,
  type SystemInformationData,
  type SystemPricingPlansData,
  type VehicleTypesData,
} from '@metrobici/gbfs';
import { startApi, type ApiHarness } from './support/api-harness';
import type { HttpResult } from './support/http';
import { GbfsSchemas } from './support/standards';

// The official schemas are vendored under standards/: a missing one fails the suite.
const SCHEMAS_V3 = new GbfsSchemas('3.0');
const SCHEMAS_V2 = new GbfsSchemas('2.3');

const DEFAULT_OPENING_HOURS = 'Mo-Fr 06:00-19:00; Sa 06:00-13:00; Su off; PH off';
// Wednesday 9 October 2019, 10:00 in Bogotá: inside the opening hours.
const WEDNESDAY_10AM = new Date('2019-10-09T10:00:00-05:00');
const WEDNESDAY_7_30PM = new Date('2019-10-09T19:30:00-05:00');
const SUNDAY_10AM = new Date('2019-10-13T10:00:00-05:00');
const PUBLIC_BASE_URL = 'https://bici.example.gov.co';

type StationStatus = StationStatusData['stations'][number];

describe('GBFS v3.0 feed (e2e)', () => {
  const clock = new FixedClock(WEDNESDAY_10AM);
  // A second API with the pilot's dates and a public base URL configured.
  const endingClock = new FixedClock(new Date('2019-12-02T10:00:00-05:00'));
  let h: ApiHarness;
  let ending: ApiHarness;

  beforeAll(async () => {
    h = await startApi({ clock, env: { OPENING_HOURS: DEFAULT_OPENING_HOURS } });
    ending = await startApi({
      clock: endingClock,
      env: {
        OPENING_HOURS: DEFAULT_OPENING_HOURS,
        PILOT_START: '2019-10-03T06:00',
        PILOT_END: '2019-12-31',
        PUBLIC_BASE_URL: `${PUBLIC_BASE_URL}/`,
      },
    });
    // Data every file has something to say about: a rack with a bike in repair, an empty one
    // without address, a station closed by an admin, and a depot that must never show.
    const rack = await h.make.station({ capacity: 10, name: 'Parque San Pío (demo)' });
    await h.make.bike({ stationId: rack.id });
    await h.make.bike({ stationId: rack.id });
    await h.make.bike({ stationId: rack.id, state: 'maintenance' });
    await h.make.station({ address: '', name: 'UIS (demo)' });
    await h.make.station({ active: false, name: 'Cabecera (demo)' });
    const depot = await h.make.station({ kind: 'depot', name: 'Bodega' });
    await h.make.bike({ stationId: depot.id });
    await ending.make.station({ active: false });
    await ending.make.bike({ stationId: (await ending.make.station()).id });
  });
  afterAll(async () => {
    await h?.close();
    await ending?.close();
  });
  beforeEach(() => {
    clock.set(WEDNESDAY_10AM);
    endingClock.set(new Date('2019-12-02T10:00:00-05:00'));
  });

  async function get<T>(
    api: ApiHarness,
    name: GbfsFeedName,
    headers: Record<string, string> = {},
  ): Promise<HttpResult<GbfsFile<T>>> {
    const res = await api.api.get<GbfsFile<T>>(`/gbfs/${name}.json`, headers);
    expect(res.status).toBe(200);
    return res;
  }
  const data = async <T>(api: ApiHarness, name: GbfsFeedName): Promise<T> => (await get<T>(api, name)).body.data;
  const statusOf = async (api: ApiHarness, stationId: string): Promise<StationStatus | undefined> =>
    (await data<StationStatusData>(api, 'station_status')).stations.find((s) => s.station_id === stationId);

  it('links every file from gbfs.json with absolute URLs taken from the request', async () => {
    const discovery = await get<GbfsDiscoveryData>(h, 'gbfs');
    const feeds = discovery.body.data.feeds;
    expect(feeds.map((f) => f.name).sort()).toEqual(GBFS_FEEDS.filter((n) => n !== 'gbfs').sort());
    for (const { name, url } of feeds) {
      expect(url).toBe(`${h.url}/gbfs/${name}.json`);
      const res = await fetch(url);
      expect(res.status).toBe(200);
      const body = (await res.json()) as GbfsFile<unknown>;
      expect(body).toMatchObject({ version: '3.0', ttl: GBFS_TTL[name] });
    }
    // Both published versions, in 3.0 and in 2.3 alike.
    const versions = await data<{ versions: Array<{ version: string; url: string }> }>(h, 'gbfs_versions');
    expect(versions.versions).toEqual([
      { version: '2.3', url: `${h.url}/gbfs/v2.3/gbfs.json` },
      { version: '3.0', url: `${h.url}/gbfs/gbfs.json` },
    ]);
  });

  it('serves every file as public, cacheable JSON for any origin', async () => {
    for (const name of GBFS_FEEDS) {
      const res = await get<unknown>(h, name);
      expect(res.headers.get('content-type')).toMatch(/^application\/json/);
      expect(res.headers.get('cache-control')).toBe(`public, max-age=${GBFS_TTL[name]}`);
      expect(res.headers.get('access-control-allow-origin')).toBe('*');
      expect(res.headers.get('etag')).toMatch(/^"[A-Za-z0-9_-]+"$/);
      expect(res.body).toMatchObject({ version: '3.0', ttl: GBFS_TTL[name] });
    }
    expect(GBFS_TTL.station_status).toBeLessThanOrEqual(10);
  });

  it('publishes the same public stations in information and status, never depots, with counts from the database', async () => {
    const info = await data<StationInformationData>(h, 'station_information');
    const status = await data<StationStatusData>(h, 'station_status');
    const rows: Array<{
      id: string;
      kind: string;
      name: string;
      capacity: number;
      bikes_docked: number;
      bikes_available: number;
      active: boolean;
      address: string;
    }> = await h.ds.query(
      'SELECT id, kind, name, capacity, bikes_docked, bikes_available, active, address FROM stations',
    );
    const publicIds = rows
      .filter((r) => r.kind === 'station')
      .map((r) => r.id)
      .sort();
    const depotIds = rows.filter((r) => r.kind === 'depot').map((r) => r.id);
    expect(depotIds.length).toBeGreaterThan(0);

    expect(info.stations.map((s) => s.station_id).sort()).toEqual(publicIds);
    expect(status.stations.map((s) => s.station_id).sort()).toEqual(publicIds);
    for (const s of info.stations) {
      const row = rows.find((r) => r.id === s.station_id)!;
      expect(s).toMatchObject({
        name: [{ text: row.name, language: 'es' }],
        capacity: row.capacity,
        is_virtual_station: false,
      });
      expect(s.vehicle_docks_capacity).toEqual([{ vehicle_type_ids: ['bicycle'], count: row.capacity }]);
      if (row.address) expect(s.address).toBe(row.address);
      else expect(s).not.toHaveProperty('address');
    }
    for (const s of status.stations) {
      const row = rows.find((r) => r.id === s.station_id)!;
      expect(s).toMatchObject({
        num_vehicles_available: row.bikes_available,
        vehicle_types_available: [{ vehicle_type_id: 'bicycle', count: row.bikes_available }],
        num_vehicles_disabled: row.bikes_docked - row.bikes_available,
        num_docks_available: row.capacity - row.bikes_docked,
        vehicle_docks_available: [{ vehicle_type_ids: ['bicycle'], count: row.capacity - row.bikes_docked }],
        is_installed: true,
        is_renting: row.active,
        is_returning: row.active,
      });
    }
    // The seeded rack: two bikes to rent, one waiting for repair.
    expect(
      status.stations.some(
        (s) => s.num_vehicles_available === 2 && s.num_vehicles_disabled === 1 && s.num_docks_available === 7,
      ),
    ).toBe(true);
  });

  it('refers only to vehicle types and pricing plans that are published', async () => {
    const types = await data<VehicleTypesData>(h, 'vehicle_types');
    const plans = await data<SystemPricingPlansData>(h, 'system_pricing_plans');
    const status = await data<StationStatusData>(h, 'station_status');
    const info = await data<StationInformationData>(h, 'station_information');

    expect(types.vehicle_types).toEqual([
      expect.objectContaining({
        vehicle_type_id: 'bicycle',
        form_factor: 'bicycle',
        propulsion_type: 'human',
        wheel_count: 2,
        default_pricing_plan_id: 'free',
        pricing_plan_ids: ['free'],
      }),
    ]);
    expect(plans.plans).toEqual([
      {
        plan_id: 'free',
        name: [{ text: 'Gratuito', language: 'es' }],
        currency: 'COP',
        price: 0,
        is_taxable: false,
        description: [{ text: 'Préstamo gratuito para usuarios registrados', language: 'es' }],
      },
    ]);
    const typeIds = new Set(types.vehicle_types.map((t) => t.vehicle_type_id));
    const planIds = new Set(plans.plans.map((p) => p.plan_id));
    for (const t of types.vehicle_types) {
      expect(planIds.has(t.default_pricing_plan_id)).toBe(true);
      for (const id of t.pricing_plan_ids) expect(planIds.has(id)).toBe(true);
    }
    const referenced = [
      ...status.stations.flatMap((s) => [
        ...s.vehicle_types_available.map((v) => v.vehicle_type_id),
        ...s.vehicle_docks_available.flatMap((d) => d.vehicle_type_ids),
      ]),
      ...info.stations.flatMap((s) => s.vehicle_docks_capacity.flatMap((d) => d.vehicle_type_ids)),
    ];
    expect(referenced.length).toBeGreaterThan(0);
    for (const id of referenced) expect(typeIds.has(id)).toBe(true);
  });

  it('describes the system with the configured opening hours and the pilot start date', async () => {
    const info = await data<SystemInformationData>(h, 'system_information');
    expect(info).toMatchObject({
      system_id: 'metrobici-bucaramanga',
      languages: ['es'],
      name: [{ text: 'Metrobici', language: 'es' }],
      operator: [{ text: 'Alcaldía de Bucaramanga', language: 'es' }],
      timezone: 'America/Bogota',
      opening_hours: DEFAULT_OPENING_HOURS,
      start_date: '2019-10-03',
    });
    expect(info).not.toHaveProperty('termination_date');
    // Without PUBLIC_BASE_URL there is no known home page; a Host header is not one.
    expect(info).not.toHaveProperty('url');
    expect(
      (await data<SystemAlertsData>(h, 'system_alerts')).alerts.filter((a) => a.type === 'system_closure'),
    ).toEqual([]);
  });

  it('shows a check-out in station_status on the very next request', async () => {
    const station = await h.make.station({ capacity: 6 });
    const bike = await h.make.bike({ stationId: station.id });
    await h.make.bike({ stationId: station.id });
    const rider = await h.make.rider();
    const { api: operator } = await h.signedIn('operator', { allStations: true });
    const before = await get<StationStatusData>(h, 'station_status');
    expect(before.body.data.stations.find((s) => s.station_id === station.id)).toMatchObject({
      num_vehicles_available: 2,
      num_docks_available: 4,
    });

    const out = await operator.post('/api/v1/loans', { bikeCode: bike.code, riderId: rider.id, stationId: station.id });
    expect(out.status).toBe(201);

    const after = await get<StationStatusData>(h, 'station_status', { 'If-None-Match': before.headers.get('etag')! });
    expect(after.headers.get('etag')).not.toBe(before.headers.get('etag'));
    expect(after.body.data.stations.find((s) => s.station_id === station.id)).toMatchObject({
      num_vehicles_available: 1,
      vehicle_types_available: [{ vehicle_type_id: 'bicycle', count: 1 }],
      num_docks_available: 5,
    });
  });

  it('stops renting on Sunday and after hours with the default opening hours, but keeps accepting returns', async () => {
    const station = await h.make.station();
    await h.make.bike({ stationId: station.id });
    expect(await statusOf(h, station.id)).toMatchObject({
      is_renting: true,
      is_returning: true,
      num_vehicles_available: 1,
    });

    clock.set(SUNDAY_10AM);
    const sunday = await data<StationStatusData>(h, 'station_status');
    expect(sunday.stations.length).toBeGreaterThan(0);
    for (const s of sunday.stations) expect(s.is_renting).toBe(false);
    expect(sunday.stations.find((s) => s.station_id === station.id)).toMatchObject({
      is_renting: false,
      is_returning: true,
      num_vehicles_available: 1,
    });

    clock.set(WEDNESDAY_7_30PM);
    expect(await statusOf(h, station.id)).toMatchObject({ is_renting: false, is_returning: true });
  });

  it('announces a station closed by an admin with a station_closure alert until it reopens', async () => {
    const { api: admin } = await h.signedIn('admin');
    const station = await h.make.station({ name: 'Parque de los Niños (demo)' });
    const alertsFor = async () =>
      (await data<SystemAlertsData>(h, 'system_alerts')).alerts.filter((a) => a.station_ids?.includes(station.id));
    expect(await alertsFor()).toEqual([]);

    expect((await admin.post(`/api/v1/stations/${station.id}/close`)).status).toBe(200);
    const alerts = await alertsFor();
    expect(alerts).toHaveLength(1);
    expect(alerts[0]).toMatchObject({
      type: 'station_closure',
      station_ids: [station.id],
      summary: [{ text: expect.stringContaining('Parque de los Niños'), language: 'es' }],
    });
    expect(await statusOf(h, station.id)).toMatchObject({ is_renting: false, is_returning: false, is_installed: true });

    expect((await admin.post(`/api/v1/stations/${station.id}/open`)).status).toBe(200);
    expect(await alertsFor()).toEqual([]);
    expect(await statusOf(h, station.id)).toMatchObject({ is_renting: true, is_returning: true });
  });

  it('announces the end of the pilot when PILOT_END is set, and links from PUBLIC_BASE_URL', async () => {
    const info = await data<SystemInformationData>(ending, 'system_information');
    expect(info).toMatchObject({
      start_date: '2019-10-03',
      termination_date: '2019-12-31',
      url: `${PUBLIC_BASE_URL}/`,
    });

    const alerts = (await data<SystemAlertsData>(ending, 'system_alerts')).alerts;
    const closure = alerts.filter((a) => a.type === 'system_closure');
    expect(closure).toHaveLength(1);
    expect(closure[0].times).toEqual([{ start: '2019-12-31T00:00:00-05:00' }]);
    expect(closure[0].description[0].text).toContain('31 de diciembre de 2019');
    expect(alerts.some((a) => a.type === 'station_closure')).toBe(true);

    const feeds = (await data<GbfsDiscoveryData>(ending, 'gbfs')).feeds;
    for (const f of feeds) expect(f.url).toBe(`${PUBLIC_BASE_URL}/gbfs/${f.name}.json`);

    // Monday inside the pilot: renting; after PILOT_END nobody rents, whatever the weekday.
    const open = (await data<StationStatusData>(ending, 'station_status')).stations.filter((s) => s.is_returning);
    expect(open.length).toBeGreaterThan(0);
    for (const s of open) expect(s.is_renting).toBe(true);
    endingClock.set(new Date('2020-01-02T10:00:00-05:00'));
    for (const s of (await data<StationStatusData>(ending, 'station_status')).stations)
      expect(s.is_renting).toBe(false);
  });

  it('answers 304 with no body to a matching If-None-Match, for strong and weak forms', async () => {
    for (const name of ['system_information', 'station_status'] as const) {
      const first = await get<unknown>(h, name);
      const etag = first.headers.get('etag')!;
      for (const condition of [etag, `W/${etag}`, `"other", ${etag}`, '*']) {
        const res = await h.api.get(`/gbfs/${name}.json`, { 'If-None-Match': condition });
        expect(res.status).toBe(304);
        expect(res.body).toBe('');
        expect(res.headers.get('etag')).toBe(etag);
        expect(res.headers.get('cache-control')).toBe(`public, max-age=${GBFS_TTL[name]}`);
      }
      const stale = await h.api.get(`/gbfs/${name}.json`, { 'If-None-Match': '"not-the-current-one"' });
      expect(stale.status).toBe(200);
      expect(stale.headers.get('etag')).toBe(etag);
    }
  });

  it('never dates a file or a station report after the clock', async () => {
    // The database stamps changes with the wall clock, here years after the API's fixed clock.
    const now = clock.now().getTime();
    for (const name of GBFS_FEEDS) {
      const res = await get<unknown>(h, name);
      expect(res.body.last_updated).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}-05:00$/);
      expect(new Date(res.body.last_updated).getTime()).toBeLessThanOrEqual(now);
    }
    const status = await data<StationStatusData>(h, 'station_status');
    for (const s of status.stations) expect(new Date(s.last_reported).getTime()).toBeLessThanOrEqual(now);
    for (const a of (await data<SystemAlertsData>(h, 'system_alerts')).alerts)
      expect(new Date(a.last_updated).getTime()).toBeLessThanOrEqual(now);
  });

  it('answers an unknown feed with 404 and the error code', async () => {
    const unknown = await h.api.get('/gbfs/free_bike_status.json');
    expect(unknown.status).toBe(404);
    expect(unknown.body.code).toBe('ROUTE_NOT_FOUND');
    expect(unknown.headers.get('access-control-allow-origin')).toBe('*');
    const noExtension = await h.api.get('/gbfs/station_status');
    expect(noExtension.status).toBe(404);
    expect(noExtension.body.code).toBe('ROUTE_NOT_FOUND');
  });

  describe('against the official v3.0 JSON schemas', () => {
    let validators: Record<GbfsFeedName, ValidateFunction>;
    beforeAll(() => {
      validators = Object.fromEntries(GBFS_FEEDS.map((name) => [name, SCHEMAS_V3.validator(name)])) as Record<
        GbfsFeedName,
        ValidateFunction
      >;
    });

    it.each(GBFS_FEEDS.map((name) => [name]))('%s.json is valid, with and without the pilot dates', async (name) => {
      for (const api of [h, ending]) {
        const res = await get<unknown>(api, name);
        const validate = validators[name];
        validate(res.body);
        expect(validate.errors ?? []).toEqual([]);
      }
    });

    it('refuses what v3.0 forbids, so a pass means something', async () => {
      // The seeded data exercises the optional parts (closures, pilot end, an empty address, a bike in repair).
      const alerts = await data<SystemAlertsData>(ending, 'system_alerts');
      expect(alerts.alerts.map((a) => a.type).sort()).toEqual(['station_closure', 'system_closure']);
      // A GBFS 2.x POSIX timestamp, and a station without its required name, are refused.
      expect(
        validators.station_status({ last_updated: 1570633200, ttl: 10, version: '3.0', data: { stations: [] } }),
      ).toBe(false);
      const info = (await get<StationInformationData>(h, 'station_information')).body;
      const [first, ...rest] = info.data.stations;
      const { name: _name, ...nameless } = first;
      expect(validators.station_information({ ...info, data: { stations: [nameless, ...rest] } })).toBe(false);
    });
  });

  describe('GBFS v2.3 beside v3.0', () => {
    async function getV2<T>(
      api: ApiHarness,
      name: GbfsV2FeedName,
      headers: Record<string, string> = {},
    ): Promise<HttpResult<GbfsV2File<T>>> {
      const res = await api.api.get<GbfsV2File<T>>(`/gbfs/v2.3/${name}.json`, headers);
      expect(res.status).toBe(200);
      return res;
    }
    const dataV2 = async <T>(api: ApiHarness, name: GbfsV2FeedName): Promise<T> =>
      (await getV2<T>(api, name)).body.data;

    it.each(GBFS_V2_FEEDS.map((name) => [name]))(
      '%s.json is valid against the official v2.3 schema, with and without the pilot dates',
      async (name) => {
        for (const api of [h, ending]) {
          const res = await getV2<unknown>(api, name);
          expect(SCHEMAS_V2.problems(name, res.body)).toEqual([]);
          expect(res.body).toMatchObject({ version: '2.3', ttl: GBFS_V2_TTL[name] });
          expect(res.headers.get('cache-control')).toBe(`public, max-age=${GBFS_V2_TTL[name]}`);
          expect(res.headers.get('access-control-allow-origin')).toBe('*');
          // 2.x dates files in POSIX seconds, never after the clock.
          expect(Number.isInteger(res.body.last_updated)).toBe(true);
          expect(res.body.last_updated * 1000).toBeLessThanOrEqual((api === h ? clock : endingClock).now().getTime());
        }
      },
    );

    it('refuses what v2.3 forbids, so a pass means something', async () => {
      const status = (await getV2<GbfsV2StationStatusData>(h, 'station_status')).body;
      // A 3.0 RFC 3339 timestamp and a 3.0 field name are not 2.3.
      expect(SCHEMAS_V2.validator('station_status')({ ...status, last_updated: '2019-10-09T10:00:00-05:00' })).toBe(
        false,
      );
      const [first, ...rest] = status.data.stations;
      const { num_bikes_available: _n, ...renamed } = first;
      expect(
        SCHEMAS_V2.validator('station_status')({
          ...status,
          data: { stations: [{ ...renamed, num_vehicles_available: 1 }, ...rest] },
        }),
      ).toBe(false);
    });

    it('discovers every 2.3 file under the es language key, and lists both versions', async () => {
      const discovery = await dataV2<GbfsV2DiscoveryData>(h, 'gbfs');
      expect(Object.keys(discovery)).toEqual(['es']);
      expect(discovery.es.feeds.map((f) => f.name).sort()).toEqual(GBFS_V2_FEEDS.filter((n) => n !== 'gbfs').sort());
      for (const { name, url } of discovery.es.feeds) {
        expect(url).toBe(`${h.url}/gbfs/v2.3/${name}.json`);
        const res = await fetch(url);
        expect(res.status).toBe(200);
      }
      const versions = await dataV2<{ versions: Array<{ version: string; url: string }> }>(h, 'gbfs_versions');
      expect(versions.versions).toEqual(
        (await data<{ versions: Array<{ version: string; url: string }> }>(h, 'gbfs_versions')).versions,
      );
      const ended = await dataV2<GbfsV2DiscoveryData>(ending, 'gbfs');
      for (const f of ended.es.feeds) expect(f.url).toBe(`${PUBLIC_BASE_URL}/gbfs/v2.3/${f.name}.json`);
    });

    it('agrees with 3.0 station by station: names, coordinates, capacity, counts, renting, never depots', async () => {
      for (const at of [WEDNESDAY_10AM, SUNDAY_10AM]) {
        clock.set(at);
        const [info3, status3, info2, status2] = await Promise.all([
          data<StationInformationData>(h, 'station_information'),
          data<StationStatusData>(h, 'station_status'),
          dataV2<GbfsV2StationInformationData>(h, 'station_information'),
          dataV2<GbfsV2StationStatusData>(h, 'station_status'),
        ]);
        const depots: Array<{ id: string }> = await h.ds.query(`SELECT id FROM stations WHERE kind = 'depot'`);
        expect(depots.length).toBeGreaterThan(0);
        expect(info2.stations.map((s) => s.station_id)).toEqual(info3.stations.map((s) => s.station_id));
        expect(status2.stations.map((s) => s.station_id)).toEqual(status3.stations.map((s) => s.station_id));
        for (const d of depots) expect(info2.stations.some((s) => s.station_id === d.id)).toBe(false);
        info3.stations.forEach((s3, i) => {
          const s2 = info2.stations[i];
          expect(s2).toMatchObject({
            name: s3.name[0].text,
            short_name: s3.short_name[0].text,
            lat: s3.lat,
            lon: s3.lon,
            capacity: s3.capacity,
            vehicle_type_capacity: { bicycle: s3.capacity },
          });
          expect(s2.address).toBe(s3.address);
        });
        status3.stations.forEach((s3, i) => {
          const s2 = status2.stations[i];
          expect(s2).toEqual({
            station_id: s3.station_id,
            num_bikes_available: s3.num_vehicles_available,
            vehicle_types_available: s3.vehicle_types_available,
            num_bikes_disabled: s3.num_vehicles_disabled,
            num_docks_available: s3.num_docks_available,
            vehicle_docks_available: s3.vehicle_docks_available,
            is_installed: s3.is_installed,
            is_renting: s3.is_renting,
            is_returning: s3.is_returning,
            last_reported: Math.floor(new Date(s3.last_reported).getTime() / 1000),
          });
        });
        if (at === SUNDAY_10AM) for (const s of status2.stations) expect(s.is_renting).toBe(false);
      }
    });

    it('publishes the opening hours as system_hours, and the same system as 3.0', async () => {
      const hours = await dataV2<GbfsV2SystemHoursData>(h, 'system_hours');
      expect(hours.rental_hours).toEqual([
        {
          user_types: ['member'],
          days: ['mon', 'tue', 'wed', 'thu', 'fri'],
          start_time: '06:00:00',
          end_time: '19:00:00',
        },
        { user_types: ['member'], days: ['sat'], start_time: '06:00:00', end_time: '13:00:00' },
      ]);
      const info2 = await dataV2<GbfsV2SystemInformationData>(h, 'system_information');
      const info3 = await data<SystemInformationData>(h, 'system_information');
      expect(info2).toMatchObject({
        system_id: info3.system_id,
        language: 'es',
        name: 'Metrobici',
        operator: 'Alcaldía de Bucaramanga',
        timezone: 'America/Bogota',
        start_date: info3.start_date,
        license_url: 'https://creativecommons.org/licenses/by/4.0/',
      });
      const plans = await dataV2<{ plans: unknown[] }>(h, 'system_pricing_plans');
      expect(plans.plans).toEqual([
        {
          plan_id: 'free',
          name: 'Gratuito',
          currency: 'COP',
          price: 0,
          is_taxable: false,
          description: 'Préstamo gratuito para usuarios registrados',
        },
      ]);
      const types = await dataV2<{ vehicle_types: unknown[] }>(h, 'vehicle_types');
      expect(types.vehicle_types).toEqual([
        expect.objectContaining({
          vehicle_type_id: 'bicycle',
          form_factor: 'bicycle',
          propulsion_type: 'human',
          name: 'Bicicleta',
        }),
      ]);
    });

    it('announces the pilot end and closed stations as 3.0 does: alerts and is_renting false after the end', async () => {
      const alerts3 = (await data<SystemAlertsData>(ending, 'system_alerts')).alerts;
      const alerts2 = (await dataV2<GbfsV2SystemAlertsData>(ending, 'system_alerts')).alerts;
      expect(alerts2.map((a) => [a.alert_id, a.type, a.station_ids])).toEqual(
        alerts3.map((a) => [a.alert_id, a.type, a.station_ids]),
      );
      const end2 = alerts2.find((a) => a.type === 'system_closure')!;
      expect(end2.times).toEqual([{ start: Math.floor(new Date('2019-12-31T00:00:00-05:00').getTime() / 1000) }]);
      expect(end2.description).toContain('31 de diciembre de 2019');
      // termination_date is 3.0 only; 2.3 has no such field.
      expect(await data<SystemInformationData>(ending, 'system_information')).toHaveProperty('termination_date');
      expect(await dataV2<GbfsV2SystemInformationData>(ending, 'system_information')).not.toHaveProperty(
        'termination_date',
      );
      endingClock.set(new Date('2020-01-02T10:00:00-05:00'));
      const after2 = await dataV2<GbfsV2StationStatusData>(ending, 'station_status');
      expect(after2.stations.length).toBeGreaterThan(0);
      for (const s of after2.stations) expect(s.is_renting).toBe(false);
    });

    it('answers 304 to a matching If-None-Match and a fresh ETag after a change', async () => {
      const first = await getV2<unknown>(h, 'station_status');
      const etag = first.headers.get('etag')!;
      const again = await h.api.get('/gbfs/v2.3/station_status.json', { 'If-None-Match': etag });
      expect(again.status).toBe(304);
      expect(again.body).toBe('');
      await h.make.station({ name: 'Nueva (demo)' });
      const changed = await h.api.get('/gbfs/v2.3/station_status.json', { 'If-None-Match': etag });
      expect(changed.status).toBe(200);
      expect(changed.headers.get('etag')).not.toBe(etag);
    });

    it('answers an unknown 2.3 file with 404', async () => {
      for (const name of ['free_bike_status', 'manifest']) {
        const res = await h.api.get(`/gbfs/v2.3/${name}.json`);
        expect(res.status).toBe(404);
        expect(res.body.code).toBe('ROUTE_NOT_FOUND');
      }
      // The 3.0 discovery does not list the 2.x-only system_hours.
      expect((await data<GbfsDiscoveryData>(h, 'gbfs')).feeds.map((f) => f.name)).not.toContain('system_hours');
    });
  });
});
