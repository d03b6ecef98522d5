import { createHash } from 'node:crypto';
import type { ManifestFile, PackageKind } from '../export.entity';

export interface Manifest {
  generatedAt: string;
  from: string;
  to: string;
  /** Why it was built: on_request, nightly, pilot_final. */
  kind: string;
  /** What it holds: public aggregates or research trip rows. */
  packageKind: PackageKind;
  timeZone: 'America/Bogota';
  suppressionK: number;
  /** Value written in a suppressed cell. */
  suppressedMarker: string;
  includesSynthetic: boolean;
  /** Research packages: who receives it, under which agreement, approved by whom and when. */
  recipient: string | null;
  agreementRef: string | null;
  approvedBy: string | null;
  approvedAt: string | null;
  files: ManifestFile[];
}

/** Files of a public (open data) package, in zip and manifest order: aggregates only, no trip rows. */
export const PUBLIC_PACKAGE_FILES = [
  'stations.geojson',
  'daily.csv',
  'hourly.csv',
  'od.csv',
  'donors.csv',
  'gender.csv',
  'age_bands.csv',
  'data_dictionary.md',
] as const;

/** Files of a research package: trip rows of consenting riders, the stations, the dictionary. */
export const RESEARCH_PACKAGE_FILES = ['trips.csv', 'stations.geojson', 'data_dictionary.md'] as const;

/** The public package's files (the kind every scheduled package is). */
export const PACKAGE_FILES = PUBLIC_PACKAGE_FILES;
export type PackageFileName = (typeof PUBLIC_PACKAGE_FILES)[number] | (typeof RESEARCH_PACKAGE_FILES)[number];

export function packageFiles(kind: PackageKind): readonly PackageFileName[] {
  return kind === 'research' ? RESEARCH_PACKAGE_FILES : PUBLIC_PACKAGE_FILES;
}

export function sha256(data: string | Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

/** Lines of a text (a last line without a final line feed counts). */
export function countLines(text: string): number {
  if (text === '') return 0;
  const feeds = text.split('\n').length - 1;
  return text.endsWith('\n') ? feeds : feeds + 1;
}

export type ManifestInput = Pick<Manifest, 'generatedAt' | 'from' | 'to' | 'kind' | 'suppressionK'> &
  Partial<Omit<Manifest, 'files' | 'timeZone' | 'generatedAt' | 'from' | 'to' | 'kind' | 'suppressionK'>>;

/** The manifest with files in package order; refuses a missing or unknown file. */
export function buildManifest(input: ManifestInput, files: ManifestFile[]): Manifest {
  const packageKind = input.packageKind ?? 'public';
  const expected = packageFiles(packageKind) as readonly string[];
  const byName = new Map(files.map((f) => [f.name, f]));
  const unknown = files.filter((f) => !expected.includes(f.name));
  if (unknown.length > 0) throw new Error(`unknown package file(s): ${unknown.map((f) => f.name).join(', ')}`);
  const ordered = expected.map((name) => {
    const f = byName.get(name);
    if (!f) throw new Error(`package file ${name} is missing`);
    return { name: f.name, rows: f.rows, sha256: f.sha256, bytes: f.bytes };
  });
  return {
    generatedAt: input.generatedAt,
    from: input.from,
    to: input.to,
    kind: input.kind,
    packageKind,
    timeZone: 'America/Bogota',
    suppressionK: input.suppressionK,
    suppressedMarker: input.suppressedMarker ?? `<${input.suppressionK}`,
    includesSynthetic: input.includesSynthetic ?? false,
    recipient: input.recipient ?? null,
    agreementRef: input.agreementRef ?? null,
    approvedBy: input.approvedBy ?? null,
    approvedAt: input.approvedAt ?? null,
    files: ordered,
  };
}

/** Zip file name shown to the person downloading. */
export function packageFileName(kind: string, from: string, to: string, packageKind: PackageKind = 'public'): string {
  const what = packageKind === 'research' ? '-research' : '';
  return `metrobici-${kind.replace(/_/g, '-')}${what}-${from}_${to}.zip`;
}
