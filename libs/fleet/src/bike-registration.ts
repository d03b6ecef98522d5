import type { EntityManager } from 'typeorm';
import { changeStationCounts } from '@metrobici/stations';
import type { BikeState } from './bike.entity';
import { rackShare } from './rack-share';

/** States a bike may enter the fleet in; the others come from operations. */
export type RegistrableBikeState = Extract<BikeState, 'available' | 'maintenance' | 'retired'>;

export interface NewBike {
  code: string;
  donorId: string;
  state: RegistrableBikeState;
  /** Required for a bike in a rack (available, maintenance); null for a retired one (CHK_bikes_place). */
  stationId: string | null;
}

export interface RegisteredBike {
  id: string;
  code: string;
  state: RegistrableBikeState;
  stationId: string | null;
}

/**
 * Adds bikes to the fleet in the caller's transaction, in bulk: the bike rows, one `registered`
 * row each in the bike log, and the counters of every station they stand in (through
 * `changeStationCounts`, so capacity and the outbox are handled there, one statement per station
 * in id order, as every multi-station writer locks them). Codes must be new (the caller checked;
 * the unique index refuses a repeat). `actorId` null means a system load (seed, import).
 */
export async function registerBikes(
  manager: EntityManager,
  bikes: NewBike[],
  actorId: string | null,
  at: Date,
  reason: string | null = null,
): Promise<RegisteredBike[]> {
  if (bikes.length === 0) return [];
  // unnest keeps this one statement each however many bikes (a VALUES list would hit the
  // 65,535-parameter limit of a large import).
  const inserted = await manager.query<
    Array<{ id: string; code: string; state: RegistrableBikeState; station_id: string | null }>
  >(
    `INSERT INTO bikes (code, donor_id, state, station_id)
     SELECT * FROM unnest($1::varchar[], $2::uuid[], $3::varchar[], $4::uuid[])
     RETURNING id, code, state, station_id`,
    [bikes.map((b) => b.code), bikes.map((b) => b.donorId), bikes.map((b) => b.state), bikes.map((b) => b.stationId)],
  );
  await manager.query(
    `INSERT INTO bike_events (bike_id, type, from_state, to_state, from_station_id, to_station_id, loan_id, actor_id, reason, occurred_at)
     SELECT bike_id, 'registered', NULL, state, NULL, station_id, NULL, $4::uuid, $5, $6
       FROM unnest($1::uuid[], $2::varchar[], $3::uuid[]) AS t(bike_id, state, station_id)`,
    [inserted.map((b) => b.id), inserted.map((b) => b.state), inserted.map((b) => b.station_id), actorId, reason, at],
  );
  const perStation = new Map<string, { docked: number; available: number }>();
  for (const b of inserted) {
    if (!b.station_id) continue;
    const share = rackShare(b.state);
    const c = perStation.get(b.station_id) ?? { docked: 0, available: 0 };
    c.docked += share.docked;
    c.available += share.available;
    perStation.set(b.station_id, c);
  }
  for (const [stationId, change] of [...perStation].sort(([a], [b]) => a.localeCompare(b))) {
    if (change.docked !== 0) await changeStationCounts(manager, stationId, change);
  }
  return inserted.map((b) => ({ id: b.id, code: b.code, state: b.state, stationId: b.station_id }));
}
