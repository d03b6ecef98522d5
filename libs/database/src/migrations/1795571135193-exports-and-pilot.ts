import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Data packages (`exports`) and the closing of the pilot (`pilot_state`, one row, and the
 * append-only `pilot_events`). pgcrypto provides `hmac()` for rider pseudonyms computed in SQL.
 * Hand-written; matches ExportEntity, PilotStateEntity and PilotEventEntity (drift check).
 */
export class ExportsAndPilot1795571135193 implements MigrationInterface {
  name = 'ExportsAndPilot1795571135193';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE EXTENSION IF NOT EXISTS pgcrypto`);
    await queryRunner.query(`CREATE TABLE "exports" (
      "id" uuid NOT NULL DEFAULT gen_random_uuid(),
      "kind" character varying(16) NOT NULL,
      "requested_by" uuid,
      "from_date" date NOT NULL,
      "to_date" date NOT NULL,
      "state" character varying(12) NOT NULL DEFAULT 'queued',
      "progress" integer NOT NULL DEFAULT 0,
      "file_path" text,
      "size_bytes" bigint,
      "manifest" jsonb,
      "error" text,
      "attempts" integer NOT NULL DEFAULT 0,
      "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
      "started_at" TIMESTAMP WITH TIME ZONE,
      "completed_at" TIMESTAMP WITH TIME ZONE,
      "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
      CONSTRAINT "CHK_exports_state" CHECK ("state" IN ('queued', 'active', 'completed', 'failed')),
      CONSTRAINT "CHK_exports_kind" CHECK ("kind" IN ('on_request', 'nightly', 'pilot_final')),
      CONSTRAINT "CHK_exports_progress" CHECK ("progress" >= 0 AND "progress" <= 100),
      CONSTRAINT "CHK_exports_range" CHECK ("from_date" <= "to_date"),
      CONSTRAINT "PK_exports" PRIMARY KEY ("id"))`);
    await queryRunner.query(`CREATE INDEX "IDX_exports_created_at" ON "exports" ("created_at")`);
    await queryRunner.query(
      `CREATE UNIQUE INDEX "UQ_exports_nightly_day" ON "exports" ("from_date") WHERE "kind" = 'nightly'`,
    );

    await queryRunner.query(`CREATE TABLE "pilot_state" (
      "id" smallint NOT NULL DEFAULT 1,
      "status" character varying(12) NOT NULL DEFAULT 'running',
      "end_date" date,
      "closed_at" TIMESTAMP WITH TIME ZONE,
      "closed_by" uuid,
      "reopened_at" TIMESTAMP WITH TIME ZONE,
      "reopened_by" uuid,
      "reopen_reason" text,
      "final_export_id" uuid,
      "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
      CONSTRAINT "CHK_pilot_state_single_row" CHECK ("id" = 1),
      CONSTRAINT "CHK_pilot_state_status" CHECK ("status" IN ('running', 'closed')),
      CONSTRAINT "PK_pilot_state" PRIMARY KEY ("id"))`);
    await queryRunner.query(`INSERT INTO "pilot_state" ("id", "status") VALUES (1, 'running')`);

    await queryRunner.query(`CREATE TABLE "pilot_events" (
      "id" BIGSERIAL NOT NULL,
      "type" character varying(12) NOT NULL,
      "end_date" date,
      "reason" text,
      "actor_id" uuid NOT NULL,
      "open_loans" integer NOT NULL DEFAULT 0,
      "export_id" uuid,
      "occurred_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
      CONSTRAINT "CHK_pilot_events_type" CHECK ("type" IN ('closed', 'reopened')),
      CONSTRAINT "PK_pilot_events" PRIMARY KEY ("id"))`);
    await queryRunner.query(`
      CREATE FUNCTION pilot_events_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION 'pilot_events is append-only' USING ERRCODE = 'insufficient_privilege';
      END
      $$`);
    await queryRunner.query(`
      CREATE TRIGGER pilot_events_append_only
      BEFORE UPDATE OR DELETE OR TRUNCATE ON pilot_events
      FOR EACH STATEMENT EXECUTE FUNCTION pilot_events_refuse_change()`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TRIGGER pilot_events_append_only ON pilot_events`);
    await queryRunner.query(`DROP FUNCTION pilot_events_refuse_change()`);
    await queryRunner.query(`DROP TABLE "pilot_events"`);
    await queryRunner.query(`DROP TABLE "pilot_state"`);
    await queryRunner.query(`DROP INDEX "public"."UQ_exports_nightly_day"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_exports_created_at"`);
    await queryRunner.query(`DROP TABLE "exports"`);
    // pgcrypto stays: the initial schema relies on it too (gen_random_uuid on older servers).
  }
}
