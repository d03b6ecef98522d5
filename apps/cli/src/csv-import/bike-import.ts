import type { EntityManager } from 'typeorm';
import { createDonors, registerBikes, renameDonor } from '@metrobici/fleet';
import { checkedRows, checkFirstOccurrence, STATION_CODE, STATION_CODE_RULE } from './csv-table';
import type { Context, ImportFile, ImportIssue, ImportReport } from './import.types';
import type { StationPlan } from './station-import';

// The bikes file (with its donors): reading, checking, and writing through @metrobici/fleet.

export const BIKE_COLUMNS = { required: ['code', 'donor_code', 'donor_name', 'station_code'], optional: ['state'] };
const IMPORTABLE_BIKE_STATES = ['available', 'maintenance', 'retired'] as const;
type ImportedBikeState = (typeof IMPORTABLE_BIKE_STATES)[number];
const BIKE_CODE = /^[A-Z0-9-]{2,32}$/;
const DONOR_CODE = /^[a-z0-9_-]{2,32}$/;

export interface BikeRow {
  line: number;
  code: string;
  donorCode: string;
  donorName: string;
  stationCode: string | null;
  state: ImportedBikeState;
}

export function readBikes(file: ImportFile, issues: ImportIssue[]): BikeRow[] {
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

/** The donors and bikes the file names, as the database has them. */
export async function loadFleet(manager: EntityManager, bikes: BikeRow[]): Promise<Pick<Context, 'donors' | 'bikes'>> {
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
  return {
    donors: new Map(donorRows.map((d) => [d.code, { id: d.id, name: d.name }])),
    bikes: new Map(
      bikeRows.map((b) => [b.code, { donorCode: b.donor_code, stationCode: b.station_code, state: b.state }]),
    ),
  };
}

export interface BikePlan {
  donorsToCreate: Array<{ code: string; name: string }>;
  donorsToRename: Array<{ id: string; name: string }>;
  create: BikeRow[];
}

export function planBikes(
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

export async function applyBikes(
  manager: EntityManager,
  plan: BikePlan,
  ctx: Context,
  now: Date,
  file: string,
  report: ImportReport,
): Promise<void> {
  await createDonors(manager, plan.donorsToCreate);
  report.donors.created += plan.donorsToCreate.length;
  for (const d of plan.donorsToRename) {
    await renameDonor(manager, d.id, d.name);
    report.donors.renamed++;
  }
  if (plan.create.length === 0) return;
  const donorRows = await manager.query<Array<{ id: string; code: string }>>(
    'SELECT id, code FROM donors WHERE code = ANY($1)',
    [[...new Set(plan.create.map((b) => b.donorCode))]],
  );
  const donorIds = new Map(donorRows.map((d) => [d.code, d.id]));
  // One `registered` log row per bike and the racks' counters come with it (fleet and stations).
  const registered = await registerBikes(
    manager,
    plan.create.map((b) => ({
      code: b.code,
      donorId: donorIds.get(b.donorCode) as string,
      state: b.state,
      stationId: b.stationCode ? (ctx.stations.get(b.stationCode)?.id as string) : null,
    })),
    null,
    now,
    `import (${file})`,
  );
  report.bikes.created += registered.length;
}
