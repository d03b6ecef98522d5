import type { LoanEndReason } from './loan.entity';

/**
 * What a trip is, in one place: a closed loan segment that ended with one of these reasons. A
 * renewal closes a segment (a trip) and opens the next one of the same journey; a reverted
 * check-out and a bike that went missing on loan are not trips. Stats, exports and the outbox relay
 * all count trips through this file.
 */
export const TRIP_END_REASONS = ['returned', 'renewed', 'forced'] as const satisfies readonly LoanEndReason[];

export type TripEndReason = (typeof TRIP_END_REASONS)[number];

export function isTripEndReason(reason: string | null | undefined): reason is TripEndReason {
  return (TRIP_END_REASONS as readonly string[]).includes(reason ?? '');
}

/** SQL condition "this loan row is a trip", for a `loans` table aliased `alias`. */
export function tripSql(alias: string): string {
  return `${alias}.state = 'closed' AND ${alias}.end_reason IN (${TRIP_END_REASONS.map((r) => `'${r}'`).join(', ')})`;
}
