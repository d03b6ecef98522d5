import type { EntityManager } from 'typeorm';
import { DonorEntity } from './donor.entity';

/** Adds donors in the caller's transaction (codes must be new; the caller checked). */
export async function createDonors(
  manager: EntityManager,
  donors: Array<{ code: string; name: string }>,
): Promise<void> {
  if (donors.length > 0) await manager.insert(DonorEntity, donors);
}

/** Corrects a donor's name; its bikes and their history keep pointing at the same donor. */
export async function renameDonor(manager: EntityManager, donorId: string, name: string): Promise<void> {
  await manager.update(DonorEntity, { id: donorId }, { name });
}
