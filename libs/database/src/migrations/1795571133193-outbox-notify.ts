import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Wakes the outbox relay as soon as a transaction that wrote events commits (NOTIFY is delivered
 * only on commit, so a rolled-back change never wakes anyone); the relay still polls as a fallback.
 */
export class OutboxNotify1795571133193 implements MigrationInterface {
  name = 'OutboxNotify1795571133193';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE FUNCTION outbox_events_notify() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        PERFORM pg_notify('outbox_events', '');
        RETURN NULL;
      END
      $$`);
    await queryRunner.query(`
      CREATE TRIGGER outbox_events_notify AFTER INSERT ON outbox_events
      FOR EACH STATEMENT EXECUTE FUNCTION outbox_events_notify()`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TRIGGER outbox_events_notify ON outbox_events');
    await queryRunner.query('DROP FUNCTION outbox_events_notify()');
  }
}
