import { type MigrationInterface, type QueryRunner } from 'typeorm';

export class InitialSchema1795571131193 implements MigrationInterface {
  name = 'InitialSchema1795571131193';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "donors" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "code" character varying(32) NOT NULL, "name" character varying(120) NOT NULL, CONSTRAINT "PK_7fafae759bcc8cc1dfa09c3fbcf" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE UNIQUE INDEX "UQ_donors_code" ON "donors"  ("code") `);
    await queryRunner.query(
      `CREATE TABLE "stations" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "code" character varying(32) NOT NULL, "name" character varying(120) NOT NULL, "address" character varying(200) NOT NULL DEFAULT '', "lat" double precision NOT NULL, "lon" double precision NOT NULL, "capacity" integer NOT NULL, "kind" character varying(16) NOT NULL DEFAULT 'station', "active" boolean NOT NULL DEFAULT true, "near_metrolinea" boolean NOT NULL DEFAULT false, "bikes_docked" integer NOT NULL DEFAULT '0', "bikes_available" integer NOT NULL DEFAULT '0', "helmets_available" integer NOT NULL DEFAULT '0', "sequence" bigint NOT NULL DEFAULT '0', "availability_updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "CHK_stations_kind" CHECK ("kind" IN ('station', 'depot')), CONSTRAINT "CHK_stations_helmets" CHECK ("helmets_available" >= 0), CONSTRAINT "CHK_stations_counts" CHECK ("bikes_available" >= 0 AND "bikes_available" <= "bikes_docked" AND "bikes_docked" <= "capacity"), CONSTRAINT "PK_f047974bd453c85b08bab349367" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE UNIQUE INDEX "UQ_stations_code" ON "stations"  ("code") `);
    await queryRunner.query(
      `CREATE TABLE "bikes" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "code" character varying(32) NOT NULL, "donor_id" uuid NOT NULL, "state" character varying(16) NOT NULL, "station_id" uuid, "note" text, "police_report" character varying(64), "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "CHK_bikes_place" CHECK (("state" IN ('available', 'maintenance')) = ("station_id" IS NOT NULL)), CONSTRAINT "CHK_bikes_state" CHECK ("state" IN ('available', 'on_loan', 'maintenance', 'in_transit', 'missing', 'retired')), CONSTRAINT "PK_5237c1fcb162998a0d31e640814" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE UNIQUE INDEX "UQ_bikes_code" ON "bikes"  ("code") `);
    await queryRunner.query(`CREATE INDEX "IDX_bikes_station_state" ON "bikes"  ("station_id", "state") `);
    await queryRunner.query(
      `CREATE TABLE "bike_events" ("id" BIGSERIAL NOT NULL, "bike_id" uuid NOT NULL, "type" character varying(32) NOT NULL, "from_state" character varying(16), "to_state" character varying(16) NOT NULL, "from_station_id" uuid, "to_station_id" uuid, "loan_id" uuid, "actor_id" uuid, "reason" text, "occurred_at" TIMESTAMP WITH TIME ZONE NOT NULL, CONSTRAINT "PK_1e60f2a76957d8c3d6840650ac1" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE INDEX "IDX_bike_events_bike" ON "bike_events"  ("bike_id", "occurred_at") `);
    await queryRunner.query(
      `CREATE TABLE "rebalancing_moves" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "bike_id" uuid NOT NULL, "from_station_id" uuid NOT NULL, "to_station_id" uuid, "needs_repair" boolean NOT NULL DEFAULT false, "state" character varying(16) NOT NULL, "picked_up_at" TIMESTAMP WITH TIME ZONE NOT NULL, "picked_up_by" uuid NOT NULL, "dropped_at" TIMESTAMP WITH TIME ZONE, "dropped_by" uuid, CONSTRAINT "CHK_rebalancing_state" CHECK ("state" IN ('in_transit', 'completed', 'cancelled')), CONSTRAINT "PK_4ecf17c17c9d623b1549555a9dc" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "UQ_rebalancing_bike_in_transit" ON "rebalancing_moves"  ("bike_id") WHERE "state" = 'in_transit'`,
    );
    await queryRunner.query(
      `CREATE TABLE "riders" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "document_type" character varying(4) NOT NULL, "document_number" character varying(32) NOT NULL, "first_name" character varying(80) NOT NULL, "last_name" character varying(80) NOT NULL, "birth_date" date NOT NULL, "gender" character varying(12) NOT NULL, "phone" character varying(32) NOT NULL, "email" character varying(254), "guardian_name" character varying(160), "guardian_document_type" character varying(4), "guardian_document_number" character varying(32), "consent_accepted_at" TIMESTAMP WITH TIME ZONE NOT NULL, "consent_terms_version" character varying(32) NOT NULL, "consent_purposes" jsonb NOT NULL, "status" character varying(12) NOT NULL DEFAULT 'pending', "verified_at" TIMESTAMP WITH TIME ZONE, "verified_by" uuid, "verified_at_station_id" uuid, "overdue_strikes" integer NOT NULL DEFAULT '0', "suspended_at" TIMESTAMP WITH TIME ZONE, "suspension_reason" text, "synthetic" boolean NOT NULL DEFAULT false, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "CHK_riders_gender" CHECK ("gender" IN ('female', 'male', 'other', 'undisclosed')), CONSTRAINT "CHK_riders_status" CHECK ("status" IN ('pending', 'active', 'suspended')), CONSTRAINT "PK_6c17e67f760677500c29d68e689" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "UQ_riders_document" ON "riders"  ("document_type", "document_number") `,
    );
    await queryRunner.query(
      `CREATE TABLE "loans" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "journey_id" uuid NOT NULL, "bike_id" uuid NOT NULL, "rider_id" uuid NOT NULL, "from_station_id" uuid NOT NULL, "to_station_id" uuid, "started_at" TIMESTAMP WITH TIME ZONE NOT NULL, "due_at" TIMESTAMP WITH TIME ZONE NOT NULL, "ended_at" TIMESTAMP WITH TIME ZONE, "state" character varying(12) NOT NULL, "end_reason" character varying(16), "helmet" boolean NOT NULL DEFAULT false, "overdue" boolean NOT NULL DEFAULT false, "checked_out_by" uuid NOT NULL, "closed_by" uuid, "correction_reason" text, "synthetic" boolean NOT NULL DEFAULT false, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "CHK_loans_closed_has_end" CHECK (("state" = 'open') = ("ended_at" IS NULL)), CONSTRAINT "CHK_loans_state" CHECK ("state" IN ('open', 'closed', 'reverted')), CONSTRAINT "PK_5c6942c1e13e4de135c5203ee61" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE INDEX "IDX_loans_open_due" ON "loans"  ("due_at") WHERE "state" = 'open'`);
    await queryRunner.query(`CREATE INDEX "IDX_loans_started_at" ON "loans"  ("started_at") `);
    await queryRunner.query(`CREATE INDEX "IDX_loans_journey" ON "loans"  ("journey_id") `);
    await queryRunner.query(
      `CREATE UNIQUE INDEX "UQ_loans_open_rider" ON "loans"  ("rider_id") WHERE "state" = 'open'`,
    );
    await queryRunner.query(`CREATE UNIQUE INDEX "UQ_loans_open_bike" ON "loans"  ("bike_id") WHERE "state" = 'open'`);
    await queryRunner.query(
      `CREATE TABLE "idempotency_records" ("actor_id" uuid NOT NULL, "scope" character varying(32) NOT NULL, "key" character varying(128) NOT NULL, "request_hash" character(64) NOT NULL, "response_status" integer, "response_body" jsonb, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_66a249e28fb7720a43825df109f" PRIMARY KEY ("actor_id", "scope", "key"))`,
    );
    await queryRunner.query(
      `CREATE TABLE "outbox_events" ("id" BIGSERIAL NOT NULL, "type" character varying(64) NOT NULL, "aggregate_id" uuid, "payload" jsonb NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "published_at" TIMESTAMP WITH TIME ZONE, CONSTRAINT "PK_6689a16c00d09b8089f6237f1d2" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "IDX_outbox_unpublished" ON "outbox_events"  ("id") WHERE "published_at" IS NULL`,
    );
    await queryRunner.query(
      `CREATE TABLE "staff_users" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "email" character varying(254) NOT NULL, "full_name" character varying(120) NOT NULL DEFAULT '', "password_hash" character varying(255) NOT NULL, "role" character varying(12) NOT NULL, "home_station_id" uuid, "all_stations" boolean NOT NULL DEFAULT false, "active" boolean NOT NULL DEFAULT true, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "CHK_staff_role" CHECK ("role" IN ('admin', 'operator', 'planner')), CONSTRAINT "PK_c6b167335377df69f7910c2c75e" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE UNIQUE INDEX "UQ_staff_email" ON "staff_users"  ("email") `);
    await queryRunner.query(
      `ALTER TABLE "bikes" ADD CONSTRAINT "FK_bikes_donor" FOREIGN KEY ("donor_id") REFERENCES "donors"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "bikes" ADD CONSTRAINT "FK_bikes_station" FOREIGN KEY ("station_id") REFERENCES "stations"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "bike_events" ADD CONSTRAINT "FK_bike_events_bike" FOREIGN KEY ("bike_id") REFERENCES "bikes"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "rebalancing_moves" ADD CONSTRAINT "FK_rebalancing_bike" FOREIGN KEY ("bike_id") REFERENCES "bikes"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "rebalancing_moves" ADD CONSTRAINT "FK_rebalancing_from" FOREIGN KEY ("from_station_id") REFERENCES "stations"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "rebalancing_moves" ADD CONSTRAINT "FK_rebalancing_to" FOREIGN KEY ("to_station_id") REFERENCES "stations"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "loans" ADD CONSTRAINT "FK_loans_bike" FOREIGN KEY ("bike_id") REFERENCES "bikes"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "loans" ADD CONSTRAINT "FK_loans_rider" FOREIGN KEY ("rider_id") REFERENCES "riders"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "loans" ADD CONSTRAINT "FK_loans_from_station" FOREIGN KEY ("from_station_id") REFERENCES "stations"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "loans" ADD CONSTRAINT "FK_loans_to_station" FOREIGN KEY ("to_station_id") REFERENCES "stations"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "staff_users" ADD CONSTRAINT "FK_staff_home_station" FOREIGN KEY ("home_station_id") REFERENCES "stations"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "staff_users" DROP CONSTRAINT "FK_staff_home_station"`);
    await queryRunner.query(`ALTER TABLE "loans" DROP CONSTRAINT "FK_loans_to_station"`);
    await queryRunner.query(`ALTER TABLE "loans" DROP CONSTRAINT "FK_loans_from_station"`);
    await queryRunner.query(`ALTER TABLE "loans" DROP CONSTRAINT "FK_loans_rider"`);
    await queryRunner.query(`ALTER TABLE "loans" DROP CONSTRAINT "FK_loans_bike"`);
    await queryRunner.query(`ALTER TABLE "rebalancing_moves" DROP CONSTRAINT "FK_rebalancing_to"`);
    await queryRunner.query(`ALTER TABLE "rebalancing_moves" DROP CONSTRAINT "FK_rebalancing_from"`);
    await queryRunner.query(`ALTER TABLE "rebalancing_moves" DROP CONSTRAINT "FK_rebalancing_bike"`);
    await queryRunner.query(`ALTER TABLE "bike_events" DROP CONSTRAINT "FK_bike_events_bike"`);
    await queryRunner.query(`ALTER TABLE "bikes" DROP CONSTRAINT "FK_bikes_station"`);
    await queryRunner.query(`ALTER TABLE "bikes" DROP CONSTRAINT "FK_bikes_donor"`);
    await queryRunner.query(`DROP INDEX "public"."UQ_staff_email"`);
    await queryRunner.query(`DROP TABLE "staff_users"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_outbox_unpublished"`);
    await queryRunner.query(`DROP TABLE "outbox_events"`);
    await queryRunner.query(`DROP TABLE "idempotency_records"`);
    await queryRunner.query(`DROP INDEX "public"."UQ_loans_open_bike"`);
    await queryRunner.query(`DROP INDEX "public"."UQ_loans_open_rider"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_loans_journey"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_loans_started_at"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_loans_open_due"`);
    await queryRunner.query(`DROP TABLE "loans"`);
    await queryRunner.query(`DROP INDEX "public"."UQ_riders_document"`);
    await queryRunner.query(`DROP TABLE "riders"`);
    await queryRunner.query(`DROP INDEX "public"."UQ_rebalancing_bike_in_transit"`);
    await queryRunner.query(`DROP TABLE "rebalancing_moves"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_bike_events_bike"`);
    await queryRunner.query(`DROP TABLE "bike_events"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_bikes_station_state"`);
    await queryRunner.query(`DROP INDEX "public"."UQ_bikes_code"`);
    await queryRunner.query(`DROP TABLE "bikes"`);
    await queryRunner.query(`DROP INDEX "public"."UQ_stations_code"`);
    await queryRunner.query(`DROP TABLE "stations"`);
    await queryRunner.query(`DROP INDEX "public"."UQ_donors_code"`);
    await queryRunner.query(`DROP TABLE "donors"`);
  }
}
