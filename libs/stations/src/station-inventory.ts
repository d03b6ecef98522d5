import { DomainError } from '@metrobici/common';
import { isoTimestampSql, outboxInsertSql } from '@metrobici/outbox';
import { EntityManager, QueryFailedError } from 'typeorm';
import { StationEntity } from './station.entity';

export interface CountChange {
  /** Bikes entering (+) or leaving (-) the rack, whatever their state. */
  docked?: number;
  /** Bikes becoming rentable (+) or not (-). */
  available?: number;
  helmets?: number;
  /**
   * Only if the station is still active when the row lock is taken: a check-out racing an admin's
   * closing re-reads the row after the closing commits and is refused, instead of slipping through.
   */
  requireActive?: boolean;
}

export interface StationCounts {
  id: string;
  code: string;
  kind: string;
  active: boolean;
  capacity: number;
  bikesDocked: number;
  bikesAvailable: number;
  helmetsAvailable: number;
  sequence: number;
  updatedAt: Date;
}

/** The `station.availability_changed` row of the counters' statement (`s` = the updated station). */
const STATION_CHANGED_SQL = outboxInsertSql('station.availability_changed', {
  aggregateId: 's.id',
  payload: {
    stationId: 's.id',
    bikesAvailable: 's.bikes_available',
    spacesAvailable: 's.capacity - s.bikes_docked',
    helmetsAvailable: 's.helmets_available',
    active: 's.active',
    sequence: 's.sequence',
    updatedAt: isoTimestampSql('s.availability_updated_at'),
  },
  from: `s WHERE s.kind = 'station'`,
});

/**
 * Moves a station's counters in the caller's transaction, in one statement that also bumps the
 * availability sequence and writes the `station.availability_changed` outbox row (depots are not
 * public, so they publish nothing). The row lock taken by the UPDATE serialises concurrent moves
 * at one station; the table's CHECK constraints turn "full" or "no helmets" into errors instead of
 * impossible counts.
 */
export async function changeStationCounts(
  manager: EntityManager,
  stationId: string,
  change: CountChange,
): Promise<StationCounts> {
  const docked = change.docked ?? 0;
  const available = change.available ?? 0;
  const helmets = change.helmets ?? 0;
  let rows: Array<Record<string, unknown>>;
  try {
    rows = await manager.query(
      `WITH s AS (
         UPDATE stations
            SET bikes_docked = bikes_docked + $2,
                bikes_available = bikes_available + $3,
                helmets_available = helmets_available + $4,
                sequence = sequence + 1,
                availability_updated_at = clock_timestamp()
          WHERE id = $1 AND (NOT $5::boolean OR active)
        RETURNING id, code, kind, active, capacity, bikes_docked, bikes_available, helmets_available, sequence, availability_updated_at
       ), o AS (
         ${STATION_CHANGED_SQL}
       )
       SELECT * FROM s`,
      [stationId, docked, available, helmets, change.requireActive ?? false],
    );
  } catch (error) {
    throw translateCountViolation(error, docked, helmets);
  }
  if (rows.length === 0) {
    const exists: unknown[] = await manager.query('SELECT 1 FROM stations WHERE id = $1', [stationId]);
    if (exists.length > 0)
      throw new DomainError('STATION_INACTIVE', 'La estación está cerrada por la administración.', { stationId });
    throw new DomainError('STATION_NOT_FOUND', 'La estación no existe.', { stationId });
  }
  return toCounts(rows[0]);
}

/** Publishes the current counts again (after a capacity or open/close change) without moving bikes. */
export async function touchStation(manager: EntityManager, stationId: string): Promise<StationCounts> {
  return changeStationCounts(manager, stationId, {});
}

function translateCountViolation(error: unknown, docked: number, helmets: number): unknown {
  if (error instanceof QueryFailedError) {
    const constraint = (error.driverError as { constraint?: string }).constraint;
    if (constraint === 'CHK_stations_counts' && docked > 0) {
      return new DomainError('STATION_FULL', 'La estación no tiene espacios libres.');
    }
    if (constraint === 'CHK_stations_helmets' && helmets < 0) {
      return new DomainError('HELMET_NOT_AVAILABLE', 'No quedan cascos en esta estación.');
    }
  }
  return error;
}

function toCounts(row: Record<string, unknown>): StationCounts {
  return {
    id: row.id as string,
    code: row.code as string,
    kind: row.kind as string,
    active: row.active as boolean,
    capacity: Number(row.capacity),
    bikesDocked: Number(row.bikes_docked),
    bikesAvailable: Number(row.bikes_available),
    helmetsAvailable: Number(row.helmets_available),
    sequence: Number(row.sequence),
    updatedAt: row.availability_updated_at as Date,
  };
}

export function spacesAvailable(station: Pick<StationEntity, 'capacity' | 'bikesDocked'>): number {
  return station.capacity - station.bikesDocked;
}
