import type { DataSource } from 'typeorm';
import { lockCatalogue } from '../cli-data-source';
import { applyBikes, loadFleet, planBikes, readBikes } from './bike-import';
import {
  type Context,
  type ImportFiles,
  type ImportIssue,
  type ImportOptions,
  type ImportReport,
  ImportValidationError,
} from './import.types';
import { applyStaff, loadStaff, planStaff, readStaff } from './staff-import';
import { applyStations, loadStations, planStations, readStations } from './station-import';

/**
 * Loads the real station list, fleet and staff from CSV files (see docs/import-examples/).
 * Every row of every file is checked first, against the files and the database; any problem
 * aborts the whole import with all problems listed by file and line, and nothing is written.
 * Rows are matched by natural key (station code, donor code, bike code, staff e-mail), so
 * importing the same files again changes nothing. Each kind lives in its own module (read → plan →
 * apply); the writes go through the owning libs (stations, fleet, staff) in this one transaction.
 */
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
      const stationCodes = [
        ...new Set([
          ...stations.map((s) => s.code),
          ...bikes.flatMap((b) => (b.stationCode ? [b.stationCode] : [])),
          ...staff.flatMap((s) => (s.homeStationCode ? [s.homeStationCode] : [])),
        ]),
      ];
      const ctx: Context = {
        stations: await loadStations(manager, stationCodes),
        ...(await loadFleet(manager, bikes)),
        staff: await loadStaff(manager, staff),
      };
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

/** Thrown at the end of a dry run so the transaction rolls back; carries the report out. */
class DryRunRollback extends Error {
  constructor(readonly report: ImportReport) {
    super('dry run');
  }
}

/** By file (stations, bikes, staff), then line. */
function sortIssues(issues: ImportIssue[], files: string[]): ImportIssue[] {
  return [...issues].sort((a, b) => files.indexOf(a.file) - files.indexOf(b.file) || a.line - b.line);
}
