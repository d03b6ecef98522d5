import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Ley 1581 rights and privacy by design: consent per purpose as an append-only history
 * (`rider_consents`), the audit of staff reads of personal data (`personal_data_reads`), the log of
 * rectifications and anonymisations (`rider_profile_changes`, who/why/which fields, never old
 * values), riders that can be anonymised (birth date nullable, `anonymised_at`) and the guardian's
 * declared birth date; exports of two kinds (public aggregates, research trip rows approved by an
 * admin). The old one-bundle consent (service, statistics, anonymised sharing with advisers) is
 * carried over as `service` + `research`. Matches the entities (drift check); hand-finished for
 * the triggers and the data carried over.
 */
export class RiderPrivacy1795571180193 implements MigrationInterface {
  name = 'RiderPrivacy1795571180193';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "rider_consents" ("id" BIGSERIAL NOT NULL, "rider_id" uuid NOT NULL, "purposes" jsonb NOT NULL, "terms_version" character varying(32) NOT NULL, "granted_by" character varying(12) NOT NULL, "source" character varying(16) NOT NULL, "recorded_by" uuid, "recorded_at" TIMESTAMP WITH TIME ZONE NOT NULL, CONSTRAINT "CHK_rider_consents_source" CHECK ("source" IN ('registration', 'staff', 'migration', 'seed')), CONSTRAINT "CHK_rider_consents_granted_by" CHECK ("granted_by" IN ('rider', 'guardian')), CONSTRAINT "PK_rider_consents" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "IDX_rider_consents_rider" ON "rider_consents"  ("rider_id", "recorded_at") `,
    );
    await queryRunner.query(
      `CREATE TABLE "personal_data_reads" ("id" BIGSERIAL NOT NULL, "actor_id" uuid NOT NULL, "actor_role" character varying(12) NOT NULL, "rider_id" uuid, "route" character varying(120) NOT NULL, "details" jsonb, "read_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_personal_data_reads" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE INDEX "IDX_personal_data_reads_read_at" ON "personal_data_reads"  ("read_at") `);
    await queryRunner.query(
      `CREATE INDEX "IDX_personal_data_reads_actor" ON "personal_data_reads"  ("actor_id", "read_at") `,
    );
    await queryRunner.query(
      `CREATE INDEX "IDX_personal_data_reads_rider" ON "personal_data_reads"  ("rider_id", "read_at") `,
    );
    await queryRunner.query(
      `CREATE TABLE "rider_profile_changes" ("id" BIGSERIAL NOT NULL, "rider_id" uuid NOT NULL, "actor_id" uuid, "kind" character varying(12) NOT NULL, "fields" jsonb NOT NULL, "reason" text NOT NULL, "changed_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "CHK_rider_profile_changes_kind" CHECK ("kind" IN ('rectify', 'anonymise')), CONSTRAINT "PK_rider_profile_changes" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "IDX_rider_profile_changes_rider" ON "rider_profile_changes"  ("rider_id", "changed_at") `,
    );
    await queryRunner.query(`ALTER TABLE "exports" ADD "package_kind" character varying(12) NOT NULL DEFAULT 'public'`);
    await queryRunner.query(`ALTER TABLE "exports" ADD "recipient" character varying(200)`);
    await queryRunner.query(`ALTER TABLE "exports" ADD "agreement_ref" character varying(120)`);
    await queryRunner.query(`ALTER TABLE "exports" ADD "approved_by" uuid`);
    await queryRunner.query(`ALTER TABLE "exports" ADD "approved_at" TIMESTAMP WITH TIME ZONE`);
    await queryRunner.query(`ALTER TABLE "exports" ADD "include_synthetic" boolean NOT NULL DEFAULT false`);
    await queryRunner.query(`ALTER TABLE "riders" ADD "guardian_birth_date" date`);
    await queryRunner.query(`ALTER TABLE "riders" ADD "anonymised_at" TIMESTAMP WITH TIME ZONE`);
    await queryRunner.query(`ALTER TABLE "riders" ALTER COLUMN "birth_date" DROP NOT NULL`);
    await queryRunner.query(`ALTER TABLE "exports" DROP CONSTRAINT "CHK_exports_state"`);
    await queryRunner.query(
      `ALTER TABLE "exports" ADD CONSTRAINT "CHK_exports_state" CHECK ("state" IN ('unapproved', 'queued', 'active', 'completed', 'failed'))`,
    );
    await queryRunner.query(
      `ALTER TABLE "exports" ADD CONSTRAINT "CHK_exports_research_agreement" CHECK ("package_kind" <> 'research' OR ("recipient" IS NOT NULL AND "agreement_ref" IS NOT NULL AND "include_synthetic" = false))`,
    );
    await queryRunner.query(
      `ALTER TABLE "exports" ADD CONSTRAINT "CHK_exports_package_kind" CHECK ("package_kind" IN ('public', 'research'))`,
    );
    await queryRunner.query(
      `ALTER TABLE "rider_consents" ADD CONSTRAINT "FK_rider_consents_rider" FOREIGN KEY ("rider_id") REFERENCES "riders"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "rider_profile_changes" ADD CONSTRAINT "FK_rider_profile_changes_rider" FOREIGN KEY ("rider_id") REFERENCES "riders"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );

    // The consent already given: the old bundle becomes `service` + `research`, one history row each.
    await queryRunner.query(
      `UPDATE riders SET consent_purposes = CASE WHEN consent_purposes ? 'anonymised_sharing_with_advisers'
                                                 THEN '["service", "research"]'::jsonb ELSE '["service"]'::jsonb END`,
    );
    await queryRunner.query(
      `INSERT INTO rider_consents (rider_id, purposes, terms_version, granted_by, source, recorded_at)
       SELECT id, consent_purposes, consent_terms_version, 'rider', 'migration', consent_accepted_at FROM riders
       UNION ALL
       SELECT id, consent_purposes, consent_terms_version, 'guardian', 'migration', consent_accepted_at FROM riders
        WHERE guardian_name IS NOT NULL`,
    );

    // Evidence: the consent history and the audit of reads are append-only, enforced by the database.
    await queryRunner.query(`
      CREATE FUNCTION privacy_log_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION '% is append-only', TG_TABLE_NAME USING ERRCODE = 'insufficient_privilege';
      END
      $$`);
    await queryRunner.query(`
      CREATE TRIGGER rider_consents_append_only BEFORE UPDATE OR DELETE OR TRUNCATE ON rider_consents
      FOR EACH STATEMENT EXECUTE FUNCTION privacy_log_refuse_change()`);
    await queryRunner.query(`
      CREATE TRIGGER personal_data_reads_append_only BEFORE UPDATE OR DELETE OR TRUNCATE ON personal_data_reads
      FOR EACH STATEMENT EXECUTE FUNCTION privacy_log_refuse_change()`);
    // The change log too, except that the anonymisation of a rider (which sets the transaction-local
    // metrobici.anonymising_rider to that rider's id) may blank the free-text reasons of that rider.
    await queryRunner.query(`
      CREATE FUNCTION rider_profile_changes_guard() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF TG_OP = 'UPDATE'
           AND coalesce(current_setting('metrobici.anonymising_rider', true), '') = OLD.rider_id::text
           AND NEW.id = OLD.id AND NEW.rider_id = OLD.rider_id AND NEW.actor_id IS NOT DISTINCT FROM OLD.actor_id
           AND NEW.kind = OLD.kind AND NEW.fields = OLD.fields AND NEW.changed_at = OLD.changed_at THEN
          RETURN NEW;
        END IF;
        RAISE EXCEPTION 'rider_profile_changes is append-only' USING ERRCODE = 'insufficient_privilege';
      END
      $$`);
    await queryRunner.query(`
      CREATE TRIGGER rider_profile_changes_append_only BEFORE UPDATE OR DELETE ON rider_profile_changes
      FOR EACH ROW EXECUTE FUNCTION rider_profile_changes_guard()`);
    await queryRunner.query(`
      CREATE TRIGGER rider_profile_changes_no_truncate BEFORE TRUNCATE ON rider_profile_changes
      FOR EACH STATEMENT EXECUTE FUNCTION privacy_log_refuse_change()`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TRIGGER rider_profile_changes_no_truncate ON rider_profile_changes');
    await queryRunner.query('DROP TRIGGER rider_profile_changes_append_only ON rider_profile_changes');
    await queryRunner.query('DROP FUNCTION rider_profile_changes_guard()');
    await queryRunner.query('DROP TRIGGER personal_data_reads_append_only ON personal_data_reads');
    await queryRunner.query('DROP TRIGGER rider_consents_append_only ON rider_consents');
    await queryRunner.query('DROP FUNCTION privacy_log_refuse_change()');
    await queryRunner.query(
      `UPDATE riders SET consent_purposes = '["service", "statistics", "anonymised_sharing_with_advisers"]'::jsonb`,
    );
    await queryRunner.query(`ALTER TABLE "rider_profile_changes" DROP CONSTRAINT "FK_rider_profile_changes_rider"`);
    await queryRunner.query(`ALTER TABLE "rider_consents" DROP CONSTRAINT "FK_rider_consents_rider"`);
    await queryRunner.query(`ALTER TABLE "exports" DROP CONSTRAINT "CHK_exports_package_kind"`);
    await queryRunner.query(`ALTER TABLE "exports" DROP CONSTRAINT "CHK_exports_research_agreement"`);
    await queryRunner.query(`DELETE FROM "exports" WHERE "state" = 'unapproved'`);
    await queryRunner.query(`ALTER TABLE "exports" DROP CONSTRAINT "CHK_exports_state"`);
    await queryRunner.query(
      `ALTER TABLE "exports" ADD CONSTRAINT "CHK_exports_state" CHECK ("state" IN ('queued', 'active', 'completed', 'failed'))`,
    );
    // Anonymised riders have no birth date left; the old schema cannot hold them.
    await queryRunner.query(`UPDATE "riders" SET "birth_date" = DATE '1900-01-01' WHERE "birth_date" IS NULL`);
    await queryRunner.query(`ALTER TABLE "riders" ALTER COLUMN "birth_date" SET NOT NULL`);
    await queryRunner.query(`ALTER TABLE "riders" DROP COLUMN "anonymised_at"`);
    await queryRunner.query(`ALTER TABLE "riders" DROP COLUMN "guardian_birth_date"`);
    for (const column of [
      'include_synthetic',
      'approved_at',
      'approved_by',
      'agreement_ref',
      'recipient',
      'package_kind',
    ])
      await queryRunner.query(`ALTER TABLE "exports" DROP COLUMN "${column}"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_rider_profile_changes_rider"`);
    await queryRunner.query(`DROP TABLE "rider_profile_changes"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_personal_data_reads_rider"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_personal_data_reads_actor"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_personal_data_reads_read_at"`);
    await queryRunner.query(`DROP TABLE "personal_data_reads"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_rider_consents_rider"`);
    await queryRunner.query(`DROP TABLE "rider_consents"`);
  }
}
