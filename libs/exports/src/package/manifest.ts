import { createHash } from 'node:crypto';
import type { ManifestFile } from '../export.entity';

export interface Manifest {
  generatedAt: string;
  from: string;
  to: string;
  kind: string;
  timeZone: 'America/Bogota';
  suppressionK: number;
  files: ManifestFile[];
}

/** Order of the files in the zip and the manifest. */
export const PACKAGE_FILES = [
  'trips.csv',
  'stations.geojson',
  'daily.csv',
  'hourly.csv',
  'od.csv',
  'data_dictionary.md',
] as const;
export type PackageFileName = (typeof PACKAGE_FILES)[number];

export function sha256(data: string | Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

/** Lines of a text (a last line without a final line feed counts). */
export function countLines(text: string): number {
  if (text === '') return 0;
  const feeds = text.split('\n').length - 1;
  return text.endsWith('\n') ? feeds : feeds + 1;
}

/** The manifest with files in package order; refuses a missing or unknown file. */
export function buildManifest(input: Omit<Manifest, 'files' | 'timeZone'>, files: ManifestFile[]): Manifest {
  const byName = new Map(files.map((f) => [f.name, f]));
  const unknown = files.filter((f) => !(PACKAGE_FILES as readonly string[]).includes(f.name));
  if (unknown.length > 0) throw new Error(`unknown package file(s): ${unknown.map((f) => f.name).join(', ')}`);
  const ordered = PACKAGE_FILES.map((name) => {
    const f = byName.get(name);
    if (!f) throw new Error(`package file ${name} is missing`);
    return { name: f.name, rows: f.rows, sha256: f.sha256, bytes: f.bytes };
  });
  return {
    generatedAt: input.generatedAt,
    from: input.from,
    to: input.to,
    kind: input.kind,
    timeZone: 'America/Bogota',
    suppressionK: input.suppressionK,
    files: ordered,
  };
}

/** Zip file name shown to the person downloading. */
export function packageFileName(kind: string, from: string, to: string): string {
  return `metrobici-${kind.replace(/_/g, '-')}-${from}_${to}.zip`;
}
