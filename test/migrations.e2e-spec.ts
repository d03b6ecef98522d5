import { DataSource } from 'typeorm';
import { createDataSource, pendingSchemaChanges } from '@metrobici/database';
import { ENTITIES } from '../apps/entities';
import { createTestEnv, type TestEnv } from './support/test-env';

describe('migrations (e2e)', () => {
  let env: TestEnv;
  let ds: DataSource;

  beforeAll(async () => {
    env = await createTestEnv(); // a fresh database with every migration applied
    ds = createDataSource(env.databaseUrl, { entities: ENTITIES });
    await ds.initialize();
  });
  afterAll(async () => {
    await ds.destroy();
    await env.teardown();
  });

  const tables = async (): Promise<string[]> =>
    (
      await ds.query<{ table_name: string }[]>(
        `SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY table_name`,
      )
    ).map((r) => r.table_name);
  const appliedMigrations = async (): Promise<string[]> =>
    (await ds.query<{ name: string }[]>('SELECT name FROM migrations ORDER BY id')).map((r) => r.name);

  it('applies the whole history to a fresh database', async () => {
    expect(ds.migrations.length).toBeGreaterThan(0);
    await expect(appliedMigrations()).resolves.toEqual(ds.migrations.map((m) => m.name));
    await expect(ds.showMigrations()).resolves.toBe(false);
    expect(await tables()).toEqual(
      expect.arrayContaining(['stations', 'bikes', 'bike_events', 'riders', 'loans', 'staff_users', 'migrations']),
    );
  });

  it('leaves nothing for the entities to change (drift check)', async () => {
    await expect(pendingSchemaChanges(ds)).resolves.toEqual([]);
  });

  it('makes bike_events append-only with a trigger', async () => {
    const triggers = await ds.query<{ tgname: string; table: string }[]>(
      `SELECT t.tgname, c.relname AS table FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid WHERE NOT t.tgisinternal AND t.tgname = 'bike_events_append_only'`,
    );
    expect(triggers).toEqual([{ tgname: 'bike_events_append_only', table: 'bike_events' }]);
    // Statement-level triggers fire even when no row matches.
    await expect(ds.query('DELETE FROM bike_events')).rejects.toThrow('bike_events is append-only');
    await expect(ds.query(`UPDATE bike_events SET reason = 'x'`)).rejects.toThrow('bike_events is append-only');
    await expect(ds.query('TRUNCATE bike_events')).rejects.toThrow('bike_events is append-only');
  });

  it('can be undone down to an empty schema and applied again', async () => {
    const count = ds.migrations.length;
    for (let i = 0; i < count; i++) await ds.undoLastMigration({ transaction: 'each' });

    await expect(appliedMigrations()).resolves.toEqual([]);
    await expect(ds.showMigrations()).resolves.toBe(true);
    expect(await tables()).toEqual(['migrations']);
    const leftovers = await ds.query<{ name: string }[]>(
      `SELECT p.proname AS name FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace WHERE n.nspname = 'public'
         AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = p.oid AND d.deptype = 'e') -- pgcrypto's own
       UNION ALL SELECT t.typname FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace WHERE n.nspname = 'public' AND t.typtype = 'e'`,
    );
    expect(leftovers).toEqual([]);

    const reapplied = await ds.runMigrations({ transaction: 'each' });
    expect(reapplied.map((m) => m.name)).toEqual(ds.migrations.map((m) => m.name));
    await expect(pendingSchemaChanges(ds)).resolves.toEqual([]);
    const triggers = await ds.query<unknown[]>(`SELECT 1 FROM pg_trigger WHERE tgname = 'bike_events_append_only'`);
    expect(triggers).toHaveLength(1);
  });

  it('notices when the database drifts from the entities (so the empty result above means something)', async () => {
    await ds.query('DROP INDEX "IDX_bike_events_bike"');
    await ds.query('ALTER TABLE stations ADD COLUMN stray_column integer');
    const changes = await pendingSchemaChanges(ds);
    expect(changes).toEqual(
      expect.arrayContaining([
        expect.stringContaining('IDX_bike_events_bike'),
        expect.stringContaining('stray_column'),
      ]),
    );
  });
});
