import { createWriteStream } from 'node:fs';
import { mkdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { Pool, PoolClient } from 'pg';
import { ZipFile } from 'yazl';
import type { ManifestFile, PackageKind } from '../export.entity';
import {
  AGE_BANDS_SQL,
  DAILY_SQL,
  DONORS_SQL,
  GENDER_SQL,
  HOURLY_SQL,
  OD_SQL,
  RESEARCH_TRIPS_COUNT_SQL,
  RESEARCH_TRIPS_SQL,
  STATIONS_GEOJSON_SQL,
  SUPPRESSED,
} from '../export-queries';
import { copyCsv, type ExportSessionParams, withExportSession } from '../export-session';
import { SUPPRESSION_K } from '../trip-fields';
import { dataDictionary } from './data-dictionary';
import { buildManifest, countLines, type Manifest, packageFiles, sha256 } from './manifest';

export interface BuildPackageInput extends ExportSessionParams {
  id: string;
  kind: string;
  packageKind: PackageKind;
  /** Research packages: recipient, agreement and approval, written into the manifest. */
  recipient: string | null;
  agreementRef: string | null;
  approvedBy: string | null;
  approvedAt: string | null;
  /** EXPORTS_DIR (absolute or relative to the working directory). */
  dir: string;
  now: Date;
}

export interface BuiltPackage {
  /** Relative to `dir`. */
  fileName: string;
  sizeBytes: number;
  manifest: Manifest;
}

/** Share of the progress bar each step ends at (trips.csv dominates). */
const STEP_END = {
  trips: 70,
  stations: 74,
  daily: 80,
  hourly: 86,
  od: 90,
  breakdowns: 94,
  dictionary: 95,
  zip: 99,
} as const;

/**
 * Builds the zip of one data package on disk: each file is written by COPY (or one query) from a
 * single snapshot into a work folder while its SHA-256 and rows are measured, then the files and
 * `manifest.json` are zipped to `<id>.zip.part` and renamed to `<id>.zip`. Nothing is held in
 * memory but the small files. Rebuilding the same id overwrites the previous attempt.
 */
export async function buildDataPackage(
  pool: Pool,
  input: BuildPackageInput,
  onProgress: (percent: number) => Promise<void> | void,
): Promise<BuiltPackage> {
  const work = join(input.dir, `${input.id}.work`);
  await rm(work, { recursive: true, force: true });
  await mkdir(work, { recursive: true });
  try {
    const files: ManifestFile[] = [];
    // Research packages: the trip rows of consenting riders (synthetic trips never). Public
    // packages: aggregates only, every small cell marked.
    const research = input.packageKind === 'research';
    await withExportSession(
      pool,
      { ...input, includeSynthetic: research ? false : input.includeSynthetic },
      async (client) => {
        if (research) {
          const [{ n: expected }] = (await client.query<{ n: number }>(RESEARCH_TRIPS_COUNT_SQL)).rows;
          let reported = 0;
          files.push(
            await copyToFile(client, RESEARCH_TRIPS_SQL, join(work, 'trips.csv'), 'trips.csv', (lines) => {
              // Header + rows; report whole steps of 5 % at most, without waiting on the report.
              const pct = Math.min(
                STEP_END.trips - 1,
                Math.floor((lines / Math.max(1, expected + 1)) * STEP_END.trips),
              );
              if (pct >= reported + 5) {
                reported = pct;
                void Promise.resolve(onProgress(pct)).catch(() => undefined);
              }
            }),
          );
          await onProgress(STEP_END.trips);
        }
        files.push(await writeGeoJson(client, join(work, 'stations.geojson')));
        await onProgress(STEP_END.stations);
        if (research) return;
        files.push(await copyToFile(client, DAILY_SQL, join(work, 'daily.csv'), 'daily.csv'));
        await onProgress(STEP_END.daily);
        files.push(await copyToFile(client, HOURLY_SQL, join(work, 'hourly.csv'), 'hourly.csv'));
        await onProgress(STEP_END.hourly);
        files.push(await copyToFile(client, OD_SQL, join(work, 'od.csv'), 'od.csv'));
        await onProgress(STEP_END.od);
        files.push(await copyToFile(client, DONORS_SQL, join(work, 'donors.csv'), 'donors.csv'));
        files.push(await copyToFile(client, GENDER_SQL, join(work, 'gender.csv'), 'gender.csv'));
        files.push(await copyToFile(client, AGE_BANDS_SQL, join(work, 'age_bands.csv'), 'age_bands.csv'));
        await onProgress(STEP_END.breakdowns);
      },
    );

    const generatedAt = input.now.toISOString();
    const dictionary = dataDictionary({
      from: input.from,
      to: input.to,
      generatedAt,
      co2GramsPerKm: input.co2GramsPerKm,
      kind: input.kind,
      packageKind: input.packageKind,
      includesSynthetic: !research && input.includeSynthetic === true,
    });
    await writeFile(join(work, 'data_dictionary.md'), dictionary, 'utf8');
    files.push({
      name: 'data_dictionary.md',
      rows: countLines(dictionary),
      sha256: sha256(dictionary),
      bytes: Buffer.byteLength(dictionary),
    });
    await onProgress(STEP_END.dictionary);

    const manifest = buildManifest(
      {
        generatedAt,
        from: input.from,
        to: input.to,
        kind: input.kind,
        packageKind: input.packageKind,
        suppressionK: SUPPRESSION_K,
        suppressedMarker: SUPPRESSED,
        includesSynthetic: !research && input.includeSynthetic === true,
        recipient: input.recipient,
        agreementRef: input.agreementRef,
        approvedBy: input.approvedBy,
        approvedAt: input.approvedAt,
      },
      files,
    );
    const fileName = `${input.id}.zip`;
    const part = join(input.dir, `${fileName}.part`);
    const zip = new ZipFile();
    for (const name of packageFiles(input.packageKind)) zip.addFile(join(work, name), name, { mtime: input.now });
    zip.addBuffer(Buffer.from(`${JSON.stringify(manifest, null, 2)}\n`), 'manifest.json', { mtime: input.now });
    zip.end();
    await pipeline(zip.outputStream, createWriteStream(part));
    await rename(part, join(input.dir, fileName));
    await onProgress(STEP_END.zip);
    const { size } = await stat(join(input.dir, fileName));
    return { fileName, sizeBytes: size, manifest };
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

async function copyToFile(
  client: PoolClient,
  sql: string,
  path: string,
  name: string,
  onLines?: (lines: number) => void,
): Promise<ManifestFile> {
  const result = await copyCsv(client, sql, createWriteStream(path), onLines);
  return { name, rows: result.rows, sha256: result.sha256, bytes: result.bytes };
}

async function writeGeoJson(client: PoolClient, path: string): Promise<ManifestFile> {
  const [{ features, doc }] = (await client.query<{ features: number; doc: string }>(STATIONS_GEOJSON_SQL)).rows;
  const text = `${doc}\n`;
  await writeFile(path, text, 'utf8');
  return { name: 'stations.geojson', rows: features, sha256: sha256(text), bytes: Buffer.byteLength(text) };
}
