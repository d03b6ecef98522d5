import { CsvSyntaxError, detectDelimiter, parseCsv, type CsvRecord } from './csv';
import type { ImportFile, ImportIssue } from './import.types';

/** The columns a file must and may have (header names, lower case). */
export interface Columns {
  required: string[];
  optional: string[];
}

export const STATION_CODE = /^[A-Z0-9-]{2,32}$/;
export const STATION_CODE_RULE = '2-32 letters, digits or dashes';

export interface Table {
  rows: Array<{ line: number; cell(column: string): string | undefined }>;
}

export function readTable(file: ImportFile, columns: Columns, issues: ImportIssue[]): Table | null {
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
export class RowCheck {
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
export function checkedRows(
  file: ImportFile,
  columns: Columns,
  issues: ImportIssue[],
): Array<{ r: Table['rows'][number]; c: RowCheck }> {
  const table = readTable(file, columns, issues);
  return table ? table.rows.map((r) => ({ r, c: new RowCheck(file.name, r.line, issues) })) : [];
}

/** Fails a row whose natural key (`label` in the message) already stood on an earlier line of the file. */
export function checkFirstOccurrence(
  c: RowCheck,
  seen: Map<string, number>,
  key: string | undefined,
  label: string,
): void {
  if (key === undefined) return;
  const first = seen.get(key);
  if (first !== undefined) c.fail(`${label} appears twice (first on line ${first})`);
  else seen.set(key, c.line);
}
