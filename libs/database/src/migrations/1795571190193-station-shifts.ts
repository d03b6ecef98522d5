import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Issue 12, at the station: staff sessions and rotating refresh tokens (libs/staff), stored alerts
 * (libs/alerts), the rider's receipt (libs/loans), shifts and incidents (libs/station-ops), and a
 * helmet not returned on the loan and the rider. Generated from the entities (drift check).
 */
export class StationShifts1795571190193 implements MigrationInterface {
  name = 'StationShifts1795571190193';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "alerts" ("id" BIGSERIAL NOT NULL, "outbox_id" bigint NOT NULL, "kind" character varying(32) NOT NULL, "station_id" uuid, "audience" character varying(8) NOT NULL DEFAULT 'station', "message" text NOT NULL, "data" jsonb NOT NULL, "since" TIMESTAMP WITH TIME ZONE NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "condition_key" character varying(100), "resolved_at" TIMESTAMP WITH TIME ZONE, "acknowledged_at" TIMESTAMP WITH TIME ZONE, "acknowledged_by" uuid, CONSTRAINT "PK_60f895662df096bfcdfab7f4b96" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "IDX_alerts_unresolved" ON "alerts"  ("created_at") WHERE "resolved_at" IS NULL AND "acknowledged_at" IS NULL`,
    );
    await queryRunner.query(`CREATE INDEX "IDX_alerts_station_created" ON "alerts"  ("station_id", "created_at")`);
    await queryRunner.query(
      `CREATE UNIQUE INDEX "UQ_alerts_open_condition" ON "alerts"  ("condition_key") WHERE "resolved_at" IS NULL AND "condition_key" IS NOT NULL`,
    );
    await queryRunner.query(`CREATE UNIQUE INDEX "UQ_alerts_outbox_kind" ON "alerts"  ("outbox_id", "kind")`);
    await queryRunner.query(
      `CREATE TABLE "loan_receipts" ("token_hash" character(64) NOT NULL, "journey_id" uuid NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_54787b198c253f47dc768a7aecb" PRIMARY KEY ("token_hash"))`,
    );
    await queryRunner.query(`CREATE UNIQUE INDEX "UQ_loan_receipts_journey" ON "loan_receipts"  ("journey_id")`);
    await queryRunner.query(
      `CREATE TABLE "staff_sessions" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "staff_id" uuid NOT NULL, "token_version" integer NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "expires_at" TIMESTAMP WITH TIME ZONE NOT NULL, "last_used_at" TIMESTAMP WITH TIME ZONE NOT NULL, "revoked_at" TIMESTAMP WITH TIME ZONE, "revoked_reason" character varying(32), "revoked_by" uuid, "user_agent" character varying(200), CONSTRAINT "PK_b9be2467392ab95efaa3661cce2" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE INDEX "IDX_staff_sessions_staff" ON "staff_sessions"  ("staff_id", "created_at")`);
    await queryRunner.query(
      `CREATE TABLE "staff_refresh_tokens" ("token_hash" character(64) NOT NULL, "session_id" uuid NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "used_at" TIMESTAMP WITH TIME ZONE, CONSTRAINT "PK_08d4fd8e914a488c8a11933828d" PRIMARY KEY ("token_hash"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "IDX_staff_refresh_tokens_session" ON "staff_refresh_tokens"  ("session_id")`,
    );
    await queryRunner.query(
      `CREATE TABLE "station_shifts" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "station_id" uuid NOT NULL, "operator_id" uuid NOT NULL, "opened_at" TIMESTAMP WITH TIME ZONE NOT NULL, "open_bikes_counted" integer NOT NULL, "open_helmets_counted" integer NOT NULL, "open_bikes_expected" integer NOT NULL, "open_helmets_expected" integer NOT NULL, "closed_at" TIMESTAMP WITH TIME ZONE, "closed_by" uuid, "close_bikes_counted" integer, "close_helmets_counted" integer, "close_bikes_expected" integer, "close_helmets_expected" integer, "note" text, CONSTRAINT "CHK_station_shifts_counts" CHECK ("open_bikes_counted" >= 0 AND "open_helmets_counted" >= 0), CONSTRAINT "PK_62365c6491fa7eb471957cc8090" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "IDX_station_shifts_station_opened" ON "station_shifts"  ("station_id", "opened_at")`,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "UQ_station_shifts_open" ON "station_shifts"  ("station_id", "operator_id") WHERE "closed_at" IS NULL`,
    );
    await queryRunner.query(
      `CREATE TABLE "incidents" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "type" character varying(12) NOT NULL, "station_id" uuid NOT NULL, "bike_id" uuid, "loan_id" uuid, "description" text NOT NULL, "reported_by" uuid NOT NULL, "occurred_at" TIMESTAMP WITH TIME ZONE NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "CHK_incidents_type" CHECK ("type" IN ('accident', 'injury', 'theft', 'vandalism', 'other')), CONSTRAINT "PK_ccb34c01719889017e2246469f9" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "IDX_incidents_station_occurred" ON "incidents"  ("station_id", "occurred_at")`,
    );
    await queryRunner.query(`ALTER TABLE "riders" ADD "helmets_missing" integer NOT NULL DEFAULT '0'`);
    await queryRunner.query(`ALTER TABLE "loans" ADD "helmet_missing" boolean NOT NULL DEFAULT false`);
    await queryRunner.query(
      `ALTER TABLE "staff_sessions" ADD CONSTRAINT "FK_staff_sessions_staff" FOREIGN KEY ("staff_id") REFERENCES "staff_users"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "staff_refresh_tokens" ADD CONSTRAINT "FK_staff_refresh_tokens_session" FOREIGN KEY ("session_id") REFERENCES "staff_sessions"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "station_shifts" ADD CONSTRAINT "FK_station_shifts_station" FOREIGN KEY ("station_id") REFERENCES "stations"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "incidents" ADD CONSTRAINT "FK_incidents_station" FOREIGN KEY ("station_id") REFERENCES "stations"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "incidents" DROP CONSTRAINT "FK_incidents_station"`);
    await queryRunner.query(`ALTER TABLE "station_shifts" DROP CONSTRAINT "FK_station_shifts_station"`);
    await queryRunner.query(`ALTER TABLE "staff_refresh_tokens" DROP CONSTRAINT "FK_staff_refresh_tokens_session"`);
    await queryRunner.query(`ALTER TABLE "staff_sessions" DROP CONSTRAINT "FK_staff_sessions_staff"`);
    await queryRunner.query(`ALTER TABLE "loans" DROP COLUMN "helmet_missing"`);
    await queryRunner.query(`ALTER TABLE "riders" DROP COLUMN "helmets_missing"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_incidents_station_occurred"`);
    await queryRunner.query(`DROP TABLE "incidents"`);
    await queryRunner.query(`DROP INDEX "public"."UQ_station_shifts_open"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_station_shifts_station_opened"`);
    await queryRunner.query(`DROP TABLE "station_shifts"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_staff_refresh_tokens_session"`);
    await queryRunner.query(`DROP TABLE "staff_refresh_tokens"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_staff_sessions_staff"`);
    await queryRunner.query(`DROP TABLE "staff_sessions"`);
    await queryRunner.query(`DROP INDEX "public"."UQ_loan_receipts_journey"`);
    await queryRunner.query(`DROP TABLE "loan_receipts"`);
    await queryRunner.query(`DROP INDEX "public"."UQ_alerts_outbox_kind"`);
    await queryRunner.query(`DROP INDEX "public"."UQ_alerts_open_condition"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_alerts_station_created"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_alerts_unresolved"`);
    await queryRunner.query(`DROP TABLE "alerts"`);
  }
}
