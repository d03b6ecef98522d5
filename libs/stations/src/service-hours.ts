import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import { Clock, DomainError } from '@metrobici/common';
import { APP_CONFIG, type AppConfig } from '@metrobici/config';
import { PilotStateEntity } from './pilot-state.entity';
import { StationEntity } from './station.entity';

/** What a check-out needs of pilot_state. */
export type PilotStateRead = Pick<PilotStateEntity, 'status' | 'closedAt' | 'endDate'>;

/**
 * pilot_state read FOR SHARE, for a check-out's own statement (`assertRentingWith` judges it):
 * check-outs do not block each other, but closing the pilot (an UPDATE of this row) waits for
 * those in flight, and any check-out after it waits for the closing to commit and then sees it.
 * Columns: status, closed_at, end_date (the date as text, as the entity reads it).
 */
export const PILOT_STATE_FOR_SHARE_SQL = `SELECT status, closed_at, end_date::text AS end_date FROM pilot_state WHERE id = 1 FOR SHARE`;

/** A row of `PILOT_STATE_FOR_SHARE_SQL` (as JSON or as columns), or null when the row is missing. */
export function pilotClosingFromRow(
  row: { status: string; closed_at: string | Date | null; end_date: string | null } | null,
): PilotStateRead | null {
  if (!row) return null;
  return {
    status: row.status as PilotStateRead['status'],
    closedAt: row.closed_at === null ? null : new Date(row.closed_at),
    endDate: row.end_date,
  };
}

/** How long the synchronous checks (live `isOpen`, GBFS `is_renting`) may trust a read of pilot_state. */
const PILOT_STATE_CACHE_MS = 3000;

/**
 * When bikes may leave a station: the station is active, the city's opening hours say open (Bogotá
 * time, Colombian holidays closed) and the pilot is running — inside PILOT_START/PILOT_END and not
 * closed by an admin (pilot_state). Returns are accepted at any hour.
 *
 * A check-out reads pilot_state in its own transaction (`assertRenting`), so a closing is obeyed
 * from the moment it commits; displays use a copy at most a few seconds old (`refresh`).
 */
@Injectable()
export class ServiceHours {
  private cached: { state: PilotStateRead | null; readAt: number } | undefined;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly clock: Clock,
    @InjectDataSource() private readonly dataSource: DataSource,
  ) {}

  /** Reads the closing state now (in the caller's transaction when given) and refreshes the cached copy. */
  async pilotState(manager: EntityManager = this.dataSource.manager): Promise<PilotStateEntity | null> {
    // Inside a check-out's transaction the row is read FOR SHARE: check-outs do not block each
    // other, but closing the pilot (an UPDATE of this row) waits for those in flight, and any
    // check-out after it waits for the closing to commit and then sees it.
    const inTransaction = manager.queryRunner?.isTransactionActive === true;
    const state = await manager.getRepository(PilotStateEntity).findOne({
      where: { id: 1 },
      ...(inTransaction ? { lock: { mode: 'pessimistic_read' as const } } : {}),
    });
    this.cached = { state, readAt: Date.now() };
    return state;
  }

  /** Re-reads pilot_state when the cached copy is older than a few seconds. */
  async refresh(): Promise<void> {
    if (!this.cached || Date.now() - this.cached.readAt > PILOT_STATE_CACHE_MS) await this.pilotState();
  }

  /** Whether an admin closed the pilot, by the last read of pilot_state. */
  get pilotClosed(): boolean {
    return this.cached?.state?.status === 'closed';
  }

  isPilotRunning(at: Date = this.clock.now()): boolean {
    const { start, end } = this.config.pilot;
    return !this.pilotClosed && (!start || at >= start) && (!end || at < end);
  }

  isRenting(station: Pick<StationEntity, 'active' | 'kind'>, at: Date = this.clock.now()): boolean {
    return (
      station.kind === 'station' &&
      station.active &&
      this.isPilotRunning(at) &&
      this.config.pilot.openingHours.isOpen(at)
    );
  }

  /** Throws the specific reason bikes cannot leave this station now; reads pilot_state fresh. */
  async assertRenting(
    station: Pick<StationEntity, 'active' | 'kind' | 'code'>,
    at: Date = this.clock.now(),
    manager?: EntityManager,
  ): Promise<void> {
    if (station.kind !== 'station' || !station.active) {
      throw new DomainError('STATION_INACTIVE', `La estación ${station.code} está cerrada por la administración.`);
    }
    this.assertRentingWith(station, await this.pilotState(manager), at);
  }

  /**
   * `assertRenting` with pilot_state already read in the caller's transaction (a check-out reads it
   * FOR SHARE in the statement that locks the bike: `PILOT_STATE_FOR_SHARE_SQL`); refreshes the
   * cached copy as `pilotState` does.
   */
  assertRentingWith(
    station: Pick<StationEntity, 'active' | 'kind' | 'code'>,
    state: PilotStateRead | null,
    at: Date = this.clock.now(),
  ): void {
    if (station.kind !== 'station' || !station.active) {
      throw new DomainError('STATION_INACTIVE', `La estación ${station.code} está cerrada por la administración.`);
    }
    this.cached = { state, readAt: Date.now() };
    if (state?.status === 'closed') {
      throw new DomainError(
        'PILOT_NOT_RUNNING',
        'El piloto terminó: no se prestan bicicletas. Las devoluciones se siguen recibiendo.',
        {
          closedAt: state.closedAt?.toISOString() ?? null,
          endDate: state.endDate,
        },
      );
    }
    if (!this.isPilotRunning(at)) {
      throw new DomainError('PILOT_NOT_RUNNING', 'El piloto no está en operación: no se prestan bicicletas.');
    }
    if (!this.config.pilot.openingHours.isOpen(at)) {
      throw new DomainError(
        'STATION_CLOSED',
        `La estación está fuera de horario (${this.config.pilot.openingHours.source}).`,
        {
          openingHours: this.config.pilot.openingHours.source,
        },
      );
    }
  }

  get openingHours(): string {
    return this.config.pilot.openingHours.source;
  }
}
