import { randomBytes } from 'node:crypto';
import type { DataSource, EntityManager } from 'typeorm';
import type { StaffRole } from '@metrobici/common';
import { DonorEntity } from '@metrobici/fleet';
import { hashPassword, StaffUserEntity, verifyPassword } from '@metrobici/staff';
import { changeStationCounts, StationEntity, touchStation } from '@metrobici/stations';
import { lockCatalogue } from '../seed/seed';
import { CsvSyntaxError, detectDelimiter, parseCsv, type CsvRecord } from './csv';

/**
 * Loads the real station list, fleet and staff from CSV files (see docs/import-examples/).
 * Every row of every file is checked first, against the files and the database; any problem
 * aborts the whole import with all problems listed by file and line, and nothing is written.
 * Rows are matched by natural key (station code, donor code, bike code, staff e-mail), so
 * importing the same files again changes nothing.
 */

export type ImportKind = 'stations' | 'bikes' | 'staff';

export interface ImportFile {
  /** Shown in messages, e.g. `stations.csv`. */
  name: string;
  text: string;
}

export type ImportFiles = Partial<Record<ImportKind, ImportFile>>;

export interface ImportIssue {
  file: string;
  line: number;
  message: string;
}

export class ImportValidationError extends Error {
  constructor(readonly issues: ImportIssue[]) {
    super(`${issues.length} problem(s) found; nothing was imported`);
    this.name = 'ImportValidationError';
  }
}

export interface ImportOptions {
  /** Check everything and report what would change, then roll back. */
  dryRun?: boolean;
  now?: Date;
}

export interface ImportReport {
  dryRun: boolean;
  stations: { created: number; updated: number; unchanged: number };
  donors: { created: number; renamed: number };
  bikes: { created: number; unchanged: number };
  staff: { created: number; updated: number; unchanged: number };
  /** Passwords generated for new accounts whose row had none: shown once, never stored in clear. */
  generatedPasswords: Array<{ email: string; password: string }>;
  /** Things worth knowing that did not stop the import. */
  notes: string[];
}

export const STATION_COLUMNS = {
  required: ['code', 'name', 'address', 'lat', 'lon', 'capacity'],
  optional: ['kind', 'near_metrolinea', 'helmets'],
};
export const BIKE_COLUMNS = { required: ['code', 'donor_code', 'donor_name', 'station_code'], optional: ['state'] };
export const STAFF_COLUMNS = {
  required: ['email', 'role'],
  optional: ['full_name', 'home_station_code', 'all_stations', 'password'],
};

// The Área Metropolitana de Bucaramanga (Bucaramanga, Floridablanca, Girón, Piedecuesta), with a
// margin: a point outside is almost always a typo or latitude and longitude swapped.
const AREA = { minLat: 6.85, maxLat: 7.3, minLon: -73.3, maxLon: -72.95 };
const IMPORTABLE_BIKE_STATES = ['available', 'maintenance', 'retired'] as const;
type ImportedBikeState = (typeof IMPORTABLE_BIKE_STATES)[number];
const ROLES: readonly StaffRole[] = ['admin', 'operator', 'planner'];
const MIN_PASSWORD_LENGTH = 10;

interface StationRow {
  line: number;
  code: string;
  name: string;
  address: string;
  lat: number;
  lon: number;
  capacity: number;
  /** Undefined when the column is absent or empty: default on create, unchanged on update. */
  kind?: 'station' | 'depot';
  nearMetrolinea?: boolean;
  helmets?: number;
}

interface BikeRow {
  line: number;
  code: string;
  donorCode: string;
  donorName: string;
  stationCode: string | null;
  state: ImportedBikeState;
}

interface StaffRow {
  line: number;
  email: string;
  role: StaffRole;
  fullName?: string;
  homeStationCode: string | null;
  allStations: boolean;
  password?: string;
}

class DryRunRollback extends Error {
  constructor(readonly report: ImportReport) {
    super('dry run');
  }
}

export async function importCsvFiles(
  dataSource: DataSource,
  files: ImportFiles,
  options: ImportOptions = {},
): Promise<ImportReport> {
  const issues: ImportIssue[] = [];
  // Codes of station rows that failed their own checks: other files may name them without a
  // second, misleading "does not exist" error.
  const brokenStations = new Set<string>();
  const stations = files.stations ? readStations(files.stations, issues, brokenStations) : [];
  const bikes = files.bikes ? readBikes(files.bikes, issues) : [];
  const staff = files.staff ? readStaff(files.staff, issues) : [];
  const names = {
    stations: files.stations?.name ?? '',
    bikes: files.bikes?.name ?? '',
    staff: files.staff?.name ?? '',
  };
  const now = options.now ?? new Date();

  try {
    return await dataSource.transaction(async (manager) => {
      await lockCatalogue(manager);
      const report: ImportReport = {
        dryRun: options.dryRun ?? false,
        stations: { created: 0, updated: 0, unchanged: 0 },
        donors: { created: 0, renamed: 0 },
        bikes: { created: 0, unchanged: 0 },
        staff: { created: 0, updated: 0, unchanged: 0 },
        generatedPasswords: [],
        notes: [],
      };
      const ctx = await loadContext(manager, stations, bikes, staff);
      const stationPlan = planStations(stations, brokenStations, ctx, names.stations, issues, report);
      const bikePlan = planBikes(bikes, ctx, stationPlan, names.bikes, issues, report);
      const staffPlan = await planStaff(staff, ctx, stationPlan, names.staff, issues, report);
      if (issues.length > 0)
        throw new ImportValidationError(sortIssues(issues, [names.stations, names.bikes, names.staff]));

      await applyStations(manager, stationPlan, ctx, report);
      await applyBikes(manager, bikePlan, ctx, now, names.bikes, report);
      await applyStaff(manager, staffPlan, ctx, report);
      if (report.dryRun) throw new DryRunRollback(report);
      return report;
    });
  } catch (error) {
    if (error instanceof DryRunRollback) return error.report;
    throw error;
  }
}

// ---------------------------------------------------------------------------------------------
// Reading and checking each file on its own (no database).

interface Table {
  rows: Array<{ line: number; cell(column: string): string | undefined }>;
}

function readTable(
  file: ImportFile,
  columns: { required: string[]; optional: string[] },
  issues: ImportIssue[],
): Table | null {
  const issue = (line: number, message: string) => issues.push({ file: file.name, line, message });
  let records: CsvRecord[];
  try {
    records = parseCsv(file.text, { delimiter: detectDelimiter(file.text) });
  } catch (error) {
    if (error instanceof CsvSyntaxError) {
      issue(error.line, `CSV syntax: ${error.message}`);
      return null;
    }
    throw error;
  }
  if (records.length === 0) {
    issue(1, `the file is empty; the first line must name the columns: ${columns.required.join(',')}`);
    return null;
  }
  const [header, ...data] = records;
  const known = [...columns.required, ...columns.optional];
  const index = new Map<string, number>();
  let headerOk = true;
  header.fields.forEach((raw, i) => {
    const name = raw.trim().toLowerCase();
    if (!known.includes(name)) {
      issue(
        header.line,
        `unknown column "${raw}" (expected ${columns.required.join(',')}${columns.optional.length ? ` and optionally ${columns.optional.join(',')}` : ''})`,
      );
      headerOk = false;
    } else if (index.has(name)) {
      issue(header.line, `column "${name}" appears twice`);
      headerOk = false;
    } else {
      index.set(name, i);
    }
  });
  for (const name of columns.required) {
    if (!index.has(name)) {
      issue(header.line, `missing column "${name}"`);
      headerOk = false;
    }
  }
  if (!headerOk) return null;
  const rows: Table['rows'] = [];
  for (const record of data) {
    if (record.fields.length !== header.fields.length) {
      issue(
        record.line,
        `expected ${header.fields.length} fields as in the header, found ${record.fields.length} (a comma inside a value needs "quotes")`,
      );
      continue;
    }
    rows.push({
      line: record.line,
      cell: (column) => {
        const i = index.get(column);
        return i === undefined ? undefined : record.fields[i].trim();
      },
    });
  }
  return { rows };
}

/** Collects the problems of one row, so every row reports all of them at once. */
class RowCheck {
  ok = true;
  constructor(
    private readonly file: string,
    readonly line: number,
    private readonly issues: ImportIssue[],
  ) {}

  fail(message: string): undefined {
    this.ok = false;
    this.issues.push({ file: this.file, line: this.line, message });
    return undefined;
  }

  text(
    column: string,
    value: string | undefined,
    opts: { required?: boolean; min?: number; max: number },
  ): string | undefined {
    const v = value ?? '';
    if (v === '') return opts.required ? this.fail(`${column} is required`) : '';
    if (v.length < (opts.min ?? 0)) return this.fail(`${column} must have at least ${opts.min} characters`);
    if (v.length > opts.max) return this.fail(`${column} is longer than ${opts.max} characters`);
    return v;
  }

  number(column: string, value: string | undefined, min: number, max: number): number | undefined {
    const v = (value ?? '').replace(/^(-?\d+),(\d+)$/, '$1.$2');
    if (v === '') return this.fail(`${column} is required`);
    if (!/^-?\d+(\.\d+)?$/.test(v))
      return this.fail(`${column} "${value}" is not a number (use a dot for decimals, e.g. 7.1189)`);
    const n = Number(v);
    if (n < min || n > max) return this.fail(`${column} ${value} is outside ${min}..${max}`);
    return n;
  }

  integer(column: string, value: string | undefined, min: number, max: number, optional = false): number | undefined {
    const v = value ?? '';
    if (v === '') return optional ? undefined : this.fail(`${column} is required`);
    if (!/^\d+$/.test(v)) return this.fail(`${column} "${value}" is not a whole number`);
    const n = Number(v);
    if (n < min || n > max) return this.fail(`${column} ${value} is outside ${min}..${max}`);
    return n;
  }

  boolean(column: string, value: string | undefined): boolean | undefined {
    const v = (value ?? '').toLowerCase();
    if (v === '') return undefined;
    if (['true', '1', 'yes', 'y', 'si', 'sí', 's', 'x'].includes(v)) return true;
    if (['false', '0', 'no', 'n'].includes(v)) return false;
    return this.fail(`${column} "${value}" is not true/false (also accepted: 1/0, sí/no, yes/no)`);
  }

  code(column: string, value: string | undefined, pattern: RegExp, rule: string, required = true): string | undefined {
    const v = value ?? '';
    if (v === '') return required ? this.fail(`${column} is required`) : undefined;
    if (!pattern.test(v)) return this.fail(`${column} "${value}" must be ${rule}`);
    return v;
  }
}

/** The data rows of a file, each with the check that collects its problems; none when the file itself is unusable. */
function checkedRows(
  file: ImportFile,
  columns: { required: string[]; optional: string[] },
  issues: ImportIssue[],
): Array<{ r: Table['rows'][number]; c: RowCheck }> {
  const table = readTable(file, columns, issues);
  return table ? table.rows.map((r) => ({ r, c: new RowCheck(file.name, r.line, issues) })) : [];
}

/** Fails a row whose natural key (`label` in the message) already stood on an earlier line of the file. */
function checkFirstOccurrence(c: RowCheck, seen: Map<string, number>, key: string | undefined, label: string): void {
  if (key === undefined) return;
  const first = seen.get(key);
  if (first !== undefined) c.fail(`${label} appears twice (first on line ${first})`);
  else seen.set(key, c.line);
}

const STATION_CODE = /^[A-Z0-9-]{2,32}$/;
const STATION_CODE_RULE = '2-32 letters, digits or dashes';
const BIKE_CODE = /^[A-Z0-9-]{2,32}$/;
const DONOR_CODE = /^[a-z0-9_-]{2,32}$/;

function readStations(file: ImportFile, issues: ImportIssue[], broken: Set<string>): StationRow[] {
  const out: StationRow[] = [];
  const seen = new Map<string, number>();
  for (const { r, c } of checkedRows(file, STATION_COLUMNS, issues)) {
    const code = c.code('code', r.cell('code')?.toUpperCase(), STATION_CODE, STATION_CODE_RULE);
    const name = c.text('name', r.cell('name'), { required: true, min: 2, max: 120 });
    const address = c.text('address', r.cell('address'), { max: 200 });
    const lat = c.number('lat', r.cell('lat'), -90, 90);
    const lon = c.number('lon', r.cell('lon'), -180, 180);
    if (
      lat !== undefined &&
      lon !== undefined &&
      (lat < AREA.minLat || lat > AREA.maxLat || lon < AREA.minLon || lon > AREA.maxLon)
    ) {
      c.fail(
        `lat ${lat}, lon ${lon} is outside the Bucaramanga metropolitan area (latitude about 7.1, longitude about -73.1: swapped?)`,
      );
    }
    const capacity = c.integer('capacity', r.cell('capacity'), 1, 500);
    const kindText = (r.cell('kind') ?? '').toLowerCase();
    let kind: StationRow['kind'];
    if (kindText === 'station' || kindText === 'depot') kind = kindText;
    else if (kindText !== '') c.fail(`kind "${r.cell('kind')}" must be station or depot`);
    const nearMetrolinea = c.boolean('near_metrolinea', r.cell('near_metrolinea'));
    const helmets = c.integer('helmets', r.cell('helmets'), 0, 1000, true);
    checkFirstOccurrence(c, seen, code, `station ${code}`);
    if (
      c.ok &&
      code &&
      name !== undefined &&
      address !== undefined &&
      lat !== undefined &&
      lon !== undefined &&
      capacity !== undefined
    ) {
      out.push({ line: r.line, code, name, address, lat, lon, capacity, kind, nearMetrolinea, helmets });
    } else if (code) {
      broken.add(code);
    }
  }
  // A repeated code is reported on its repeat; the first, valid row still stands.
  for (const row of out) broken.delete(row.code);
  return out;
}

function readBikes(file: ImportFile, issues: ImportIssue[]): BikeRow[] {
  const out: BikeRow[] = [];
  const seen = new Map<string, number>();
  for (const { r, c } of checkedRows(file, BIKE_COLUMNS, issues)) {
    const code = c.code('code', r.cell('code')?.toUpperCase(), BIKE_CODE, STATION_CODE_RULE);
    const donorCode = c.code(
      'donor_code',
      r.cell('donor_code')?.toLowerCase(),
      DONOR_CODE,
      '2-32 letters, digits, dashes or underscores',
    );
    const donorName = c.text('donor_name', r.cell('donor_name'), { max: 120 });
    const stateText = (r.cell('state') ?? '').toLowerCase() || 'available';
    const state = (IMPORTABLE_BIKE_STATES as readonly string[]).includes(stateText)
      ? (stateText as ImportedBikeState)
      : c.fail(
          `state "${r.cell('state')}" must be available, maintenance or retired (other states come from operations)`,
        );
    const stationCell = r.cell('station_code')?.toUpperCase() ?? '';
    const stationCode = c.code('station_code', stationCell, STATION_CODE, STATION_CODE_RULE, false) ?? null;
    if (state && state !== 'retired' && stationCell === '')
      c.fail(`station_code is required for a bike that is ${state}`);
    if (state === 'retired' && stationCell !== '') c.fail('a retired bike has no station: leave station_code empty');
    checkFirstOccurrence(c, seen, code, `bike ${code}`);
    if (c.ok && code && donorCode && donorName !== undefined && state) {
      out.push({ line: r.line, code, donorCode, donorName, stationCode, state });
    }
  }
  return out;
}

function readStaff(file: ImportFile, issues: ImportIssue[]): StaffRow[] {
  const out: StaffRow[] = [];
  const seen = new Map<string, number>();
  for (const { r, c } of checkedRows(file, STAFF_COLUMNS, issues)) {
    const email = c.code('email', r.cell('email')?.toLowerCase(), /^[^\s@,;]+@[^\s@,;]+$/, 'an e-mail address');
    if (email && email.length > 254) c.fail('email is longer than 254 characters');
    const roleText = (r.cell('role') ?? '').toLowerCase();
    const role = (ROLES as readonly string[]).includes(roleText)
      ? (roleText as StaffRole)
      : c.fail(`role "${r.cell('role') ?? ''}" must be admin, operator or planner`);
    const fullNameCell = r.cell('full_name');
    const fullName = fullNameCell ? c.text('full_name', fullNameCell, { max: 120 }) : undefined;
    const homeStationCode =
      c.code('home_station_code', r.cell('home_station_code')?.toUpperCase(), STATION_CODE, STATION_CODE_RULE, false) ??
      null;
    const allStations = c.boolean('all_stations', r.cell('all_stations')) ?? false;
    const passwordCell = r.cell('password');
    let password: string | undefined;
    if (passwordCell) {
      if (passwordCell.length < MIN_PASSWORD_LENGTH)
        c.fail(`password must have at least ${MIN_PASSWORD_LENGTH} characters (or leave it empty to get a random one)`);
      else if (passwordCell.length > 200) c.fail('password is longer than 200 characters');
      else password = passwordCell;
    }
    if (role === 'operator' && !homeStationCode && !allStations)
      c.fail('an operator needs home_station_code or all_stations=true');
    checkFirstOccurrence(c, seen, email, email ?? '');
    if (c.ok && email && role)
      out.push({ line: r.line, email, role, fullName, homeStationCode, allStations, password });
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Checking against the database, and planning the writes.

interface DbStation {
  id: string;
  code: string;
  name: string;
  address: string;
  lat: number;
  lon: number;
  capacity: number;
  kind: 'station' | 'depot';
  nearMetrolinea: boolean;
  helmetsAvailable: number;
  bikesDocked: number;
}

/** A stations row as the context query selects it and the insert returns it. */
function toDbStation(r: Record<string, unknown>): DbStation {
  return {
    id: r.id as string,
    code: r.code as string,
    name: r.name as string,
    address: r.address as string,
    lat: Number(r.lat),
    lon: Number(r.lon),
    capacity: Number(r.capacity),
    kind: r.kind as 'station' | 'depot',
    nearMetrolinea: r.near_metrolinea as boolean,
    helmetsAvailable: Number(r.helmets_available),
    bikesDocked: Number(r.bikes_docked),
  };
}

interface Context {
  stations: Map<string, DbStation>;
  donors: Map<string, { id: string; name: string }>;
  bikes: Map<string, { donorCode: string; stationCode: string | null; state: string }>;
  staff: Map<string, StaffUserEntity>;
}

async function loadContext(
  manager: EntityManager,
  stations: StationRow[],
  bikes: BikeRow[],
  staff: StaffRow[],
): Promise<Context> {
  const stationCodes = [
    ...new Set([
      ...stations.map((s) => s.code),
      ...bikes.flatMap((b) => (b.stationCode ? [b.stationCode] : [])),
      ...staff.flatMap((s) => (s.homeStationCode ? [s.homeStationCode] : [])),
    ]),
  ];
  // Locked (in code order, like every multi-station writer) so capacities and counts read here hold.
  const stationRows = await manager.query<Array<Record<string, unknown>>>(
    `SELECT id, code, name, address, lat, lon, capacity, kind, near_metrolinea, helmets_available, bikes_docked
       FROM stations WHERE code = ANY($1) ORDER BY code FOR UPDATE`,
    [stationCodes],
  );
  const donorRows = await manager.query<Array<{ id: string; code: string; name: string }>>(
    'SELECT id, code, name FROM donors WHERE code = ANY($1)',
    [[...new Set(bikes.map((b) => b.donorCode))]],
  );
  const bikeRows = await manager.query<
    Array<{ code: string; donor_code: string; station_code: string | null; state: string }>
  >(
    `SELECT b.code, d.code AS donor_code, s.code AS station_code, b.state
       FROM bikes b JOIN donors d ON d.id = b.donor_id LEFT JOIN stations s ON s.id = b.station_id
      WHERE b.code = ANY($1)`,
    [bikes.map((b) => b.code)],
  );
  const staffRows = staff.length
    ? await manager
        .getRepository(StaffUserEntity)
        .createQueryBuilder('u')
        .where('u.email IN (:...emails)', { emails: staff.map((s) => s.email) })
        .getMany()
    : [];
  return {
    stations: new Map(stationRows.map((r) => [r.code as string, toDbStation(r)])),
    donors: new Map(donorRows.map((d) => [d.code, { id: d.id, name: d.name }])),
    bikes: new Map(
      bikeRows.map((b) => [b.code, { donorCode: b.donor_code, stationCode: b.station_code, state: b.state }]),
    ),
    staff: new Map(staffRows.map((u) => [u.email, u])),
  };
}

interface StationPlan {
  create: StationRow[];
  update: Array<{ id: string; code: string; patch: Partial<StationEntity> }>;
  /** Capacity a station will have after the import (file first, then database); undefined if unknown. */
  capacityOf(code: string): number | undefined;
  /** In the database, in the stations file, or in a station row that already failed its checks. */
  exists(code: string): boolean;
}

function planStations(
  rows: StationRow[],
  broken: Set<string>,
  ctx: Context,
  file: string,
  issues: ImportIssue[],
  report: ImportReport,
): StationPlan {
  const plan: StationPlan = {
    create: [],
    update: [],
    capacityOf: (code) =>
      broken.has(code) ? undefined : (byCode.get(code)?.capacity ?? ctx.stations.get(code)?.capacity),
    exists: (code) => byCode.has(code) || ctx.stations.has(code) || broken.has(code),
  };
  const byCode = new Map(rows.map((r) => [r.code, r]));
  for (const row of rows) {
    const existing = ctx.stations.get(row.code);
    if (!existing) {
      plan.create.push(row);
      continue;
    }
    if (row.kind && row.kind !== existing.kind) {
      issues.push({
        file,
        line: row.line,
        message: `station ${row.code} is a ${existing.kind} and cannot become a ${row.kind} by import`,
      });
      broken.add(row.code);
      continue;
    }
    if (row.capacity < existing.bikesDocked) {
      issues.push({
        file,
        line: row.line,
        message: `capacity ${row.capacity} is below the ${existing.bikesDocked} bikes now in the rack of ${row.code}`,
      });
      broken.add(row.code);
      continue;
    }
    const patch: Partial<StationEntity> = {};
    if (row.name !== existing.name) patch.name = row.name;
    if (row.address !== existing.address) patch.address = row.address;
    if (row.lat !== existing.lat) patch.lat = row.lat;
    if (row.lon !== existing.lon) patch.lon = row.lon;
    if (row.capacity !== existing.capacity) patch.capacity = row.capacity;
    if (row.nearMetrolinea !== undefined && row.nearMetrolinea !== existing.nearMetrolinea)
      patch.nearMetrolinea = row.nearMetrolinea;
    if (row.helmets !== undefined && row.helmets !== existing.helmetsAvailable) {
      report.notes.push(
        `${file}:${row.line}: helmets ignored for existing station ${row.code} (${existing.helmetsAvailable} now; it is a live counter, change it from the admin screen)`,
      );
    }
    if (Object.keys(patch).length > 0) plan.update.push({ id: existing.id, code: row.code, patch });
    else report.stations.unchanged++;
  }
  return plan;
}

interface BikePlan {
  donorsToCreate: Array<{ code: string; name: string }>;
  donorsToRename: Array<{ id: string; name: string }>;
  create: BikeRow[];
}

function planBikes(
  rows: BikeRow[],
  ctx: Context,
  stations: StationPlan,
  file: string,
  issues: ImportIssue[],
  report: ImportReport,
): BikePlan {
  const plan: BikePlan = { donorsToCreate: [], donorsToRename: [], create: [] };
  const issue = (line: number, message: string) => issues.push({ file, line, message });

  // Donors: one name per donor code in the file; a new donor needs one.
  const donorName = new Map<string, { name: string; line: number }>();
  for (const row of rows) {
    if (row.donorName === '') continue;
    const first = donorName.get(row.donorCode);
    if (!first) donorName.set(row.donorCode, { name: row.donorName, line: row.line });
    else if (first.name !== row.donorName)
      issue(
        row.line,
        `donor ${row.donorCode} is named "${first.name}" on line ${first.line} and "${row.donorName}" here`,
      );
  }
  for (const code of new Set(rows.map((r) => r.donorCode))) {
    const existing = ctx.donors.get(code);
    const named = donorName.get(code);
    if (!existing && !named)
      issue(rows.find((r) => r.donorCode === code)?.line ?? 1, `donor ${code} is new: donor_name is required`);
    else if (!existing && named) plan.donorsToCreate.push({ code, name: named.name });
    else if (existing && named && named.name !== existing.name)
      plan.donorsToRename.push({ id: existing.id, name: named.name });
  }

  const newAt = new Map<string, BikeRow[]>();
  let leftAsTheyAre = 0;
  for (const row of rows) {
    const existing = ctx.bikes.get(row.code);
    if (existing) {
      if (existing.donorCode !== row.donorCode) {
        issue(
          row.line,
          `bike ${row.code} already exists, given by ${existing.donorCode}: a bike's donor cannot change`,
        );
      } else {
        report.bikes.unchanged++;
        if (existing.state !== row.state || existing.stationCode !== row.stationCode) leftAsTheyAre++;
      }
      continue;
    }
    if (row.stationCode) {
      if (!stations.exists(row.stationCode)) {
        issue(row.line, `station ${row.stationCode} does not exist (neither in the database nor in the stations file)`);
        continue;
      }
      newAt.set(row.stationCode, [...(newAt.get(row.stationCode) ?? []), row]);
    }
    plan.create.push(row);
  }
  if (leftAsTheyAre > 0) {
    report.notes.push(
      `${file}: ${leftAsTheyAre} existing bike(s) are somewhere else or in another state than the file says; they were left as they are (import never moves bikes: use operations or rebalancing)`,
    );
  }

  for (const [code, placed] of newAt) {
    const capacity = stations.capacityOf(code);
    if (capacity === undefined) continue; // its stations row is already reported
    const docked = ctx.stations.get(code)?.bikesDocked ?? 0;
    const free = capacity - docked;
    if (placed.length > free) {
      const overflow = placed.slice(Math.max(free, 0));
      issue(
        overflow[0].line,
        `station ${code} has ${Math.max(free, 0)} free space(s) (capacity ${capacity}, ${docked} bikes there) but the file places ${placed.length} new bikes there; ` +
          `${overflow.length} do not fit (line${overflow.length > 1 ? 's' : ''} ${overflow.map((r) => r.line).join(', ')})`,
      );
    }
  }
  return plan;
}

interface StaffPlan {
  create: StaffRow[];
  update: Array<{
    id: string;
    patch: Partial<Pick<StaffUserEntity, 'role' | 'fullName' | 'allStations'>>;
    /** Set when the home station changes; a code, since stations this import creates have no id yet. */
    homeStationCode?: string | null;
    password?: string;
  }>;
}

async function planStaff(
  rows: StaffRow[],
  ctx: Context,
  stations: StationPlan,
  file: string,
  issues: ImportIssue[],
  report: ImportReport,
): Promise<StaffPlan> {
  const plan: StaffPlan = { create: [], update: [] };
  for (const row of rows) {
    if (row.homeStationCode && !stations.exists(row.homeStationCode)) {
      issues.push({
        file,
        line: row.line,
        message: `home station ${row.homeStationCode} does not exist (neither in the database nor in the stations file)`,
      });
      continue;
    }
    const existing = ctx.staff.get(row.email);
    if (!existing) {
      plan.create.push(row);
      continue;
    }
    const patch: StaffPlan['update'][number]['patch'] = {};
    if (row.role !== existing.role) patch.role = row.role;
    if (row.fullName !== undefined && row.fullName !== existing.fullName) patch.fullName = row.fullName;
    if (row.allStations !== existing.allStations) patch.allStations = row.allStations;
    // The row's home station is in the context (it was loaded for the check above); a current home
    // that is not there differs from it by definition.
    const homeNow = row.homeStationCode ? ctx.stations.get(row.homeStationCode)?.id : null;
    const homeChanged = homeNow === undefined || homeNow !== existing.homeStationId;
    // A password equal to the current one (re-running the same file) is not a change.
    const passwordChanged = row.password !== undefined && !(await verifyPassword(existing.passwordHash, row.password));
    if (Object.keys(patch).length === 0 && !homeChanged && !passwordChanged) {
      report.staff.unchanged++;
      continue;
    }
    plan.update.push({
      id: existing.id,
      patch,
      ...(homeChanged ? { homeStationCode: row.homeStationCode } : {}),
      ...(passwordChanged ? { password: row.password } : {}),
    });
  }
  return plan;
}

// ---------------------------------------------------------------------------------------------
// Writing (only after every check passed).

async function applyStations(
  manager: EntityManager,
  plan: StationPlan,
  ctx: Context,
  report: ImportReport,
): Promise<void> {
  if (plan.create.length > 0) {
    const inserted = await manager.query<Array<Record<string, unknown>>>(
      `INSERT INTO stations (code, name, address, lat, lon, capacity, kind, near_metrolinea, helmets_available)
       SELECT * FROM unnest($1::varchar[], $2::varchar[], $3::varchar[], $4::float8[], $5::float8[], $6::int[], $7::varchar[], $8::boolean[], $9::int[])
       RETURNING id, code, name, address, lat, lon, capacity, kind, near_metrolinea, helmets_available, bikes_docked`,
      [
        plan.create.map((s) => s.code),
        plan.create.map((s) => s.name),
        plan.create.map((s) => s.address),
        plan.create.map((s) => s.lat),
        plan.create.map((s) => s.lon),
        plan.create.map((s) => s.capacity),
        plan.create.map((s) => s.kind ?? 'station'),
        plan.create.map((s) => s.nearMetrolinea ?? false),
        plan.create.map((s) => s.helmets ?? 0),
      ],
    );
    for (const r of inserted) ctx.stations.set(r.code as string, toDbStation(r));
    report.stations.created += inserted.length;
  }
  for (const u of plan.update) {
    await manager.update(StationEntity, { id: u.id }, u.patch);
    // Capacity, place or Metrolínea flag changed: publish the station again.
    await touchStation(manager, u.id);
    report.stations.updated++;
  }
}

async function applyBikes(
  manager: EntityManager,
  plan: BikePlan,
  ctx: Context,
  now: Date,
  file: string,
  report: ImportReport,
): Promise<void> {
  if (plan.donorsToCreate.length > 0) {
    await manager.insert(DonorEntity, plan.donorsToCreate);
    report.donors.created += plan.donorsToCreate.length;
  }
  for (const d of plan.donorsToRename) {
    await manager.update(DonorEntity, { id: d.id }, { name: d.name });
    report.donors.renamed++;
  }
  if (plan.create.length === 0) return;
  const donorRows = await manager.query<Array<{ id: string; code: string }>>(
    'SELECT id, code FROM donors WHERE code = ANY($1)',
    [[...new Set(plan.create.map((b) => b.donorCode))]],
  );
  const donorIds = new Map(donorRows.map((d) => [d.code, d.id]));
  const rows = plan.create.map((b) => ({
    ...b,
    donorId: donorIds.get(b.donorCode) as string,
    stationId: b.stationCode ? (ctx.stations.get(b.stationCode)?.id as string) : null,
  }));
  const inserted = await manager.query<Array<{ id: string; state: string; station_id: string | null }>>(
    `INSERT INTO bikes (code, donor_id, state, station_id)
     SELECT * FROM unnest($1::varchar[], $2::uuid[], $3::varchar[], $4::uuid[])
     RETURNING id, state, station_id`,
    [rows.map((b) => b.code), rows.map((b) => b.donorId), rows.map((b) => b.state), rows.map((b) => b.stationId)],
  );
  await manager.query(
    `INSERT INTO bike_events (bike_id, type, from_state, to_state, from_station_id, to_station_id, loan_id, actor_id, reason, occurred_at)
     SELECT bike_id, 'registered', NULL, state, NULL, station_id, NULL, NULL, $4, $5
       FROM unnest($1::uuid[], $2::varchar[], $3::uuid[]) AS t(bike_id, state, station_id)`,
    [
      inserted.map((b) => b.id),
      inserted.map((b) => b.state),
      inserted.map((b) => b.station_id),
      `import (${file})`,
      now,
    ],
  );
  const perStation = new Map<string, { docked: number; available: number }>();
  for (const b of rows) {
    if (!b.stationId) continue;
    const c = perStation.get(b.stationId) ?? { docked: 0, available: 0 };
    c.docked++;
    if (b.state === 'available') c.available++;
    perStation.set(b.stationId, c);
  }
  for (const [stationId, change] of [...perStation].sort(([a], [b]) => a.localeCompare(b))) {
    await changeStationCounts(manager, stationId, change);
  }
  report.bikes.created += inserted.length;
}

async function applyStaff(manager: EntityManager, plan: StaffPlan, ctx: Context, report: ImportReport): Promise<void> {
  const stationId = (code: string | null) => (code ? (ctx.stations.get(code)?.id ?? null) : null);
  if (plan.create.length > 0) {
    const passwords = plan.create.map((s) => s.password ?? randomPassword());
    const hashes = await Promise.all(passwords.map((p) => hashPassword(p)));
    await manager.insert(
      StaffUserEntity,
      plan.create.map((s, i) => ({
        email: s.email,
        fullName: s.fullName ?? '',
        passwordHash: hashes[i],
        role: s.role,
        homeStationId: stationId(s.homeStationCode),
        allStations: s.allStations,
      })),
    );
    plan.create.forEach((s, i) => {
      if (s.password === undefined) report.generatedPasswords.push({ email: s.email, password: passwords[i] });
    });
    report.staff.created += plan.create.length;
  }
  for (const u of plan.update) {
    const patch: Partial<StaffUserEntity> = { ...u.patch };
    if (u.homeStationCode !== undefined) patch.homeStationId = stationId(u.homeStationCode);
    if (u.password !== undefined) patch.passwordHash = await hashPassword(u.password);
    await manager.update(StaffUserEntity, { id: u.id }, patch);
    report.staff.updated++;
  }
}

function randomPassword(): string {
  return randomBytes(12).toString('base64url');
}

/** By file (stations, bikes, staff), then line. */
function sortIssues(issues: ImportIssue[], files: string[]): ImportIssue[] {
  return [...issues].sort((a, b) => files.indexOf(a.file) - files.indexOf(b.file) || a.line - b.line);
}
