import { DataSource } from 'typeorm';
import { createDataSource } from './data-source';

/** Applies pending migrations; returns the names applied. */
export async function migrate(url: string): Promise<string[]> {
  const ds = createDataSource(url);
  await ds.initialize();
  try {
    const applied = await ds.runMigrations({ transaction: 'each' });
    return applied.map((m) => m.name);
  } finally {
    await ds.destroy();
  }
}

/**
 * Statements TypeORM would still need to make the database match the entities after all
 * migrations ran. Empty means entities and migrations agree (the drift check).
 */
export async function pendingSchemaChanges(ds: DataSource): Promise<string[]> {
  const sqlInMemory = await ds.driver.createSchemaBuilder().log();
  return sqlInMemory.upQueries.map((q) => q.query);
}

/** Creates the database named in `url` when missing (connects to `postgres` to do so). */
export async function ensureDatabase(url: string): Promise<void> {
  const target = new URL(url);
  const name = decodeURIComponent(target.pathname.slice(1));
  const admin = new URL(url);
  admin.pathname = '/postgres';
  const ds = new DataSource({ type: 'postgres', url: admin.toString() });
  await ds.initialize();
  try {
    const rows: unknown[] = await ds.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (rows.length === 0) await ds.query(`CREATE DATABASE "${name.replace(/"/g, '""')}"`);
  } finally {
    await ds.destroy();
  }
}

export async function dropDatabase(url: string): Promise<void> {
  const target = new URL(url);
  const name = decodeURIComponent(target.pathname.slice(1));
  const admin = new URL(url);
  admin.pathname = '/postgres';
  const ds = new DataSource({ type: 'postgres', url: admin.toString() });
  await ds.initialize();
  try {
    await ds.query(`DROP DATABASE IF EXISTS "${name.replace(/"/g, '""')}" WITH (FORCE)`);
  } finally {
    await ds.destroy();
  }
}
