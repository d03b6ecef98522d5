// `npm run db:import -- --stations stations.csv --bikes bikes.csv --staff staff.csv [--dry-run]`
// (any subset of the files). Column layouts: docs/import-examples/. All rows are checked first;
// any problem aborts the import with every problem listed, and nothing is written.
import { readFileSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import { loadConfigOrExit } from '@metrobici/config';
import { withCliDataSource } from './cli-data-source';
import { importCsvFiles } from './csv-import/import-csv';
import { type ImportFiles, type ImportKind, type ImportReport, ImportValidationError } from './csv-import/import.types';

const USAGE = 'usage: npm run db:import -- [--stations FILE] [--bikes FILE] [--staff FILE] [--dry-run]';

class UsageError extends Error {}

function parseArgs(argv: string[]): { paths: Partial<Record<ImportKind, string>>; dryRun: boolean } {
  const paths: Partial<Record<ImportKind, string>> = {};
  let dryRun = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--dry-run') {
      dryRun = true;
      continue;
    }
    if (arg === '--help' || arg === '-h') throw new UsageError(USAGE);
    const m = /^--(stations|bikes|staff)(?:=(.*))?$/.exec(arg);
    if (!m) throw new UsageError(`unknown argument "${arg}"\n${USAGE}`);
    const value = m[2] ?? argv[++i];
    if (!value || value.startsWith('--')) throw new UsageError(`--${m[1]} needs a file name\n${USAGE}`);
    paths[m[1] as ImportKind] = value;
  }
  if (Object.keys(paths).length === 0) throw new UsageError(`no file given\n${USAGE}`);
  return { paths, dryRun };
}

async function main(): Promise<void> {
  const { paths, dryRun } = parseArgs(process.argv.slice(2));
  // `npm run` changes to the package root; relative paths mean the directory the user typed in.
  const base = process.env.INIT_CWD ?? process.cwd();
  const files: ImportFiles = {};
  for (const [kind, path] of Object.entries(paths) as Array<[ImportKind, string]>) {
    const full = resolve(base, path);
    try {
      files[kind] = { name: basename(full), text: readFileSync(full, 'utf8') };
    } catch (e) {
      throw new UsageError(`cannot read the ${kind} file ${full}: ${(e as Error).message}`);
    }
  }

  const config = loadConfigOrExit();
  print(await withCliDataSource(config, 'metrobici-import', (ds) => importCsvFiles(ds, files, { dryRun })));
}

function print(r: ImportReport): void {
  const out: string[] = [];
  out.push(r.dryRun ? 'Dry run: every row is valid; nothing was written. It would have:' : 'Import done:');
  out.push(
    `  stations: ${r.stations.created} created, ${r.stations.updated} updated, ${r.stations.unchanged} unchanged`,
  );
  out.push(`  donors:   ${r.donors.created} created, ${r.donors.renamed} renamed`);
  out.push(`  bikes:    ${r.bikes.created} created, ${r.bikes.unchanged} already there`);
  out.push(`  staff:    ${r.staff.created} created, ${r.staff.updated} updated, ${r.staff.unchanged} unchanged`);
  for (const note of r.notes) out.push(`Note: ${note}`);
  if (r.generatedPasswords.length > 0) {
    if (r.dryRun) {
      out.push(
        `${r.generatedPasswords.length} new account(s) have no password in the file: a random one will be generated and shown once.`,
      );
    } else {
      out.push('Generated passwords (shown only now; give each to its owner and do not keep this output):');
      for (const p of r.generatedPasswords) out.push(`  ${p.email}  ${p.password}`);
    }
  }
  console.log(out.join('\n'));
}

main().catch((e: unknown) => {
  if (e instanceof ImportValidationError) {
    console.error(`db:import: ${e.issues.length} problem(s); nothing was imported:`);
    for (const i of e.issues) console.error(`  ${i.file}:${i.line}: ${i.message}`);
  } else if (e instanceof UsageError) {
    console.error(e.message);
  } else {
    console.error(`db:import failed: ${(e as Error).message}`);
  }
  process.exit(1);
});
