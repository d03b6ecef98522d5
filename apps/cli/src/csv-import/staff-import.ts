import { randomBytes } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import type { StaffRole } from '@metrobici/common';
import { createStaffAccounts, StaffUserEntity, updateStaffAccount, verifyPassword } from '@metrobici/staff';
import { checkedRows, checkFirstOccurrence, STATION_CODE, STATION_CODE_RULE } from './csv-table';
import type { Context, ImportFile, ImportIssue, ImportReport } from './import.types';
import type { StationPlan } from './station-import';

// The staff file: reading, checking, and writing through @metrobici/staff.

export const STAFF_COLUMNS = {
  required: ['email', 'role'],
  optional: ['full_name', 'home_station_code', 'all_stations', 'password'],
};
const ROLES: readonly StaffRole[] = ['admin', 'operator', 'planner'];
const MIN_PASSWORD_LENGTH = 10;

export interface StaffRow {
  line: number;
  email: string;
  role: StaffRole;
  fullName?: string;
  homeStationCode: string | null;
  allStations: boolean;
  password?: string;
}

export function readStaff(file: ImportFile, issues: ImportIssue[]): StaffRow[] {
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

/** The accounts the file names, as the database has them. */
export async function loadStaff(manager: EntityManager, staff: StaffRow[]): Promise<Context['staff']> {
  const rows = staff.length
    ? await manager
        .getRepository(StaffUserEntity)
        .createQueryBuilder('u')
        .where('u.email IN (:...emails)', { emails: staff.map((s) => s.email) })
        .getMany()
    : [];
  return new Map(rows.map((u) => [u.email, u]));
}

export interface StaffPlan {
  create: StaffRow[];
  update: Array<{
    id: string;
    patch: Partial<Pick<StaffUserEntity, 'role' | 'fullName' | 'allStations'>>;
    /** Set when the home station changes; a code, since stations this import creates have no id yet. */
    homeStationCode?: string | null;
    password?: string;
  }>;
}

export async function planStaff(
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

export async function applyStaff(
  manager: EntityManager,
  plan: StaffPlan,
  ctx: Context,
  report: ImportReport,
): Promise<void> {
  const stationId = (code: string | null) => (code ? (ctx.stations.get(code)?.id ?? null) : null);
  const passwords = plan.create.map((s) => s.password ?? randomPassword());
  await createStaffAccounts(
    manager,
    plan.create.map((s, i) => ({
      email: s.email,
      fullName: s.fullName ?? '',
      password: passwords[i],
      role: s.role,
      homeStationId: stationId(s.homeStationCode),
      allStations: s.allStations,
    })),
  );
  plan.create.forEach((s, i) => {
    if (s.password === undefined) report.generatedPasswords.push({ email: s.email, password: passwords[i] });
  });
  report.staff.created += plan.create.length;
  for (const u of plan.update) {
    await updateStaffAccount(manager, u.id, {
      ...u.patch,
      ...(u.homeStationCode !== undefined ? { homeStationId: stationId(u.homeStationCode) } : {}),
      ...(u.password !== undefined ? { password: u.password } : {}),
    });
    report.staff.updated++;
  }
}

function randomPassword(): string {
  return randomBytes(12).toString('base64url');
}
