import type { EntityManager } from 'typeorm';
import { createStations, type StationDetailsPatch, updateStationDetails } from '@metrobici/stations';
import { checkedRows, checkFirstOccurrence, STATION_CODE, STATION_CODE_RULE } from './csv-table';
import type { Context, DbStation, ImportFile, ImportIssue, ImportReport } from './import.types';

// The stations file: reading, checking against the database, and writing through @metrobici/stations.

export const STATION_COLUMNS = {
  required: ['code', 'name', 'address', 'lat', 'lon', 'capacity'],
  optional: ['kind', 'near_metrolinea', 'helmets'],
};

// The Área Metropolitana de Bucaramanga (Bucaramanga, Floridablanca, Girón, Piedecuesta), with a
// margin: a point outside is almost always a typo or latitude and longitude swapped.
const AREA = { minLat: 6.85, maxLat: 7.3, minLon: -73.3, maxLon: -72.95 };

export interface StationRow {
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

export function readStations(file: ImportFile, issues: ImportIssue[], broken: Set<string>): StationRow[] {
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

/** A stations row as the context query selects it and the insert returns it. */
export function toDbStation(r: Record<string, unknown>): DbStation {
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

/** The stations the files name, locked (in code order, like every multi-station writer) so the
 * capacities and counts read here hold until the import commits. */
export async function loadStations(manager: EntityManager, codes: string[]): Promise<Map<string, DbStation>> {
  const rows = await manager.query<Array<Record<string, unknown>>>(
    `SELECT id, code, name, address, lat, lon, capacity, kind, near_metrolinea, helmets_available, bikes_docked
       FROM stations WHERE code = ANY($1) ORDER BY code FOR UPDATE`,
    [codes],
  );
  return new Map(rows.map((r) => [r.code as string, toDbStation(r)]));
}

export interface StationPlan {
  create: StationRow[];
  update: Array<{ id: string; code: string; patch: StationDetailsPatch }>;
  /** Capacity a station will have after the import (file first, then database); undefined if unknown. */
  capacityOf(code: string): number | undefined;
  /** In the database, in the stations file, or in a station row that already failed its checks. */
  exists(code: string): boolean;
}

export function planStations(
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
    const patch: StationDetailsPatch = {};
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

export async function applyStations(
  manager: EntityManager,
  plan: StationPlan,
  ctx: Context,
  report: ImportReport,
): Promise<void> {
  const created = await createStations(
    manager,
    plan.create.map((s) => ({
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
  // Bikes and staff of the same import refer to these stations by code.
  for (const s of created) ctx.stations.set(s.code, s);
  report.stations.created += created.length;
  for (const u of plan.update) {
    // Capacity, place or Metrolínea flag changed: the stations lib publishes the station again.
    await updateStationDetails(manager, u.id, u.patch);
    report.stations.updated++;
  }
}
