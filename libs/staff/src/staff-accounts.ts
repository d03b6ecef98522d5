import type { EntityManager } from 'typeorm';
import type { StaffRole } from '@metrobici/common';
import { hashPassword } from './password';
import { StaffUserEntity } from './staff-user.entity';

/** A staff account as bulk loaders (seed, CSV import) create it; the e-mail already normalised. */
export interface NewStaffAccount {
  email: string;
  fullName: string;
  /** In clear; only its argon2id hash is stored. */
  password: string;
  role: StaffRole;
  homeStationId: string | null;
  allStations: boolean;
}

export interface StaffAccountPatch {
  role?: StaffRole;
  fullName?: string;
  allStations?: boolean;
  homeStationId?: string | null;
  /** In clear; replaced by its hash. */
  password?: string;
}

/**
 * Creates staff accounts in the caller's transaction, in one INSERT. E-mails must be new (the
 * caller checked; the unique index refuses a repeat).
 */
export async function createStaffAccounts(manager: EntityManager, accounts: NewStaffAccount[]): Promise<void> {
  if (accounts.length === 0) return;
  // One salt per account; argon2 runs on libuv's pool, so hashing in parallel is quicker.
  const hashes = await Promise.all(accounts.map((a) => hashPassword(a.password)));
  await manager.insert(
    StaffUserEntity,
    accounts.map((a, i) => ({
      email: a.email,
      fullName: a.fullName,
      passwordHash: hashes[i],
      role: a.role,
      homeStationId: a.homeStationId,
      allStations: a.allStations,
    })),
  );
}

/** Changes an account's role, name, stations or password in the caller's transaction. */
export async function updateStaffAccount(manager: EntityManager, id: string, patch: StaffAccountPatch): Promise<void> {
  const { password, ...fields } = patch;
  const row: Partial<StaffUserEntity> = { ...fields };
  if (password !== undefined) row.passwordHash = await hashPassword(password);
  if (Object.keys(row).length === 0) return;
  // A new password, role or station set ends the sessions issued under the old one (a patch that
  // repeats the current values, as a re-run import does, ends nothing).
  const current = await manager.findOneBy(StaffUserEntity, { id });
  const revokes =
    password !== undefined ||
    (fields.role !== undefined && fields.role !== current?.role) ||
    (fields.allStations !== undefined && fields.allStations !== current?.allStations) ||
    (fields.homeStationId !== undefined && fields.homeStationId !== current?.homeStationId);
  await manager.update(StaffUserEntity, { id }, revokes ? { ...row, tokenVersion: () => '"token_version" + 1' } : row);
}
