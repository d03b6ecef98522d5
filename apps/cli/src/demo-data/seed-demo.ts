import type { DataSource, EntityManager } from 'typeorm';
import type { AppConfig } from '@metrobici/config';
import { createDonors, registerBikes } from '@metrobici/fleet';
import { createRiders } from '@metrobici/riders';
import { createStaffAccounts } from '@metrobici/staff';
import { createStations } from '@metrobici/stations';
import { lockCatalogue } from '../cli-data-source';
import {
  DEMO_DEPOT,
  DEMO_DONORS,
  DEMO_STAFF,
  DEMO_STAFF_PASSWORD,
  DEMO_STATIONS,
  type DemoStation,
  demoFleetPlan,
  demoRiders,
} from './demo-data';

export interface SeedOptions {
  /** `SEED_STAFF_PASSWORD` as read from the environment; unset or empty means the dev default. */
  password?: string;
  /** When the seed runs (consent and verification times); defaults to now. */
  now?: Date;
}

export interface SeedSummary {
  /** Rows this run inserted; all zero when the demo data was already there. */
  created: {
    stations: number;
    depots: number;
    donors: number;
    bikes: number;
    bikesByDonor: Record<string, number>;
    bikeEvents: number;
    helmets: number;
    staff: number;
    riders: number;
  };
  /** What the database holds after the run (all rows, not only demo ones). */
  totals: {
    stations: number;
    depots: number;
    bikesByDonor: Array<{ code: string; name: string; bikes: number; countIsDemoChoice: boolean }>;
    bikesAtStations: number;
    bikesInDepots: number;
    helmetsAtStations: number;
    staff: number;
    riders: number;
  };
  staffLogins: Array<{
    email: string;
    role: string;
    homeStationCode: string | null;
    allStations: boolean;
    created: boolean;
  }>;
  /** Where the password of the accounts created by this run came from. */
  passwordSource: 'default' | 'SEED_STAFF_PASSWORD';
  /** Stations whose counters disagree with the bikes table (should be empty; the seed never fixes them). */
  counterMismatches: string[];
}

/** The seed refused to run (e.g. production without a real password); nothing was written. */
export class SeedRefusedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SeedRefusedError';
  }
}

const MIN_PASSWORD_LENGTH = 10;

/**
 * The staff password the seed may use. The documented dev default is refused in production, where
 * it would open every demo account to anyone who has read the README.
 */
export function resolveSeedPassword(
  config: Pick<AppConfig, 'env'>,
  fromEnv: string | undefined,
): { password: string; source: SeedSummary['passwordSource'] } {
  const given = fromEnv === undefined || fromEnv === '' ? undefined : fromEnv;
  if (config.env === 'production' && (given === undefined || given === DEMO_STAFF_PASSWORD)) {
    throw new SeedRefusedError(
      given === undefined
        ? 'NODE_ENV=production and SEED_STAFF_PASSWORD is not set: refusing to create staff accounts with the public demo password. Set SEED_STAFF_PASSWORD to a private password of at least 10 characters.'
        : `NODE_ENV=production and SEED_STAFF_PASSWORD is the public demo password ("${DEMO_STAFF_PASSWORD}"): refusing. Choose a private password of at least 10 characters.`,
    );
  }
  if (given !== undefined && given.length < MIN_PASSWORD_LENGTH) {
    throw new SeedRefusedError(
      `SEED_STAFF_PASSWORD must be at least ${MIN_PASSWORD_LENGTH} characters (the API requires it for staff passwords).`,
    );
  }
  return given === undefined
    ? { password: DEMO_STAFF_PASSWORD, source: 'default' }
    : { password: given, source: 'SEED_STAFF_PASSWORD' };
}

/**
 * Loads the demo data (see `demo-data.ts`) in one transaction. Idempotent: rows are matched by
 * their natural keys (station code, donor code, bike code, staff e-mail, rider document) and only
 * missing ones are inserted; existing rows, bikes' places, counters and passwords are left alone.
 * Every row is written by its owning lib's function (stations, fleet, staff, riders) in this
 * transaction: each bike gets its `registered` log row and is counted at its station by
 * `registerBikes`, so counters always equal the bikes placed.
 */
export async function seedDemo(
  dataSource: DataSource,
  config: AppConfig,
  options: SeedOptions = {},
): Promise<SeedSummary> {
  const { password, source } = resolveSeedPassword(config, options.password);
  const now = options.now ?? new Date();

  return dataSource.transaction(async (manager) => {
    await lockCatalogue(manager);
    const created: SeedSummary['created'] = {
      stations: 0,
      depots: 0,
      donors: 0,
      bikes: 0,
      bikesByDonor: Object.fromEntries(DEMO_DONORS.map((d) => [d.code, 0])),
      bikeEvents: 0,
      helmets: 0,
      staff: 0,
      riders: 0,
    };

    const stations = await seedStations(manager, [...DEMO_STATIONS, DEMO_DEPOT], created);
    const donors = await seedDonors(manager, created);
    await seedBikes(manager, stations, donors, now, created);
    const staffIds = await seedStaff(manager, stations, password, created);
    await seedRiders(manager, stations, staffIds, config.riders.termsVersion, now, created);

    return {
      created,
      totals: await readTotals(manager),
      staffLogins: DEMO_STAFF.map((s) => ({
        email: s.email,
        role: s.role,
        homeStationCode: s.homeStationCode,
        allStations: s.allStations,
        created: staffIds.created.has(s.email),
      })),
      passwordSource: source,
      counterMismatches: await findCounterMismatches(manager),
    };
  });
}

interface StationRow {
  id: string;
  code: string;
  kind: string;
  capacity: number;
  bikesDocked: number;
}

async function seedStations(
  manager: EntityManager,
  demo: DemoStation[],
  created: SeedSummary['created'],
): Promise<Map<string, StationRow>> {
  const codes = demo.map((s) => s.code);
  const existing = new Set(
    (await manager.query<Array<{ code: string }>>('SELECT code FROM stations WHERE code = ANY($1)', [codes])).map(
      (r) => r.code,
    ),
  );
  const missing = demo.filter((s) => !existing.has(s.code));
  await createStations(
    manager,
    missing.map((s) => ({
      code: s.code,
      name: s.name,
      address: s.address,
      lat: s.lat,
      lon: s.lon,
      capacity: s.capacity,
      kind: s.kind,
      nearMetrolinea: s.nearMetrolinea,
      helmetsAvailable: s.helmets,
    })),
  );
  for (const s of missing) {
    if (s.kind === 'depot') created.depots++;
    else created.stations++;
    created.helmets += s.helmets;
  }
  // Locked so the free spaces read here stay true until the bikes are counted in.
  const rows = await manager.query<
    Array<{ id: string; code: string; kind: string; capacity: number; bikes_docked: number }>
  >('SELECT id, code, kind, capacity, bikes_docked FROM stations WHERE code = ANY($1) ORDER BY code FOR UPDATE', [
    codes,
  ]);
  return new Map(
    rows.map((r) => [
      r.code,
      { id: r.id, code: r.code, kind: r.kind, capacity: Number(r.capacity), bikesDocked: Number(r.bikes_docked) },
    ]),
  );
}

async function seedDonors(manager: EntityManager, created: SeedSummary['created']): Promise<Map<string, string>> {
  const codes = DEMO_DONORS.map((d) => d.code);
  const existing = new Set(
    (await manager.query<Array<{ code: string }>>('SELECT code FROM donors WHERE code = ANY($1)', [codes])).map(
      (r) => r.code,
    ),
  );
  const missing = DEMO_DONORS.filter((d) => !existing.has(d.code));
  await createDonors(
    manager,
    missing.map((d) => ({ code: d.code, name: d.name })),
  );
  created.donors += missing.length;
  const rows = await manager.query<Array<{ id: string; code: string }>>(
    'SELECT id, code FROM donors WHERE code = ANY($1)',
    [codes],
  );
  return new Map(rows.map((r) => [r.code, r.id]));
}

async function seedBikes(
  manager: EntityManager,
  stations: Map<string, StationRow>,
  donorIds: Map<string, string>,
  now: Date,
  created: SeedSummary['created'],
): Promise<void> {
  const plan = demoFleetPlan();
  const existing = new Set(
    (
      await manager.query<Array<{ code: string }>>('SELECT code FROM bikes WHERE code = ANY($1)', [
        plan.map((b) => b.code),
      ])
    ).map((r) => r.code),
  );
  const missing = plan.filter((b) => !existing.has(b.code));
  if (missing.length === 0) return;

  // A station that already holds bikes (operations, an import) keeps its free spaces: a bike whose
  // planned station is full waits in the depot instead.
  const free = new Map([...stations.values()].map((s) => [s.code, s.capacity - s.bikesDocked]));
  const depot = stations.get(DEMO_DEPOT.code);
  if (!depot) throw new Error(`depot ${DEMO_DEPOT.code} is missing after seeding stations`);
  const placed = missing.map((b) => {
    let station = stations.get(b.stationCode) ?? depot;
    if ((free.get(station.code) ?? 0) <= 0) station = depot;
    const left = free.get(station.code) ?? 0;
    if (left <= 0)
      throw new Error(`no space left for bike ${b.code}: the depot ${depot.code} is full (capacity ${depot.capacity})`);
    free.set(station.code, left - 1);
    const donorId = donorIds.get(b.donorCode);
    if (!donorId) throw new Error(`donor ${b.donorCode} is missing after seeding donors`);
    return { code: b.code, donorId, donorCode: b.donorCode, stationId: station.id };
  });

  const inserted = await registerBikes(
    manager,
    placed.map((b) => ({ code: b.code, donorId: b.donorId, state: 'available', stationId: b.stationId })),
    null,
    now,
    'seed',
  );

  created.bikes += placed.length;
  created.bikeEvents += inserted.length;
  for (const b of placed) created.bikesByDonor[b.donorCode] = (created.bikesByDonor[b.donorCode] ?? 0) + 1;
}

async function seedStaff(
  manager: EntityManager,
  stations: Map<string, StationRow>,
  password: string,
  created: SeedSummary['created'],
): Promise<{ byEmail: Map<string, string>; created: Set<string> }> {
  const emails = DEMO_STAFF.map((s) => s.email);
  const existing = new Set(
    (
      await manager.query<Array<{ email: string }>>('SELECT email FROM staff_users WHERE email = ANY($1)', [emails])
    ).map((r) => r.email),
  );
  const missing = DEMO_STAFF.filter((s) => !existing.has(s.email));
  await createStaffAccounts(
    manager,
    missing.map((s) => ({
      email: s.email,
      fullName: s.fullName,
      password,
      role: s.role,
      homeStationId: s.homeStationCode ? (stations.get(s.homeStationCode)?.id ?? null) : null,
      allStations: s.allStations,
    })),
  );
  created.staff += missing.length;
  const rows = await manager.query<Array<{ id: string; email: string }>>(
    'SELECT id, email FROM staff_users WHERE email = ANY($1)',
    [emails],
  );
  return { byEmail: new Map(rows.map((r) => [r.email, r.id])), created: new Set(missing.map((s) => s.email)) };
}

async function seedRiders(
  manager: EntityManager,
  stations: Map<string, StationRow>,
  staff: { byEmail: Map<string, string> },
  termsVersion: string,
  now: Date,
  created: SeedSummary['created'],
): Promise<void> {
  const riders = demoRiders(now);
  const existing = new Set(
    (
      await manager.query<Array<{ key: string }>>(
        `SELECT document_type || ':' || document_number AS key FROM riders
          WHERE (document_type, document_number) IN (SELECT * FROM unnest($1::varchar[], $2::varchar[]))`,
        [riders.map((r) => r.documentType), riders.map((r) => r.documentNumber)],
      )
    ).map((r) => r.key),
  );
  const missing = riders.filter((r) => !existing.has(`${r.documentType}:${r.documentNumber}`));
  if (missing.length === 0) return;
  await createRiders(
    manager,
    missing.map((r) => {
      const station = r.verifiedAtStationCode ? stations.get(r.verifiedAtStationCode) : undefined;
      const verifier = r.verifiedAtStationCode
        ? (staff.byEmail.get(`operador.${r.verifiedAtStationCode.toLowerCase()}@metrobici.local`) ?? null)
        : null;
      return {
        documentType: r.documentType,
        documentNumber: r.documentNumber,
        firstName: r.firstName,
        lastName: r.lastName,
        birthDate: r.birthDate,
        gender: r.gender,
        phone: r.phone,
        email: r.email,
        guardian: r.guardian ?? null,
        consent: { acceptedAt: now, termsVersion },
        status: r.status,
        verification: r.status !== 'pending' ? { at: now, by: verifier, stationId: station?.id ?? null } : null,
      };
    }),
  );
  created.riders += missing.length;
}

async function readTotals(manager: EntityManager): Promise<SeedSummary['totals']> {
  const [counts] = await manager.query<Array<Record<string, string>>>(
    `SELECT (SELECT count(*) FROM stations WHERE kind = 'station') AS stations,
            (SELECT count(*) FROM stations WHERE kind = 'depot') AS depots,
            (SELECT count(*) FROM bikes b JOIN stations s ON s.id = b.station_id WHERE s.kind = 'station') AS bikes_at_stations,
            (SELECT count(*) FROM bikes b JOIN stations s ON s.id = b.station_id WHERE s.kind = 'depot') AS bikes_in_depots,
            (SELECT coalesce(sum(helmets_available), 0) FROM stations WHERE kind = 'station') AS helmets,
            (SELECT count(*) FROM staff_users) AS staff,
            (SELECT count(*) FROM riders) AS riders`,
  );
  const byDonor = await manager.query<Array<{ code: string; name: string; bikes: string }>>(
    `SELECT d.code, d.name, count(b.id) AS bikes FROM donors d LEFT JOIN bikes b ON b.donor_id = d.id GROUP BY d.id ORDER BY d.code`,
  );
  const demoChoice = new Set(DEMO_DONORS.filter((d) => d.countIsDemoChoice).map((d) => d.code));
  return {
    stations: Number(counts.stations),
    depots: Number(counts.depots),
    bikesByDonor: byDonor.map((d) => ({
      code: d.code,
      name: d.name,
      bikes: Number(d.bikes),
      countIsDemoChoice: demoChoice.has(d.code),
    })),
    bikesAtStations: Number(counts.bikes_at_stations),
    bikesInDepots: Number(counts.bikes_in_depots),
    helmetsAtStations: Number(counts.helmets),
    staff: Number(counts.staff),
    riders: Number(counts.riders),
  };
}

/** Stations whose counters differ from the bikes actually in their rack. */
export async function findCounterMismatches(manager: EntityManager): Promise<string[]> {
  const rows = await manager.query<
    Array<{ code: string; bikes_docked: number; bikes_available: number; docked: string; available: string }>
  >(
    `SELECT s.code, s.bikes_docked, s.bikes_available, count(b.id) AS docked, count(b.id) FILTER (WHERE b.state = 'available') AS available
       FROM stations s LEFT JOIN bikes b ON b.station_id = s.id
      GROUP BY s.id
     HAVING s.bikes_docked <> count(b.id) OR s.bikes_available <> count(b.id) FILTER (WHERE b.state = 'available')
      ORDER BY s.code`,
  );
  return rows.map(
    (r) =>
      `${r.code}: counters say ${r.bikes_docked} docked / ${r.bikes_available} available, bikes table says ${r.docked} / ${r.available}`,
  );
}
