import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The `agency` staff role: read-only accounts of the supervising agencies for the MDS Provider API.
 * Hand-written; matches StaffUserEntity's CHK_staff_role (drift check).
 */
export class AgencyRole1795571140193 implements MigrationInterface {
  name = 'AgencyRole1795571140193';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "staff_users" DROP CONSTRAINT "CHK_staff_role"`);
    await queryRunner.query(
      `ALTER TABLE "staff_users" ADD CONSTRAINT "CHK_staff_role" CHECK ("role" IN ('admin', 'operator', 'planner', 'agency'))`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DELETE FROM "staff_users" WHERE "role" = 'agency'`);
    await queryRunner.query(`ALTER TABLE "staff_users" DROP CONSTRAINT "CHK_staff_role"`);
    await queryRunner.query(
      `ALTER TABLE "staff_users" ADD CONSTRAINT "CHK_staff_role" CHECK ("role" IN ('admin', 'operator', 'planner'))`,
    );
  }
}
