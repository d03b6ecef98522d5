// The public shape of a CSV import: the files it takes, what it reports, how it fails.
import type { StaffUserEntity } from '@metrobici/staff';

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

/** A stations row as the importer reads it back (context query and insert). */
export interface DbStation {
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

/** What the database already holds of the rows the files name (stations locked until commit). */
export interface Context {
  stations: Map<string, DbStation>;
  donors: Map<string, { id: string; name: string }>;
  bikes: Map<string, { donorCode: string; stationCode: string | null; state: string }>;
  staff: Map<string, StaffUserEntity>;
}
