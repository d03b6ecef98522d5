// `npm run db:seed`: loads the DEMO stations, fleet, staff and riders (idempotent). Run
// `npm run db:migrate` first; this entry does not migrate.
import { loadConfigOrExit } from '@metrobici/config';
import { ensureDatabase } from '@metrobici/database';
import { withCliDataSource } from './cli-data-source';
import { DEMO_STAFF_PASSWORD } from './demo-data/demo-data';
import { type SeedSummary, SeedRefusedError, resolveSeedPassword, seedDemo } from './demo-data/seed-demo';

async function main(): Promise<void> {
  const config = loadConfigOrExit();
  const fromEnv = process.env.SEED_STAFF_PASSWORD;
  // Checked before touching the database, so a refused run changes nothing anywhere.
  resolveSeedPassword(config, fromEnv);

  await ensureDatabase(config.database.url);
  const summary = await withCliDataSource(config, 'metrobici-seed', (ds) =>
    seedDemo(ds, config, { password: fromEnv }),
  );
  print(summary);
}

function print(s: SeedSummary): void {
  const c = s.created;
  const createdAnything = c.stations + c.depots + c.donors + c.bikes + c.staff + c.riders > 0;
  const out: string[] = [];
  out.push('Metrobici demo data (DEMO: approximate coordinates, invented people; not the real pilot list)');
  out.push(
    createdAnything ? 'Created in this run:' : 'Nothing to create: the demo data was already there (nothing changed).',
  );
  if (createdAnything) {
    out.push(
      `  stations ${c.stations}, depots ${c.depots}, donors ${c.donors}, bikes ${c.bikes} (${Object.entries(
        c.bikesByDonor,
      )
        .map(([k, v]) => `${k} ${v}`)
        .join(', ')}),`,
    );
    out.push(`  bike events ${c.bikeEvents}, helmets ${c.helmets}, staff accounts ${c.staff}, riders ${c.riders}`);
  }
  const t = s.totals;
  out.push('Now in the database:');
  out.push(`  stations: ${t.stations} public + ${t.depots} depot(s) (depots are never public)`);
  out.push(`  bikes: ${t.bikesAtStations} at stations, ${t.bikesInDepots} in depots`);
  for (const d of t.bikesByDonor) {
    out.push(
      `    ${d.name} (${d.code}): ${d.bikes}${d.countIsDemoChoice ? '  <- the real count is not public; the demo picked this number' : ''}`,
    );
  }
  out.push(`  helmets (UNAB donation) at stations: ${t.helmetsAtStations}`);
  out.push(`  staff accounts: ${t.staff}, riders: ${t.riders}`);
  out.push('Staff logins:');
  for (const l of s.staffLogins) {
    const where = l.allStations ? 'all stations' : (l.homeStationCode ?? '-');
    out.push(
      `  ${l.email.padEnd(40)} ${l.role.padEnd(9)} ${where.padEnd(12)}${l.created ? ' (new)' : ' (existed: password left as it was)'}`,
    );
  }
  if (c.staff > 0) {
    out.push(
      s.passwordSource === 'default'
        ? `  password of the new accounts: ${DEMO_STAFF_PASSWORD} (development default; set SEED_STAFF_PASSWORD to choose another)`
        : '  password of the new accounts: the value of SEED_STAFF_PASSWORD',
    );
  }
  for (const m of s.counterMismatches) out.push(`WARNING: station counters disagree with the bikes table: ${m}`);
  console.log(out.join('\n'));
}

main().catch((e: unknown) => {
  if (e instanceof SeedRefusedError) {
    console.error(`db:seed refused: ${e.message}`);
  } else {
    console.error(`db:seed failed: ${(e as Error).message}`);
  }
  process.exit(1);
});
