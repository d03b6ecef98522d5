import type { EntityManager } from 'typeorm';
import type { LoanEndReason } from './loan.entity';

/** A generated, already closed trip segment for demos and benchmarks (`synthetic = true`). */
export interface SyntheticLoan {
  journeyId: string;
  bikeId: string;
  riderId: string;
  fromStationId: string;
  toStationId: string;
  startedAt: Date;
  dueAt: Date;
  endedAt: Date;
  endReason: Extract<LoanEndReason, 'returned' | 'renewed'>;
  helmet: boolean;
  overdue: boolean;
}

/**
 * Writes closed synthetic loans in the caller's transaction, in one statement. They only feed
 * statistics and exports: no bike moves and no counter changes (the bikes never left their racks).
 */
export async function insertSyntheticLoans(
  manager: EntityManager,
  loans: SyntheticLoan[],
  staffId: string,
): Promise<void> {
  if (loans.length === 0) return;
  await manager.query(
    `INSERT INTO loans (journey_id, bike_id, rider_id, from_station_id, to_station_id, started_at, due_at, ended_at, state, end_reason,
                        helmet, overdue, checked_out_by, closed_by, synthetic)
     SELECT journey_id, bike_id, rider_id, from_station_id, to_station_id, started_at, due_at, ended_at, 'closed', end_reason,
            helmet, overdue, $12, $12, true
       FROM unnest($1::uuid[], $2::uuid[], $3::uuid[], $4::uuid[], $5::uuid[], $6::timestamptz[], $7::timestamptz[], $8::timestamptz[],
                   $9::varchar[], $10::boolean[], $11::boolean[])
         AS t(journey_id, bike_id, rider_id, from_station_id, to_station_id, started_at, due_at, ended_at, end_reason, helmet, overdue)`,
    [
      loans.map((t) => t.journeyId),
      loans.map((t) => t.bikeId),
      loans.map((t) => t.riderId),
      loans.map((t) => t.fromStationId),
      loans.map((t) => t.toStationId),
      loans.map((t) => t.startedAt.toISOString()),
      loans.map((t) => t.dueAt.toISOString()),
      loans.map((t) => t.endedAt.toISOString()),
      loans.map((t) => t.endReason),
      loans.map((t) => t.helmet),
      loans.map((t) => t.overdue),
      staffId,
    ],
  );
}

/** Deletes the synthetic loans that started in [from, to); real loans are never touched. Returns how many. */
export async function deleteSyntheticLoans(manager: EntityManager, from: Date, to: Date): Promise<number> {
  const deleted: unknown[] = await manager.query(
    `DELETE FROM loans WHERE synthetic AND started_at >= $1 AND started_at < $2 RETURNING 1`,
    [from, to],
  );
  // The pg driver returns [rows, count] for a DELETE … RETURNING through TypeORM.
  return Array.isArray(deleted[0]) ? (deleted[0] as unknown[]).length : deleted.length;
}
