import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Idempotency records get a lease (a request in flight claims its key in a short statement of its
 * own; a crash leaves a claim that others may take over once the lease expires) and an index for
 * the expiry job. Outbox rows count failed publish attempts and can be set aside (`dead_at`) so
 * one bad row no longer stops the relay; published rows are pruned by age (index).
 * Hand-written; matches IdempotencyRecordEntity and OutboxEventEntity (drift check).
 */
export class IdempotencyLeasesOutboxDeadLetter1795571170193 implements MigrationInterface {
  name = 'IdempotencyLeasesOutboxDeadLetter1795571170193';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "idempotency_records" ADD "lease_token" uuid`);
    await queryRunner.query(`ALTER TABLE "idempotency_records" ADD "lease_expires_at" TIMESTAMP WITH TIME ZONE`);
    await queryRunner.query(
      `CREATE INDEX "IDX_idempotency_records_created_at" ON "idempotency_records" ("created_at") `,
    );
    await queryRunner.query(`ALTER TABLE "outbox_events" ADD "attempts" integer NOT NULL DEFAULT 0`);
    await queryRunner.query(`ALTER TABLE "outbox_events" ADD "last_error" text`);
    await queryRunner.query(`ALTER TABLE "outbox_events" ADD "dead_at" TIMESTAMP WITH TIME ZONE`);
    await queryRunner.query(
      `CREATE INDEX "IDX_outbox_published_at" ON "outbox_events" ("published_at") WHERE "published_at" IS NOT NULL`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "public"."IDX_outbox_published_at"`);
    await queryRunner.query(`ALTER TABLE "outbox_events" DROP COLUMN "dead_at"`);
    await queryRunner.query(`ALTER TABLE "outbox_events" DROP COLUMN "last_error"`);
    await queryRunner.query(`ALTER TABLE "outbox_events" DROP COLUMN "attempts"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_idempotency_records_created_at"`);
    await queryRunner.query(`ALTER TABLE "idempotency_records" DROP COLUMN "lease_expires_at"`);
    await queryRunner.query(`ALTER TABLE "idempotency_records" DROP COLUMN "lease_token"`);
  }
}
