import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * `staff_users.token_version`: tokens carry the version they were issued under and the guard
 * compares it on every request, so a password change or a deactivation ends every session at once.
 * Hand-written; matches StaffUserEntity (drift check).
 */
export class StaffTokenVersion1795571150193 implements MigrationInterface {
  name = 'StaffTokenVersion1795571150193';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "staff_users" ADD "token_version" integer NOT NULL DEFAULT 0`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "staff_users" DROP COLUMN "token_version"`);
  }
}
