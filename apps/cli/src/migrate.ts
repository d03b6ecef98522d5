// `npm run db:migrate`: creates the database if missing and applies the pending migrations
// (libs/database/src/migrations, one linear history).
import { loadConfigOrExit } from '@metrobici/config';
import { ensureDatabase, migrate } from '@metrobici/database';

async function main(): Promise<void> {
  const config = loadConfigOrExit();
  await ensureDatabase(config.database.url);
  const applied = await migrate(config.database.url);
  console.log(applied.length ? `Applied migrations: ${applied.join(', ')}` : 'Database schema is up to date.');
}

main().catch((e: unknown) => {
  console.error(`db:migrate failed: ${(e as Error).message}`);
  process.exit(1);
});
