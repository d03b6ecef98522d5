import type { EntityManager } from 'typeorm';

export interface StrikeOutcome {
  /** The rider's strikes after this one. */
  strikes: number;
  /** Whether the rider is suspended now (by this strike or before). */
  suspended: boolean;
}

/**
 * One strike in the caller's transaction; reaching `strikesToSuspend` suspends an active rider (a
 * pending or already suspended rider keeps their status) with `reasonSql` as the reason (SQL, may
 * use `overdue_strikes`). One statement, so two strikes of the same rider racing both count.
 */
async function addStrike(
  manager: EntityManager,
  riderId: string,
  strikesToSuspend: number,
  { reasonSql, helmetMissing }: { reasonSql: string; helmetMissing: boolean },
): Promise<StrikeOutcome> {
  type Updated = { overdue_strikes: number; status: string };
  const suspends = `overdue_strikes + 1 >= $2 AND status = 'active'`;
  // TypeORM's postgres driver answers [rows, affected] for UPDATE ... RETURNING.
  const [rows] = await manager.query<[Updated[], number]>(
    `UPDATE riders
        SET overdue_strikes = overdue_strikes + 1,
            ${helmetMissing ? 'helmets_missing = helmets_missing + 1,' : ''}
            status = CASE WHEN ${suspends} THEN 'suspended' ELSE status END,
            suspended_at = CASE WHEN ${suspends} THEN now() ELSE suspended_at END,
            suspension_reason = CASE WHEN ${suspends} THEN ${reasonSql} ELSE suspension_reason END
      WHERE id = $1
      RETURNING overdue_strikes, status`,
    [riderId, strikesToSuspend],
  );
  const updated = rows[0];
  return { strikes: Number(updated.overdue_strikes), suspended: updated.status === 'suspended' };
}

/** One overdue strike (a late return), in the caller's transaction. */
export function addOverdueStrike(
  manager: EntityManager,
  riderId: string,
  strikesToSuspend: number,
): Promise<StrikeOutcome> {
  return addStrike(manager, riderId, strikesToSuspend, {
    reasonSql: `'Préstamos vencidos repetidos (' || (overdue_strikes + 1) || ')'`,
    helmetMissing: false,
  });
}

/**
 * A helmet lent with a loan did not come back: recorded on the rider and counted as one strike
 * (DOMAIN.md), with the same suspension rule as overdue loans.
 */
export function addHelmetStrike(
  manager: EntityManager,
  riderId: string,
  strikesToSuspend: number,
): Promise<StrikeOutcome> {
  return addStrike(manager, riderId, strikesToSuspend, {
    reasonSql: `'Faltas repetidas (' || (overdue_strikes + 1) || '), la última por un casco no devuelto'`,
    helmetMissing: true,
  });
}

/**
 * Suspends the rider until an admin reviews the case (a bike never returned), in the caller's
 * transaction; an admin lifts it with `reactivate`. A rider already suspended keeps the first date.
 */
export async function suspendRiderForReview(manager: EntityManager, riderId: string, reason: string): Promise<void> {
  await manager.query(
    `UPDATE riders SET status = 'suspended', suspended_at = COALESCE(CASE WHEN status = 'suspended' THEN suspended_at END, now()),
            suspension_reason = $2
      WHERE id = $1`,
    [riderId, reason],
  );
}

/** Who to lock: the rider's id, or their document (already normalised). */
export type RiderLockKey = { riderId: string } | { documentType: string; documentNumber: string };

/**
 * Locks a rider (FOR UPDATE) as a query for the caller's statement, with `extraColumns` of the
 * caller's (e.g. a check-out's open-loan lookup, `r` = the rider), so the lock and the caller's
 * check ride in the caller's round trip. `after`: a condition evaluated before the rider is read
 * (e.g. `(SELECT id FROM b) IS NOT NULL`, so the caller's bike is locked first, as the lock order
 * wants). Columns: id, status, suspension_reason, then the extra ones.
 */
export function lockRiderSql(
  key: RiderLockKey,
  param: (value: unknown) => string,
  options: { extraColumns?: string[]; after?: string } = {},
): string {
  const where =
    'riderId' in key
      ? `r.id = ${param(key.riderId)}::uuid`
      : `r.document_type = ${param(key.documentType)} AND r.document_number = ${param(key.documentNumber)}`;
  const columns = ['r.id', 'r.status', 'r.suspension_reason', ...(options.extraColumns ?? [])];
  return `SELECT ${columns.join(', ')} FROM riders r WHERE ${options.after ? `${options.after} AND ` : ''}${where} FOR UPDATE OF r`;
}
