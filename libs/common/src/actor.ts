/**
 * Who is acting: a staff member authenticated by JWT, passed to every service method. `agency`
 * is a supervising agency's read-only account: it opens the MDS Provider API (/mds) and nothing else.
 */
export type StaffRole = 'admin' | 'operator' | 'planner' | 'agency';

export interface Actor {
  id: string;
  email: string;
  role: StaffRole;
  /** Stations an operator may act at; `null` means every station (admins, roaming operators). */
  stationIds: string[] | null;
}

export function canActAtStation(actor: Actor, stationId: string): boolean {
  if (actor.role === 'admin') return true;
  if (actor.role !== 'operator') return false;
  return actor.stationIds === null || actor.stationIds.includes(stationId);
}
