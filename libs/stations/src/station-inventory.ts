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

/** Gives a value a placeholder (`$n`) in the caller's statement. */
export type SqlParam = (value: unknown) => string;

/** The `station.availability_changed` row of a counters CTE named `name` (depots publish nothing). */
const stationChangedSql = (name: string) =>
  outboxInsertSql('station.availability_changed', {
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
    from: `${name} s WHERE s.kind = 'station'`,
  });

/**
 * A station's counter move as two CTEs for the caller's statement (data-modifying CTEs, so a
 * check-out or a return moves counters, bike and loan in one round trip): `<name>` updates the
 * counters, bumps the availability sequence and returns the row (no row when the station is missing
 * or, with `requireActive`, closed: check with `assertStationCounted`), and `<name>_outbox` writes
 * its `station.availability_changed` row. The row lock taken by the UPDATE serialises concurrent
 * moves at one station; the table's CHECK constraints turn "full" or "no helmets" into errors
 * (`translateCountViolation`) instead of impossible counts.
 */
export function stationCountsCtes(name: string, stationId: string, change: CountChange, param: SqlParam): string {
  return `${name} AS (
         UPDATE stations
            SET bikes_docked = bikes_docked + ${param(change.docked ?? 0)}::int,
                bikes_available = bikes_available + ${param(change.available ?? 0)}::int,
                helmets_available = helmets_available + ${param(change.helmets ?? 0)}::int,
                sequence = sequence + 1,
                availability_updated_at = clock_timestamp()
          WHERE id = ${param(stationId)} AND (NOT ${param(change.requireActive ?? false)}::boolean OR active)
        RETURNING id, code, kind, active, capacity, bikes_docked, bikes_available, helmets_available, sequence, availability_updated_at
       ), ${name}_outbox AS (
         ${stationChangedSql(name)}
       )`;
}

/** After a `stationCountsCtes` that updated no row: why (closed, or no such station). */
export async function assertStationCounted(
  manager: Pick<EntityManager, 'query'>,
  stationId: string,
  updatedRows: number,
): Promise<void> {
  if (updatedRows > 0) return;
  const exists: unknown[] = await manager.query('SELECT 1 FROM stations WHERE id = $1', [stationId]);
  if (exists.length > 0)
    throw new DomainError('STATION_INACTIVE', 'La estación está cerrada por la administración.', { stationId });
  throw new DomainError('STATION_NOT_FOUND', 'La estación no existe.', { stationId });
}

/**
 * Moves a station's counters in the caller's transaction, in one statement that also bumps the
 * availability sequence and writes the `station.availability_changed` outbox row (see
 * `stationCountsCtes`).
 */
export async function changeStationCounts(
  manager: EntityManager,
  stationId: string,
  change: CountChange,
): Promise<StationCounts> {
  const params: unknown[] = [];
  const param: SqlParam = (value) => `$${params.push(value)}`;
  let rows: Array<Record<string, unknown>>;
  try {
    rows = await manager.query(`WITH ${stationCountsCtes('s', stationId, change, param)} SELECT * FROM s`, params);
  } catch (error) {
    throw translateCountViolation(error, change);
  }
  await assertStationCounted(manager, stationId, rows.length);
  return toCounts(rows[0]);
}

/** Publishes the current counts again (after a capacity or open/close change) without moving bikes. */
export async function touchStation(manager: EntityManager, stationId: string): Promise<StationCounts> {
  return changeStationCounts(manager, stationId, {});
}

/** A counters CHECK violation of a statement that made `change`, as the domain error it means. */
export function translateCountViolation(error: unknown, change: CountChange): unknown {
  if (error instanceof QueryFailedError) {
    const constraint = (error.driverError as { constraint?: string }).constraint;
    if (constraint === 'CHK_stations_counts' && (change.docked ?? 0) > 0) {
      return new DomainError('STATION_FULL', 'La estación no tiene espacios libres.');
    }
    if (constraint === 'CHK_stations_helmets' && (change.helmets ?? 0) < 0) {
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

/**
 * The station columns an action checks (whether it exists, rents, may be acted at), as a query for
 * the caller's statement (a check-out reads it with the bike lock in one round trip).
 */
export const stationForActionSql = (idParam: string) =>
  `SELECT id, code, kind, active FROM stations WHERE id = ${idParam}`;
