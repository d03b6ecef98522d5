import type { EntityManager } from 'typeorm';

/**
 * Blanks the free-text correction reasons of one rider's loans (an operator may have named the
 * rider there), in the caller's transaction: part of anonymising a rider. Times, stations and
 * outcomes stay, as the statistics need them.
 */
export async function redactRiderLoanNotes(manager: EntityManager, riderId: string, text: string): Promise<void> {
  await manager.query(
    `UPDATE loans SET correction_reason = $2 WHERE rider_id = $1 AND correction_reason IS NOT NULL AND correction_reason <> $2`,
    [riderId, text],
  );
}
