import { type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * The bike log is evidence (who moved which donated bike, when and why): the database itself
 * refuses to change or delete a row, so no code path can rewrite history.
 */
export class BikeEventsAppendOnly1795571132193 implements MigrationInterface {
  name = 'BikeEventsAppendOnly1795571132193';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE FUNCTION bike_events_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION 'bike_events is append-only' USING ERRCODE = 'insufficient_privilege';
      END
      $$`);
    await queryRunner.query(`
      CREATE TRIGGER bike_events_append_only
      BEFORE UPDATE OR DELETE OR TRUNCATE ON bike_events
      FOR EACH STATEMENT EXECUTE FUNCTION bike_events_refuse_change()`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TRIGGER bike_events_append_only ON bike_events');
    await queryRunner.query('DROP FUNCTION bike_events_refuse_change()');
  }
}
