import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Trip statistics: `trip_facts` (one row per trip segment, keyed by the loan, every KPI input
 * derived once) and `station_samples` (bikes and free spaces per station and minute of opening
 * hours). Both are derived data: `stats:rebuild` recomputes the facts from `loans`.
 */
export class TripStats1795571134193 implements MigrationInterface {
  name = 'TripStats1795571134193';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE TABLE "trip_facts" (
      "loan_id" uuid NOT NULL,
      "journey_id" uuid NOT NULL,
      "rider_id" uuid NOT NULL,
      "bike_id" uuid NOT NULL,
      "donor_id" uuid NOT NULL,
      "from_station_id" uuid NOT NULL,
      "to_station_id" uuid NOT NULL,
      "started_at" TIMESTAMP WITH TIME ZONE NOT NULL,
      "ended_at" TIMESTAMP WITH TIME ZONE NOT NULL,
      "local_date" date NOT NULL,
      "start_hour" smallint NOT NULL,
      "end_local_date" date NOT NULL,
      "end_hour" smallint NOT NULL,
      "duration_s" integer NOT NULL,
      "distance_m" integer NOT NULL,
      "co2_g" integer NOT NULL,
      "gender" character varying(12) NOT NULL,
      "age_band" character varying(8) NOT NULL,
      "helmet" boolean NOT NULL,
      "overdue" boolean NOT NULL,
      "touches_metrolinea" boolean NOT NULL,
      "end_reason" character varying(16) NOT NULL,
      "synthetic" boolean NOT NULL,
      "aggregated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
      CONSTRAINT "PK_trip_facts" PRIMARY KEY ("loan_id"))`);
    await queryRunner.query(`CREATE INDEX "IDX_trip_facts_local_date" ON "trip_facts" ("local_date")`);
    await queryRunner.query(`CREATE INDEX "IDX_trip_facts_end_local_date" ON "trip_facts" ("end_local_date")`);
    await queryRunner.query(
      `ALTER TABLE "trip_facts" ADD CONSTRAINT "FK_trip_facts_loan" FOREIGN KEY ("loan_id") REFERENCES "loans"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );

    await queryRunner.query(`CREATE TABLE "station_samples" (
      "station_id" uuid NOT NULL,
      "sampled_at" TIMESTAMP WITH TIME ZONE NOT NULL,
      "bikes_available" integer NOT NULL,
      "spaces_available" integer NOT NULL,
      "interval_seconds" integer NOT NULL,
      CONSTRAINT "PK_station_samples" PRIMARY KEY ("station_id", "sampled_at"))`);
    await queryRunner.query(`CREATE INDEX "IDX_station_samples_sampled_at" ON "station_samples" ("sampled_at")`);
    await queryRunner.query(
      `ALTER TABLE "station_samples" ADD CONSTRAINT "FK_station_samples_station" FOREIGN KEY ("station_id") REFERENCES "stations"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "station_samples"`);
    await queryRunner.query(`DROP TABLE "trip_facts"`);
  }
}
