import { createHash } from 'node:crypto';
import { Transform, type TransformCallback, type Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Pool, PoolClient } from 'pg';
import { to as copyTo } from 'pg-copy-streams';
import { startOfBogotaDay } from '@metrobici/common';
import { CsvFormulaGuard } from './csv-formula-guard';
import { SETTING } from './trip-fields';

export interface ExportRange {
  /** Local dates `YYYY-MM-DD`, inclusive. */
  from: string;
  to: string;
}

export interface ExportSessionParams extends ExportRange {
  /** Key of the pseudonyms in this file or package (random per package/download). */
  riderKeySecret: string;
  co2GramsPerKm: number;
  /** Count synthetic demo trips (asked for explicitly; never for research). */
  includeSynthetic?: boolean;
}

/** The day after a local date, as a local date. */
export function nextLocalDate(date: string): string {
  const [y, m, d] = date.split('-').map(Number);
  return new Date(Date.UTC(y, m - 1, d + 1)).toISOString().slice(0, 10);
}

/**
 * Runs `work` on a dedicated connection inside one read-only REPEATABLE READ transaction, so every
 * file of a package sees the same snapshot. The secret and the range are transaction-local
 * settings (never in the SQL text, gone at commit). A connection whose COPY was cut short is
 * destroyed, not returned to the pool.
 */
export async function withExportSession<T>(
  pool: Pool,
  params: ExportSessionParams,
  work: (client: PoolClient) => Promise<T>,
): Promise<T> {
  const client = await pool.connect();
  let failed = false;
  try {
    await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    await client.query(
      `SELECT set_config($1, $2, true), set_config($3, $4, true), set_config($5, $6, true),
              set_config($7, $8, true), set_config($9, $10, true), set_config($11, $12, true),
              set_config($13, $14, true)`,
      [
        SETTING.riderKey,
        params.riderKeySecret,
        SETTING.from,
        startOfBogotaDay(params.from).toISOString(),
        SETTING.to,
        startOfBogotaDay(nextLocalDate(params.to)).toISOString(),
        SETTING.fromDate,
        params.from,
        SETTING.toDate,
        params.to,
        SETTING.co2,
        String(params.co2GramsPerKm),
        SETTING.synthetic,
        params.includeSynthetic ? 'true' : 'false',
      ],
    );
    const result = await work(client);
    await client.query('COMMIT');
    return result;
  } catch (error) {
    failed = true;
    throw error;
  } finally {
    client.release(failed ? true : undefined);
  }
}

export interface CopyResult {
  /** Data rows (COPY's own count; the header line is not a row). */
  rows: number;
  bytes: number;
  sha256: string;
}

/**
 * `COPY (sql) TO STDOUT` as CSV with a header, cells that a spreadsheet would run as a formula
 * neutralised (CsvFormulaGuard), piped into `sink` with backpressure: memory stays
 * flat whatever the number of rows. `onLines` sees the running count of lines written (for progress).
 */
export async function copyCsv(
  client: PoolClient,
  sql: string,
  sink: Writable,
  onLines?: (lines: number) => void,
): Promise<CopyResult> {
  const source = client.query(copyTo(`COPY (${sql}) TO STDOUT WITH (FORMAT csv, HEADER true, ENCODING 'UTF8')`));
  const tap = new MeasuringStream(onLines);
  // Every CSV the system writes passes here: formula-looking cells are neutralised before they
  // are measured, hashed (manifest) and written.
  await pipeline(source, new CsvFormulaGuard(), tap, sink);
  return { rows: source.rowCount, bytes: tap.bytes, sha256: tap.digest() };
}

/** Pass-through that hashes (SHA-256), counts bytes and line feeds. */
export class MeasuringStream extends Transform {
  bytes = 0;
  lines = 0;
  private readonly hash = createHash('sha256');

  constructor(private readonly onLines?: (lines: number) => void) {
    super();
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    this.hash.update(chunk);
    this.bytes += chunk.length;
    for (let i = chunk.indexOf(10); i !== -1; i = chunk.indexOf(10, i + 1)) this.lines++;
    this.onLines?.(this.lines);
    done(null, chunk);
  }

  digest(): string {
    return this.hash.digest('hex');
  }
}
