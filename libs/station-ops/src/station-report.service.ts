import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { type Actor, canActAtStation, Clock, DomainError, isValidLocalDate, startOfBogotaDay } from '@metrobici/common';
import { StationEntity } from '@metrobici/stations';
import { type ShiftView, toShiftView } from './shift.service';
import { StationShiftEntity } from './shift.entity';
import { type IncidentView, incidentViewFromRow } from './incident.service';

/** A station's day (Bogotá), for the printable report at the end of the day. */
export interface StationDayReport {
  station: { id: string; code: string; name: string };
  date: string;
  from: string;
  to: string;
  /** Check-outs made here (reverted ones included; see `checkOutsReverted`). */
  checkOuts: number;
  checkOutsReverted: number;
  /** Bikes returned here by riders. */
  returns: number;
  /** Returns recorded by staff (force-return). */
  forcedReturns: number;
  /** Hourly renewals made here. */
  renewals: number;
  /** Loans from here that fell due this day and were late (returned late or still out). */
  overdue: number;
  helmetsMissing: number;
  /** Loans from here reported as bikes never returned. */
  bikesMissing: number;
  /** Damage reports on bikes at this station. */
  damageReports: number;
  incidents: IncidentView[];
  shifts: ShiftView[];
}

@Injectable()
export class StationReportService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly clock: Clock,
  ) {}

  async day(actor: Actor, stationId: string, date: string): Promise<StationDayReport> {
    if (!isValidLocalDate(date)) {
      throw new DomainError('VALIDATION_FAILED', 'La fecha debe tener la forma AAAA-MM-DD.', { date });
    }
    const station = await this.dataSource.getRepository(StationEntity).findOneBy({ id: stationId });
    if (!station) throw new DomainError('STATION_NOT_FOUND', 'La estación no existe.', { stationId });
    if (actor.role === 'operator' && !canActAtStation(actor, station.id)) {
      throw new DomainError('STATION_NOT_ALLOWED', 'No está autorizado para operar en esta estación.');
    }
    const from = startOfBogotaDay(date);
    const to = new Date(from.getTime() + 24 * 3600_000);
    const now = this.clock.now();
    const [events] = await this.dataSource.query<Array<Record<string, number>>>(
      `SELECT count(*) FILTER (WHERE type = 'checked_out' AND from_station_id = $1)::int AS check_outs,
              count(*) FILTER (WHERE type = 'checkout_reverted' AND to_station_id = $1)::int AS reverted,
              count(*) FILTER (WHERE type = 'returned' AND to_station_id = $1)::int AS returns,
              count(*) FILTER (WHERE type = 'force_returned' AND to_station_id = $1)::int AS forced,
              count(*) FILTER (WHERE type = 'renewed' AND to_station_id = $1)::int AS renewals,
              count(*) FILTER (WHERE type = 'damage_reported' AND to_station_id = $1)::int AS damage
         FROM bike_events
        WHERE occurred_at >= $2 AND occurred_at < $3 AND (from_station_id = $1 OR to_station_id = $1)`,
      [station.id, from, to],
    );
    const [loans] = await this.dataSource.query<Array<Record<string, number>>>(
      `SELECT count(*) FILTER (WHERE from_station_id = $1 AND due_at >= $2 AND due_at < $3
                                 AND state <> 'reverted' AND (overdue OR (state = 'open' AND due_at < $4)))::int AS overdue,
              count(*) FILTER (WHERE helmet_missing AND ended_at >= $2 AND ended_at < $3
                                 AND (to_station_id = $1 OR (end_reason = 'bike_missing' AND from_station_id = $1)))::int AS helmets_missing,
              count(*) FILTER (WHERE end_reason = 'bike_missing' AND from_station_id = $1
                                 AND ended_at >= $2 AND ended_at < $3)::int AS bikes_missing
         FROM loans
        WHERE (from_station_id = $1 OR to_station_id = $1) AND (due_at >= $2 OR ended_at >= $2 OR state = 'open')`,
      [station.id, from, to, now],
    );
    const incidents: Array<Record<string, any>> = await this.dataSource.query(
      `SELECT i.*, b.code AS bike_code FROM incidents i LEFT JOIN bikes b ON b.id = i.bike_id
        WHERE i.station_id = $1 AND i.occurred_at >= $2 AND i.occurred_at < $3 ORDER BY i.occurred_at`,
      [station.id, from, to],
    );
    const shifts = await this.dataSource
      .getRepository(StationShiftEntity)
      .createQueryBuilder('s')
      .where('s.station_id = :id', { id: station.id })
      .andWhere('s.opened_at < :to AND (s.closed_at IS NULL OR s.closed_at >= :from)', { from, to })
      .orderBy('s.opened_at', 'ASC')
      .getMany();
    return {
      station: { id: station.id, code: station.code, name: station.name },
      date,
      from: from.toISOString(),
      to: to.toISOString(),
      checkOuts: events.check_outs,
      checkOutsReverted: events.reverted,
      returns: events.returns,
      forcedReturns: events.forced,
      renewals: events.renewals,
      overdue: loans.overdue,
      helmetsMissing: loans.helmets_missing,
      bikesMissing: loans.bikes_missing,
      damageReports: events.damage,
      incidents: incidents.map(incidentViewFromRow),
      shifts: shifts.map(toShiftView),
    };
  }
}
