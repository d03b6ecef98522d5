import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DataSource } from 'typeorm';
import { loadConfig } from '@metrobici/config';
import { createDataSource } from '@metrobici/database';
import { verifyPassword } from '@metrobici/staff';
import { DEMO_STAFF, DEMO_STAFF_PASSWORD } from '../apps/cli/src/demo-data/demo-data';
import { SeedRefusedError, seedDemo } from '../apps/cli/src/demo-data/seed-demo';
import { importCsvFiles } from '../apps/cli/src/csv-import/import-csv';
import { type ImportFiles, ImportValidationError } from '../apps/cli/src/csv-import/import.types';
import { ENTITIES } from '../apps/entities';
import { createTestEnv, type TestEnv } from './support/test-env';

const TABLES = [
  'stations',
  'donors',
  'bikes',
  'bike_events',
  'rebalancing_moves',
  'riders',
  'staff_users',
  'loans',
  'outbox_events',
];

/** Row counts of every table plus fingerprints of what must not move: bikes' places, counters, passwords. */
async function snapshot(ds: DataSource): Promise<Record<string, string | number>> {
  const out: Record<string, string | number> = {};
  for (const t of TABLES) out[t] = Number((await ds.query(`SELECT count(*) AS n FROM ${t}`))[0].n);
  const [f] = await ds.query(`
    SELECT (SELECT md5(coalesce(string_agg(code || ':' || coalesce(station_id::text, '-') || ':' || state || ':' || donor_id, ',' ORDER BY code), '')) FROM bikes) AS bikes,
           (SELECT md5(coalesce(string_agg(concat_ws(':', code, name, address, lat, lon, capacity, kind, near_metrolinea, bikes_docked, bikes_available, helmets_available, sequence, updated_at), ',' ORDER BY code), '')) FROM stations) AS stations,
           (SELECT md5(coalesce(string_agg(concat_ws(':', email, role, password_hash, home_station_id, all_stations, full_name), ',' ORDER BY email), '')) FROM staff_users) AS staff,
           (SELECT md5(coalesce(string_agg(concat_ws(':', document_type, document_number, status, updated_at), ',' ORDER BY document_type, document_number), '')) FROM riders) AS riders,
           (SELECT md5(coalesce(string_agg(code || name, ',' ORDER BY code), '')) FROM donors) AS donors`);
  for (const [k, v] of Object.entries(f as Record<string, string>)) out[`${k}_fingerprint`] = v;
  return out;
}

/** Stations whose counters differ from the bikes in their rack, or exceed their capacity. */
async function inconsistentStations(ds: DataSource): Promise<unknown[]> {
  return ds.query(`
    SELECT s.code, s.capacity, s.bikes_docked, s.bikes_available, count(b.id)::int AS docked, (count(b.id) FILTER (WHERE b.state = 'available'))::int AS available
      FROM stations s LEFT JOIN bikes b ON b.station_id = s.id
     GROUP BY s.id
    HAVING s.bikes_docked <> count(b.id) OR s.bikes_available <> count(b.id) FILTER (WHERE b.state = 'available') OR count(b.id) > s.capacity`);
}

describe('demo seed (integration)', () => {
  let env: TestEnv;
  let ds: DataSource;

  beforeAll(async () => {
    env = await createTestEnv();
    ds = createDataSource(env.databaseUrl, { entities: ENTITIES });
    await ds.initialize();
  });
  afterAll(async () => {
    await ds?.destroy();
    await env?.teardown();
  });

  it('refuses production without a private password, before writing anything', async () => {
    const production = loadConfig({
      ...env.env,
      NODE_ENV: 'production',
      // What production's configuration demands, so only the seed's own refusal is under test.
      RIDER_KEY_SECRET: 'a-private-rider-key-for-tests-0123456789',
      JWT_SECRET: 'a-private-jwt-secret-for-tests-0123456789',
      PUBLIC_BASE_URL: 'https://bici.example.gov.co',
    });
    const before = await snapshot(ds);
    await expect(seedDemo(ds, production, {})).rejects.toThrow(SeedRefusedError);
    await expect(seedDemo(ds, production, { password: '' })).rejects.toThrow(/SEED_STAFF_PASSWORD is not set/);
    await expect(seedDemo(ds, production, { password: DEMO_STAFF_PASSWORD })).rejects.toThrow(/public demo password/);
    await expect(seedDemo(ds, env.config, { password: 'short' })).rejects.toThrow(/at least 10 characters/);
    expect(await snapshot(ds)).toEqual(before);
    expect(before.stations).toBe(0);
  });

  it('loads 12 public stations, a depot, 250 donated bikes, helmets, staff and riders on a fresh database', async () => {
    const summary = await seedDemo(ds, env.config, {});

    expect(summary.created).toMatchObject({
      stations: 12,
      depots: 1,
      donors: 3,
      bikes: 250,
      bikeEvents: 250,
      helmets: 100,
      staff: 16,
      riders: 8,
    });
    expect(summary.created.bikesByDonor).toEqual({ bavaria: 100, mintransporte: 120, uis: 30 });
    expect(summary.passwordSource).toBe('default');
    expect(summary.counterMismatches).toEqual([]);

    const stations: Array<{
      code: string;
      kind: string;
      lat: number;
      lon: number;
      near_metrolinea: boolean;
      capacity: number;
      bikes_docked: number;
    }> = await ds.query(
      'SELECT code, kind, lat, lon, near_metrolinea, capacity, bikes_docked FROM stations ORDER BY code',
    );
    const publicStations = stations.filter((s) => s.kind === 'station');
    expect(publicStations.map((s) => s.code).sort()).toEqual(
      [
        'SANPIO',
        'UIS',
        'ESTUIS',
        'UNAB',
        'UTS',
        'NINOS',
        'SANTANDER',
        'GROVIRA',
        'CIVICA',
        'PROVENZA',
        'REALMINAS',
        'CABECERA',
      ].sort(),
    );
    expect(stations.filter((s) => s.kind === 'depot').map((s) => s.code)).toEqual(['BODEGA']);
    for (const s of publicStations) {
      expect(s.lat).toBeGreaterThanOrEqual(7.05);
      expect(s.lat).toBeLessThanOrEqual(7.16);
      expect(s.lon).toBeGreaterThanOrEqual(-73.14);
      expect(s.lon).toBeLessThanOrEqual(-73.08);
      expect(s.capacity).toBeGreaterThanOrEqual(20);
      expect(s.capacity).toBeLessThanOrEqual(30);
      expect(s.bikes_docked).toBeGreaterThan(0);
      // Room left for returns.
      expect(s.bikes_docked).toBeLessThan(s.capacity);
    }
    expect(publicStations.filter((s) => s.near_metrolinea).map((s) => s.code)).toEqual(['PROVENZA']);

    const donors = await ds.query(
      `SELECT d.code, count(b.id)::int AS bikes FROM donors d LEFT JOIN bikes b ON b.donor_id = d.id GROUP BY d.code ORDER BY d.code`,
    );
    expect(donors).toEqual([
      { code: 'bavaria', bikes: 100 },
      { code: 'mintransporte', bikes: 120 },
      { code: 'uis', bikes: 30 },
    ]);
    const [fleet] = await ds.query(`
      SELECT count(*)::int AS total,
             count(*) FILTER (WHERE state = 'available' AND station_id IS NOT NULL)::int AS placed,
             count(*) FILTER (WHERE code ~ '^(BAV|MT|UIS)-[0-9]{3}$')::int AS well_coded,
             (SELECT count(*)::int FROM bike_events WHERE type = 'registered' AND reason = 'seed' AND actor_id IS NULL) AS events
        FROM bikes`);
    expect(fleet).toEqual({ total: 250, placed: 250, well_coded: 250, events: 250 });
    expect(await inconsistentStations(ds)).toEqual([]);

    const [helmets] = await ds.query(`SELECT sum(helmets_available)::int AS n FROM stations WHERE kind = 'station'`);
    expect(helmets.n).toBe(100);

    const staff: Array<{
      email: string;
      role: string;
      password_hash: string;
      home: string | null;
      all_stations: boolean;
    }> = await ds.query(
      `SELECT u.email, u.role, u.password_hash, s.code AS home, u.all_stations FROM staff_users u LEFT JOIN stations s ON s.id = u.home_station_id`,
    );
    expect(staff).toHaveLength(16);
    expect(staff.map((u) => u.email).sort()).toEqual(DEMO_STAFF.map((u) => u.email).sort());
    for (const u of staff) expect(u.password_hash).toMatch(/^\$argon2id\$/);
    const admin = staff.find((u) => u.email === 'admin@metrobici.local');
    expect(admin?.role).toBe('admin');
    await expect(verifyPassword(admin?.password_hash ?? '', DEMO_STAFF_PASSWORD)).resolves.toBe(true);
    expect(staff.find((u) => u.email === 'planner@metrobici.local')?.role).toBe('planner');
    expect(staff.find((u) => u.email === 'agencia@metrobici.local')?.role).toBe('agency');
    expect(staff.find((u) => u.email === 'operator@metrobici.local')).toMatchObject({
      role: 'operator',
      all_stations: true,
    });
    expect(staff.find((u) => u.email === 'operador.sanpio@metrobici.local')).toMatchObject({
      role: 'operator',
      home: 'SANPIO',
      all_stations: false,
    });

    const riders: Array<{
      document_type: string;
      status: string;
      guardian_name: string | null;
      consent_terms_version: string;
      consent_purposes: string[];
      verified_at: Date | null;
      gender: string;
    }> = await ds.query(
      'SELECT document_type, status, guardian_name, consent_terms_version, consent_purposes, verified_at, gender FROM riders',
    );
    expect(riders.length).toBeGreaterThanOrEqual(6);
    expect(riders.length).toBeLessThanOrEqual(8);
    expect([...new Set(riders.map((r) => r.document_type))]).toEqual(
      expect.arrayContaining(['CC', 'CE', 'PEP', 'PPT', 'TI']),
    );
    expect(riders.filter((r) => r.status === 'pending')).toHaveLength(1);
    expect(riders.filter((r) => r.status === 'active').every((r) => r.verified_at !== null)).toBe(true);
    expect(riders.find((r) => r.document_type === 'TI')?.guardian_name).toBeTruthy();
    expect(new Set(riders.map((r) => r.gender)).size).toBeGreaterThanOrEqual(3);
    for (const r of riders) {
      expect(r.consent_terms_version).toBe(env.config.riders.termsVersion);
      expect(r.consent_purposes).toEqual(['service']);
    }
    const [minor] = await ds.query(
      `SELECT date_part('year', age(now() AT TIME ZONE 'America/Bogota', birth_date::timestamp))::int AS age FROM riders WHERE document_type = 'TI'`,
    );
    expect(minor.age).toBe(16);
  });

  it('changes nothing when run again', async () => {
    const before = await snapshot(ds);
    const summary = await seedDemo(ds, env.config, {});
    expect(summary.created).toEqual({
      stations: 0,
      depots: 0,
      donors: 0,
      bikes: 0,
      bikesByDonor: { bavaria: 0, mintransporte: 0, uis: 0 },
      bikeEvents: 0,
      helmets: 0,
      staff: 0,
      riders: 0,
    });
    expect(await snapshot(ds)).toEqual(before);
  });

  it('never moves existing bikes, resets counters or passwords, and fills only what is missing', async () => {
    // Operations happened: a bike went to the workshop rack state, helmets were lent, a password changed.
    await ds.transaction(async (m) => {
      const [bike] = await m.query(
        `SELECT b.id, b.station_id FROM bikes b JOIN stations s ON s.id = b.station_id WHERE b.code = 'BAV-001'`,
      );
      await m.query(`UPDATE bikes SET state = 'maintenance' WHERE id = $1`, [bike.id]);
      await m.query(`UPDATE stations SET bikes_available = bikes_available - 1, helmets_available = 3 WHERE id = $1`, [
        bike.station_id,
      ]);
      await m.query(`UPDATE staff_users SET password_hash = 'changed' WHERE email = 'admin@metrobici.local'`);
      // A few demo rows are missing (as if an earlier seed only got part of the way).
      // (Riders with consent history cannot be deleted: the test lifts the append-only guard to fake it.)
      await m.query('ALTER TABLE rider_consents DISABLE TRIGGER rider_consents_append_only');
      await m.query(`DELETE FROM rider_consents WHERE rider_id IN (SELECT id FROM riders WHERE document_type = 'PPT')`);
      await m.query('ALTER TABLE rider_consents ENABLE TRIGGER rider_consents_append_only');
      await m.query(`DELETE FROM riders WHERE document_type = 'PPT'`);
      await m.query(`DELETE FROM staff_users WHERE email = 'operador.uts@metrobici.local'`);
    });
    const before = await snapshot(ds);

    const summary = await seedDemo(ds, env.config, {});
    expect(summary.created).toMatchObject({ stations: 0, bikes: 0, staff: 1, riders: 1 });
    const after = await snapshot(ds);
    expect(after.bikes_fingerprint).toBe(before.bikes_fingerprint);
    expect(after.stations_fingerprint).toBe(before.stations_fingerprint);
    expect(after.staff_users).toBe((before.staff_users as number) + 1);
    const [admin] = await ds.query(`SELECT password_hash FROM staff_users WHERE email = 'admin@metrobici.local'`);
    expect(admin.password_hash).toBe('changed');
    const [bike] = await ds.query(`SELECT state FROM bikes WHERE code = 'BAV-001'`);
    expect(bike.state).toBe('maintenance');
    expect(await inconsistentStations(ds)).toEqual([]);
  });
});

describe('CSV import (integration)', () => {
  let env: TestEnv;
  let ds: DataSource;
  // jest runs from the repository root (and ESM has no __dirname).
  const examples = join(process.cwd(), 'docs', 'import-examples');
  const example = (name: 'stations' | 'bikes' | 'staff') => ({
    name: `${name}.csv`,
    text: readFileSync(join(examples, `${name}.csv`), 'utf8'),
  });

  beforeAll(async () => {
    env = await createTestEnv();
    ds = createDataSource(env.databaseUrl, { entities: ENTITIES });
    await ds.initialize();
  });
  afterAll(async () => {
    await ds?.destroy();
    await env?.teardown();
  });

  it('reports every problem with its file and line and imports nothing', async () => {
    const files: ImportFiles = {
      stations: {
        name: 'stations.csv',
        text: [
          'code,name,address,lat,lon,capacity,kind',
          'GOOD,Estación buena,"Calle 1, Centro",7.12,-73.12,2,station',
          'BAD,Estación mala,Calle 2,abc,-73.12,0,station',
          'SWAP,Coordenadas invertidas,Calle 3,-73.12,7.12,10,',
          'GOOD,Repetida,Calle 4,7.12,-73.12,10,kiosk',
        ].join('\r\n'),
      },
      bikes: {
        name: 'bikes.csv',
        text: [
          'code,donor_code,donor_name,station_code,state',
          'T-001,nuevo,Donante nuevo,GOOD,available',
          'T-002,nuevo,Donante nuevo,GOOD,available',
          'T-003,nuevo,Donante nuevo,GOOD,available',
          'T-004,nuevo,Otro nombre,NOWHERE,',
          'T-005,sinnombre,,GOOD,stolen',
        ].join('\n'),
      },
      staff: {
        name: 'staff.csv',
        text: 'email,role,home_station_code,password\nnot-an-email,boss,,short\nop@metrobici.local,operator,,\n',
      },
    };
    const before = await snapshot(ds);
    const error: unknown = await importCsvFiles(ds, files).then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ImportValidationError);
    const issues = (error as ImportValidationError).issues.map((i) => `${i.file}:${i.line}`);
    expect(issues).toEqual(
      expect.arrayContaining([
        'stations.csv:3', // lat not a number, capacity 0
        'stations.csv:4', // outside the metropolitan area (swapped)
        'stations.csv:5', // duplicate code, bad kind
        'bikes.csv:4', // 3 bikes, capacity 2: the third does not fit
        'bikes.csv:5', // two names for one donor; unknown station
        'bikes.csv:6', // unknown state
        'staff.csv:2', // bad e-mail, role, short password
        'staff.csv:3', // operator without a station
      ]),
    );
    expect(issues).not.toContain('stations.csv:2');
    expect(
      (error as ImportValidationError).issues.find((i) => i.file === 'bikes.csv' && i.line === 4)?.message,
    ).toMatch(/GOOD has 2 free space/);
    expect(await snapshot(ds)).toEqual(before);
  });

  it('imports the example files, placing bikes and counting them at their stations', async () => {
    const report = await importCsvFiles(ds, {
      stations: example('stations'),
      bikes: example('bikes'),
      staff: example('staff'),
    });
    expect(report).toMatchObject({
      stations: { created: 3, updated: 0, unchanged: 0 },
      donors: { created: 1, renamed: 0 },
      bikes: { created: 6, unchanged: 0 },
      staff: { created: 3, updated: 0, unchanged: 0 },
    });
    expect(report.generatedPasswords).toHaveLength(3);

    const stations = await ds.query(
      `SELECT code, kind, capacity, bikes_docked, bikes_available, helmets_available FROM stations ORDER BY code`,
    );
    expect(stations).toEqual([
      { code: 'ANTONIA', kind: 'station', capacity: 15, bikes_docked: 2, bikes_available: 1, helmets_available: 4 },
      { code: 'BODEGANORTE', kind: 'depot', capacity: 80, bikes_docked: 1, bikes_available: 1, helmets_available: 0 },
      { code: 'LASPALMAS', kind: 'station', capacity: 20, bikes_docked: 2, bikes_available: 2, helmets_available: 6 },
    ]);
    expect(await inconsistentStations(ds)).toEqual([]);
    const [retired] = await ds.query(`SELECT state, station_id FROM bikes WHERE code = 'EJ-006'`);
    expect(retired).toEqual({ state: 'retired', station_id: null });
    const [events] = await ds.query(
      `SELECT count(*)::int AS n FROM bike_events WHERE type = 'registered' AND actor_id IS NULL`,
    );
    expect(events.n).toBe(6);

    const [op] = await ds.query(
      `SELECT u.password_hash, u.role, s.code AS home FROM staff_users u JOIN stations s ON s.id = u.home_station_id WHERE u.email = 'operador.laspalmas@metrobici.local'`,
    );
    expect(op).toMatchObject({ role: 'operator', home: 'LASPALMAS' });
    expect(op.password_hash).toMatch(/^\$argon2id\$/);
    const generated =
      report.generatedPasswords.find((p) => p.email === 'operador.laspalmas@metrobici.local')?.password ?? '';
    await expect(verifyPassword(op.password_hash, generated)).resolves.toBe(true);
  });

  it('changes nothing when the same files are imported again', async () => {
    const before = await snapshot(ds);
    const report = await importCsvFiles(ds, {
      stations: example('stations'),
      bikes: example('bikes'),
      staff: example('staff'),
    });
    expect(report).toMatchObject({
      stations: { created: 0, updated: 0, unchanged: 3 },
      donors: { created: 0, renamed: 0 },
      bikes: { created: 0, unchanged: 6 },
      staff: { created: 0, updated: 0, unchanged: 3 },
      generatedPasswords: [],
    });
    expect(await snapshot(ds)).toEqual(before);
  });

  it('updates by natural key, keeps live counters, and accepts Excel (BOM, semicolons, CRLF, decimal comma)', async () => {
    const stations = {
      name: 'estaciones.csv',
      text: '\uFEFFcode;name;address;lat;lon;capacity;near_metrolinea;helmets\r\nLASPALMAS;Parque Las Palmas (Sotomayor);"Calle 44; Carrera 29";7,1155;-73,1148;25;sí;50\r\n',
    };
    const staff = {
      name: 'staff.csv',
      text: 'email,role,full_name,home_station_code,all_stations,password\r\noperador.antonia@metrobici.local,operator,Promotor,,true,una-clave-nueva-123\r\n',
    };
    const report = await importCsvFiles(ds, { stations, staff });
    expect(report.stations).toEqual({ created: 0, updated: 1, unchanged: 0 });
    expect(report.staff).toEqual({ created: 0, updated: 1, unchanged: 0 });
    expect(report.notes.join('\n')).toMatch(/helmets ignored for existing station LASPALMAS/);
    const [s] = await ds.query(
      `SELECT name, address, capacity, near_metrolinea, helmets_available, bikes_docked FROM stations WHERE code = 'LASPALMAS'`,
    );
    expect(s).toEqual({
      name: 'Parque Las Palmas (Sotomayor)',
      address: 'Calle 44; Carrera 29',
      capacity: 25,
      near_metrolinea: true,
      helmets_available: 6,
      bikes_docked: 2,
    });
    const [u] = await ds.query(
      `SELECT all_stations, home_station_id, password_hash FROM staff_users WHERE email = 'operador.antonia@metrobici.local'`,
    );
    expect(u).toMatchObject({ all_stations: true, home_station_id: null });
    await expect(verifyPassword(u.password_hash, 'una-clave-nueva-123')).resolves.toBe(true);

    // Same files again: the password already matches, nothing else differs.
    const before = await snapshot(ds);
    const again = await importCsvFiles(ds, { stations, staff });
    expect(again.stations).toEqual({ created: 0, updated: 0, unchanged: 1 });
    expect(again.staff).toEqual({ created: 0, updated: 0, unchanged: 1 });
    expect(await snapshot(ds)).toEqual(before);
  });

  it('writes nothing on a dry run, and refuses to change a bike’s donor or squeeze a rack below its bikes', async () => {
    const before = await snapshot(ds);
    const dry = await importCsvFiles(
      ds,
      { bikes: { name: 'b.csv', text: 'code,donor_code,donor_name,station_code\nEJ-100,ejemplo,,LASPALMAS\n' } },
      { dryRun: true },
    );
    expect(dry).toMatchObject({ dryRun: true, bikes: { created: 1 } });
    expect(await snapshot(ds)).toEqual(before);

    await expect(
      importCsvFiles(ds, {
        stations: {
          name: 's.csv',
          text: 'code,name,address,lat,lon,capacity\nLASPALMAS,Parque Las Palmas,x,7.1155,-73.1148,1\n',
        },
        bikes: { name: 'b.csv', text: 'code,donor_code,donor_name,station_code\nEJ-001,otro,Otro donante,LASPALMAS\n' },
      }),
    ).rejects.toMatchObject({
      issues: [
        { file: 's.csv', line: 2, message: expect.stringMatching(/below the 2 bikes/) },
        { file: 'b.csv', line: 2, message: expect.stringMatching(/donor cannot change/) },
      ],
    });
    expect(await snapshot(ds)).toEqual(before);
  });
});
