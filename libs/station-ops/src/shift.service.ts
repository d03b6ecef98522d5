import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager, IsNull, QueryFailedError } from 'typeorm';
import { type Actor, canActAtStation, Clock, DomainError } from '@metrobici/common';
import { appendToOutbox, outboxMessage } from '@metrobici/outbox';
import { StationEntity } from '@metrobici/stations';
import { StationShiftEntity } from './shift.entity';

export interface ShiftCountInput {
  bikesCounted: number;
  helmetsCounted: number;
}

export interface ShiftCount {
  bikesCounted: number;
  helmetsCounted: number;
  bikesExpected: number;
  helmetsExpected: number;
  /** counted − expected */
  bikesDifference: number;
  helmetsDifference: number;
  /** Whether the count differs from the system's (an alert was raised). */
  mismatch: boolean;
}

export interface ShiftView {
  id: string;
  stationId: string;
  operatorId: string;
  state: 'open' | 'closed';
  openedAt: string;
  closedAt: string | null;
  closedBy: string | null;
  opening: ShiftCount;
  closing: ShiftCount | null;
  note: string | null;
}

function count(counted: number, helmets: number, bikesExpected: number, helmetsExpected: number): ShiftCount {
  return {
    bikesCounted: counted,
    helmetsCounted: helmets,
    bikesExpected,
    helmetsExpected,
    bikesDifference: counted - bikesExpected,
    helmetsDifference: helmets - helmetsExpected,
    mismatch: counted !== bikesExpected || helmets !== helmetsExpected,
  };
}

export function toShiftView(s: StationShiftEntity): ShiftView {
  return {
    id: s.id,
    stationId: s.stationId,
    operatorId: s.operatorId,
    state: s.closedAt ? 'closed' : 'open',
    openedAt: new Date(s.openedAt).toISOString(),
    closedAt: s.closedAt ? new Date(s.closedAt).toISOString() : null,
    closedBy: s.closedBy,
    opening: count(s.openBikesCounted, s.openHelmetsCounted, s.openBikesExpected, s.openHelmetsExpected),
    closing:
      s.closeBikesCounted === null || s.closeHelmetsCounted === null
        ? null
        : count(s.closeBikesCounted, s.closeHelmetsCounted, s.closeBikesExpected ?? 0, s.closeHelmetsExpected ?? 0),
    note: s.note,
  };
}

/**
 * Shifts at a station: the operator counts bikes in the rack and helmets at the start and at the
 * end; the system's numbers at that moment are kept beside the count, and a difference raises a
 * `shift.count_mismatch` alert through the outbox (the counters are not corrected: the
 * reconciliation and a person decide).
 */
@Injectable()
export class ShiftService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly clock: Clock,
  ) {}

  async open(actor: Actor, stationId: string, input: ShiftCountInput): Promise<ShiftView> {
    try {
      return await this.dataSource.transaction(async (manager) => {
        const station = await this.stationFor(manager, actor, stationId);
        const now = this.clock.now();
        const shift = await manager.save(
          manager.create(StationShiftEntity, {
            stationId: station.id,
            operatorId: actor.id,
            openedAt: now,
            openBikesCounted: input.bikesCounted,
            openHelmetsCounted: input.helmetsCounted,
            openBikesExpected: station.bikesDocked,
            openHelmetsExpected: station.helmetsAvailable,
            closedAt: null,
            closedBy: null,
            closeBikesCounted: null,
            closeHelmetsCounted: null,
            closeBikesExpected: null,
            closeHelmetsExpected: null,
            note: null,
          }),
        );
        await this.alertOnMismatch(manager, shift, station, 'open', now);
        return toShiftView(shift);
      });
    } catch (error) {
      if (
        error instanceof QueryFailedError &&
        (error.driverError as { constraint?: string }).constraint === 'UQ_station_shifts_open'
      ) {
        throw new DomainError('SHIFT_ALREADY_OPEN', 'Ya tiene un turno abierto en esta estación; ciérrelo primero.', {
          stationId,
        });
      }
      throw error;
    }
  }

  async close(actor: Actor, shiftId: string, input: ShiftCountInput & { note?: string }): Promise<ShiftView> {
    return this.dataSource.transaction(async (manager) => {
      const shift = await manager.findOne(StationShiftEntity, {
        where: { id: shiftId },
        lock: { mode: 'pessimistic_write' },
      });
      // Someone else's shift: only an admin closes it (an operator forgot to).
      if (!shift || (shift.operatorId !== actor.id && actor.role !== 'admin')) {
        throw new DomainError('SHIFT_NOT_FOUND', 'El turno no existe.', { shiftId });
      }
      if (shift.closedAt) throw new DomainError('SHIFT_CLOSED', 'El turno ya está cerrado.', { shiftId });
      const station = await manager.findOneByOrFail(StationEntity, { id: shift.stationId });
      const now = this.clock.now();
      Object.assign(shift, {
        closedAt: now,
        closedBy: actor.id,
        closeBikesCounted: input.bikesCounted,
        closeHelmetsCounted: input.helmetsCounted,
        closeBikesExpected: station.bikesDocked,
        closeHelmetsExpected: station.helmetsAvailable,
        note: input.note?.trim() || null,
      });
      await manager.save(shift);
      await this.alertOnMismatch(manager, shift, station, 'close', now);
      return toShiftView(shift);
    });
  }

  /** Shifts of a station (newest first): open ones, or those opened on a Bogotá day range. */
  async list(
    actor: Actor,
    stationId: string,
    filter: { state?: 'open' | 'all'; limit?: number },
  ): Promise<ShiftView[]> {
    await this.stationFor(this.dataSource.manager, actor, stationId);
    const rows = await this.dataSource.getRepository(StationShiftEntity).find({
      where: filter.state === 'open' ? { stationId, closedAt: IsNull() } : { stationId },
      order: { openedAt: 'DESC' },
      take: Math.min(Math.max(filter.limit ?? 50, 1), 200),
    });
    return rows.map(toShiftView);
  }

  private async stationFor(manager: EntityManager, actor: Actor, stationId: string): Promise<StationEntity> {
    const station = await manager.findOneBy(StationEntity, { id: stationId });
    if (!station) throw new DomainError('STATION_NOT_FOUND', 'La estación no existe.', { stationId });
    if (!canActAtStation(actor, station.id)) {
      throw new DomainError('STATION_NOT_ALLOWED', 'No está autorizado para operar en esta estación.');
    }
    return station;
  }

  private async alertOnMismatch(
    manager: EntityManager,
    shift: StationShiftEntity,
    station: StationEntity,
    phase: 'open' | 'close',
    at: Date,
  ): Promise<void> {
    const counted = phase === 'open' ? shift.openBikesCounted : (shift.closeBikesCounted as number);
    const helmets = phase === 'open' ? shift.openHelmetsCounted : (shift.closeHelmetsCounted as number);
    if (counted === station.bikesDocked && helmets === station.helmetsAvailable) return;
    await appendToOutbox(manager, [
      outboxMessage('shift.count_mismatch', shift.id, {
        shiftId: shift.id,
        stationId: station.id,
        stationCode: station.code,
        phase,
        bikesCounted: counted,
        bikesExpected: station.bikesDocked,
        helmetsCounted: helmets,
        helmetsExpected: station.helmetsAvailable,
        countedAt: at.toISOString(),
      }),
    ]);
  }
}
