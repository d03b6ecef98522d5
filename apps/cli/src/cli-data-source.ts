import type { DataSource, EntityManager } from 'typeorm';
import type { AppConfig } from '@metrobici/config';
import { createDataSource } from '@metrobici/database';
import { ENTITIES } from '../../entities';

/**
 * Opens a small pool for one admin command (named in `pg_stat_activity`), refuses a database with
 * pending migrations, runs `work` and closes the pool whatever happens.
 */
export async function withCliDataSource<T>(
  config: AppConfig,
  applicationName: string,
  work: (ds: DataSource) => Promise<T>,
): Promise<T> {
  const ds = createDataSource(config.database.url, {
    entities: ENTITIES,
    extra: { max: 2, application_name: applicationName },
  });
  await ds.initialize();
  try {
    if (await ds.showMigrations()) {
      throw new Error('the database has pending migrations: run `npm run db:migrate` first');
    }
    return await work(ds);
  } finally {
    await ds.destroy();
  }
}

/**
 * Serialises writers of the station/fleet/staff catalogue (seed and CSV import) for the rest of the
 * caller's transaction, so two runs at once cannot both decide a row is missing.
 */
export async function lockCatalogue(manager: EntityManager): Promise<void> {
  await manager.query(`SELECT pg_advisory_xact_lock(hashtext('metrobici.catalogue'))`);
}
