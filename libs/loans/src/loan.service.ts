import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { randomUUID } from 'node:crypto';
import { DataSource, type EntityManager, QueryFailedError } from 'typeorm';
import { type Actor, canActAtStation, Clock, DomainError } from '@metrobici/common';
import { APP_CONFIG, type AppConfig } from '@metrobici/config';
import {
  type BikeEntity,
  type BikeEventType,
  BikeEntity as Bike,
  lockBikeByCode,
  recordBikeEvents,
} from '@metrobici/fleet';
import { appendToOutbox, outboxMessage } from '@metrobici/outbox';
import { type DocumentType, normaliseDocumentNumber, RiderEntity } from '@metrobici/riders';
import { changeStationCounts, ServiceHours, StationEntity } from '@metrobici/stations';
import { runIdempotent, type IdempotentResult } from './idempotency';
import { type LoanEndReason, LoanEntity } from './loan.entity';

export interface CheckOutInput {
  bikeCode: string;
  stationId: string;
  riderId?: string;
  documentType?: DocumentType;
  documentNumber?: string;
  helmet?: boolean;
}

export interface ReturnInput {
  bikeCode: string;
  stationId: string;
}

export interface LoanView {
  id: string;
  journeyId: string;
  bikeId: string;
  bikeCode: string;
  riderId: string;
  fromStationId: string;
  toStationId: string | null;
  startedAt: string;
  dueAt: string;
  endedAt: string | null;
  state: LoanEntity['state'];
  endReason: LoanEndReason | null;
  helmet: boolean;
  overdue: boolean;
  durationSeconds: number | null;
}

export interface ReturnView extends LoanView {
  /** The rider's strikes after this return, and whether this return suspended them. */
  riderOverdueStrikes: number;
  riderSuspended: boolean;
}

export interface LoanListItem extends LoanView {
  riderName: string;
  riderDocument: string;
  minutesOverdue: number;
}

export type LoanListState = 'open' | 'overdue' | 'closed' | 'all';

/**
 * Check-out, return, hourly renewal and corrections. Each is one short transaction that locks in a
 * fixed order — bike, then rider, then station (through the counter update) — so two operators on
 * the same bike, rider or station serialise instead of deadlocking, and the partial unique indexes
 * on open loans stay the last word.
 */
@Injectable()
export class LoanService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly hours: ServiceHours,
    private readonly clock: Clock,
  ) {}

  async checkOut(actor: Actor, input: CheckOutInput, idempotencyKey?: string): Promise<IdempotentResult<LoanView>> {
    return this.write(async (manager) => {
      const station = await this.stationForAction(manager, actor, input.stationId);
      const now = this.clock.now();
      await this.hours.assertRenting(station, now, manager);
      return runIdempotent(
        manager,
        idempotencyKey
          ? { actorId: actor.id, scope: 'loan.check_out', key: idempotencyKey, request: input }
          : undefined,
        201,
        async () => {
          const bike = await lockBikeByCode(manager, input.bikeCode);
          if (bike.state !== 'available') {
            throw new DomainError(
              'BIKE_NOT_AVAILABLE',
              `La bicicleta ${bike.code} no está disponible (${bike.state}).`,
              { bikeState: bike.state },
            );
          }
          if (bike.stationId !== station.id) {
            throw new DomainError('BIKE_NOT_AT_STATION', `La bicicleta ${bike.code} no está en esta estación.`, {
              bikeStationId: bike.stationId,
            });
          }
          const rider = await this.lockRider(manager, input);
          if (rider.status === 'pending')
            throw new DomainError('RIDER_NOT_VERIFIED', 'El usuario no ha verificado su documento en una estación.');
          if (rider.status === 'suspended')
            throw new DomainError('RIDER_SUSPENDED', 'El usuario está suspendido.', { reason: rider.suspensionReason });
          const open = await manager.query('SELECT id FROM loans WHERE rider_id = $1 AND state = $2', [
            rider.id,
            'open',
          ]);
          if (open.length > 0)
            throw new DomainError('RIDER_HAS_OPEN_LOAN', 'El usuario ya tiene una bicicleta prestada.', {
              loanId: open[0].id,
            });

          await changeStationCounts(manager, station.id, {
            docked: -1,
            available: -1,
            helmets: input.helmet ? -1 : 0,
            requireActive: true,
          });
          await manager.update(Bike, { id: bike.id }, { state: 'on_loan', stationId: null });
          const loan = await this.openSegment(manager, actor, {
            journeyId: randomUUID(),
            bikeId: bike.id,
            riderId: rider.id,
            stationId: station.id,
            helmet: input.helmet ?? false,
            at: now,
          });
          await this.log(manager, actor, bike, 'checked_out', 'on_loan', {
            fromStationId: station.id,
            loanId: loan.id,
            at: now,
          });
          await appendToOutbox(manager, [
            outboxMessage('loan.opened', loan.id, {
              loanId: loan.id,
              journeyId: loan.journeyId,
              bikeId: bike.id,
              fromStationId: station.id,
              startedAt: now.toISOString(),
            }),
          ]);
          return toView(loan, bike.code);
        },
      );
    });
  }

  async returnBike(actor: Actor, input: ReturnInput, idempotencyKey?: string): Promise<IdempotentResult<ReturnView>> {
    return this.write(async (manager) => {
      const station = await this.stationForAction(manager, actor, input.stationId);
      if (station.kind !== 'station' || !station.active) {
        throw new DomainError(
          'STATION_INACTIVE',
          `La estación ${station.code} está cerrada por la administración; devuelva la bicicleta en otra.`,
        );
      }
      return runIdempotent(
        manager,
        idempotencyKey ? { actorId: actor.id, scope: 'loan.return', key: idempotencyKey, request: input } : undefined,
        200,
        async () => {
          const bike = await lockBikeByCode(manager, input.bikeCode);
          const loan = await this.lockOpenLoanOfBike(manager, bike);
          const now = this.clock.now();
          const strikes = await this.closeLoan(manager, actor, loan, bike, station.id, now, 'returned', null);
          return {
            ...toView(loan, bike.code),
            riderOverdueStrikes: strikes.strikes,
            riderSuspended: strikes.suspended,
          };
        },
      );
    });
  }

  /** Hourly rule: the trip is closed at this station and the next one of the same journey opens. */
  async renew(actor: Actor, loanId: string, input: { stationId: string }): Promise<LoanView> {
    return this.write(async (manager) => {
      const station = await this.stationForAction(manager, actor, input.stationId);
      const now = this.clock.now();
      await this.hours.assertRenting(station, now, manager);
      const loan = await this.lockOpenLoan(manager, loanId);
      const bike = await manager.findOneByOrFail(Bike, { id: loan.bikeId });
      const late = now > loan.dueAt;
      Object.assign(loan, {
        state: 'closed',
        endedAt: now,
        endReason: 'renewed',
        toStationId: station.id,
        overdue: late,
        closedBy: actor.id,
      });
      await manager.save(loan);
      if (late) await this.addStrike(manager, loan.riderId);
      const next = await this.openSegment(manager, actor, {
        journeyId: loan.journeyId,
        bikeId: loan.bikeId,
        riderId: loan.riderId,
        stationId: station.id,
        helmet: loan.helmet,
        at: now,
      });
      await this.log(manager, actor, bike, 'renewed', 'on_loan', { toStationId: station.id, loanId: next.id, at: now });
      await appendToOutbox(manager, [
        outboxMessage('loan.closed', loan.id, {
          loanId: loan.id,
          journeyId: loan.journeyId,
          endReason: 'renewed',
          toStationId: station.id,
          endedAt: now.toISOString(),
        }),
        outboxMessage('loan.opened', next.id, {
          loanId: next.id,
          journeyId: next.journeyId,
          bikeId: next.bikeId,
          fromStationId: station.id,
          startedAt: now.toISOString(),
        }),
      ]);
      return toView(next, bike.code);
    });
  }

  /** Undo a check-out made by mistake: the bike goes back to where it left, no trip is counted. */
  async revertCheckOut(actor: Actor, loanId: string, input: { reason: string }): Promise<LoanView> {
    return this.write(async (manager) => {
      const loan = await this.lockOpenLoan(manager, loanId);
      if (!canActAtStation(actor, loan.fromStationId)) throw notAllowed();
      const bike = await manager.findOneByOrFail(Bike, { id: loan.bikeId });
      const now = this.clock.now();
      Object.assign(loan, {
        state: 'reverted',
        endedAt: now,
        endReason: 'reverted',
        toStationId: loan.fromStationId,
        closedBy: actor.id,
        correctionReason: input.reason,
      });
      await manager.save(loan);
      await changeStationCounts(manager, loan.fromStationId, { docked: 1, available: 1, helmets: loan.helmet ? 1 : 0 });
      await manager.update(Bike, { id: bike.id }, { state: 'available', stationId: loan.fromStationId });
      await this.log(manager, actor, bike, 'checkout_reverted', 'available', {
        toStationId: loan.fromStationId,
        loanId: loan.id,
        at: now,
        reason: input.reason,
      });
      await appendToOutbox(manager, [
        outboxMessage('loan.closed', loan.id, {
          loanId: loan.id,
          journeyId: loan.journeyId,
          endReason: 'reverted',
          toStationId: loan.fromStationId,
          endedAt: now.toISOString(),
        }),
      ]);
      return toView(loan, bike.code);
    });
  }

  /** Record a return the operator missed (or a bike brought back elsewhere): no overdue strike. */
  async forceReturn(actor: Actor, loanId: string, input: { stationId: string; reason: string }): Promise<LoanView> {
    return this.write(async (manager) => {
      const station = await this.stationForAction(manager, actor, input.stationId);
      const loan = await this.lockOpenLoan(manager, loanId);
      const bike = await manager.findOneByOrFail(Bike, { id: loan.bikeId });
      await this.closeLoan(manager, actor, loan, bike, station.id, this.clock.now(), 'forced', input.reason);
      return toView(loan, bike.code);
    });
  }

  async get(_actor: Actor, id: string): Promise<LoanView> {
    const loan = await this.dataSource.getRepository(LoanEntity).findOne({ where: { id }, relations: { bike: true } });
    if (!loan) throw new DomainError('LOAN_NOT_FOUND', 'El préstamo no existe.');
    return toView(loan, loan.bike?.code ?? '');
  }

  async list(
    _actor: Actor,
    filter: { state?: LoanListState; stationId?: string; riderId?: string; limit?: number },
  ): Promise<LoanListItem[]> {
    const now = this.clock.now();
    const state = filter.state ?? 'open';
    const where: string[] = [];
    const params: unknown[] = [];
    const param = (v: unknown) => {
      params.push(v);
      return `$${params.length}`;
    };
    if (state === 'open' || state === 'overdue') where.push(`l.state = 'open'`);
    if (state === 'overdue') where.push(`l.due_at < ${param(now)}`);
    if (state === 'closed') where.push(`l.state <> 'open'`);
    if (filter.stationId)
      where.push(`(l.from_station_id = ${param(filter.stationId)} OR l.to_station_id = $${params.length})`);
    if (filter.riderId) where.push(`l.rider_id = ${param(filter.riderId)}`);
    const limit = Math.min(Math.max(filter.limit ?? 100, 1), 500);
    const rows: Array<Record<string, any>> = await this.dataSource.query(
      `SELECT l.*, b.code AS bike_code, r.first_name, r.last_name, r.document_type, r.document_number
         FROM loans l JOIN bikes b ON b.id = l.bike_id JOIN riders r ON r.id = l.rider_id
        ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
        ORDER BY ${state === 'closed' ? 'l.ended_at DESC' : 'l.due_at ASC'}
        LIMIT ${limit}`,
      params,
    );
    return rows.map((r) => {
      const view = toView(
        {
          id: r.id,
          journeyId: r.journey_id,
          bikeId: r.bike_id,
          riderId: r.rider_id,
          fromStationId: r.from_station_id,
          toStationId: r.to_station_id,
          startedAt: r.started_at,
          dueAt: r.due_at,
          endedAt: r.ended_at,
          state: r.state,
          endReason: r.end_reason,
          helmet: r.helmet,
          overdue: r.overdue,
        } as LoanEntity,
        r.bike_code,
      );
      const late = r.state === 'open' ? Math.floor((now.getTime() - new Date(r.due_at).getTime()) / 60_000) : 0;
      return {
        ...view,
        overdue: view.overdue || late > 0,
        riderName: `${r.first_name} ${r.last_name}`,
        riderDocument: `${r.document_type} ${r.document_number}`,
        minutesOverdue: Math.max(0, late),
      };
    });
  }

  /**
   * Marks open loans past their due time as overdue, once each, and announces them through the
   * outbox (operators' alerts). Strikes are counted when the loan closes, so running this twice,
   * or concurrently, changes nothing more.
   */
  async flagOverdue(now: Date = this.clock.now()): Promise<number> {
    const rows: unknown[] = await this.dataSource.query(
      `WITH flagged AS (
         UPDATE loans l SET overdue = true
          WHERE l.state = 'open' AND l.overdue = false AND l.due_at < $1
         RETURNING l.id, l.bike_id, l.rider_id, l.from_station_id, l.started_at, l.due_at
       )
       INSERT INTO outbox_events (type, aggregate_id, payload)
       SELECT 'loan.overdue', f.id, jsonb_build_object(
                'loanId', f.id, 'bikeId', f.bike_id, 'bikeCode', b.code, 'riderId', f.rider_id,
                'fromStationId', f.from_station_id,
                'startedAt', to_char(f.started_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
                'dueAt', to_char(f.due_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'))
         FROM flagged f JOIN bikes b ON b.id = f.bike_id
       RETURNING id`,
      [now],
    );
    return rows.length;
  }

  // ---- internals -------------------------------------------------------------------------------

  private async write<T>(work: (manager: EntityManager) => Promise<T>): Promise<T> {
    try {
      return await this.dataSource.transaction('READ COMMITTED', work);
    } catch (error) {
      throw translateLoanViolation(error);
    }
  }

  private async stationForAction(manager: EntityManager, actor: Actor, stationId: string): Promise<StationEntity> {
    const station = await manager.findOneBy(StationEntity, { id: stationId });
    if (!station) throw new DomainError('STATION_NOT_FOUND', 'La estación no existe.', { stationId });
    if (!canActAtStation(actor, station.id)) throw notAllowed();
    return station;
  }

  private async lockRider(manager: EntityManager, input: CheckOutInput): Promise<RiderEntity> {
    const repo = manager.getRepository(RiderEntity);
    let rider: RiderEntity | null = null;
    if (input.riderId) {
      rider = await repo.findOne({ where: { id: input.riderId }, lock: { mode: 'pessimistic_write' } });
    } else if (input.documentType && input.documentNumber) {
      rider = await repo.findOne({
        where: { documentType: input.documentType, documentNumber: normaliseDocumentNumber(input.documentNumber) },
        lock: { mode: 'pessimistic_write' },
      });
    } else {
      throw new DomainError('VALIDATION_FAILED', 'Indique riderId o documentType y documentNumber.');
    }
    if (!rider) throw new DomainError('RIDER_NOT_FOUND', 'No hay un usuario registrado con ese documento.');
    return rider;
  }

  private async lockOpenLoanOfBike(manager: EntityManager, bike: BikeEntity): Promise<LoanEntity> {
    if (bike.state !== 'on_loan') {
      throw new DomainError('BIKE_NOT_ON_LOAN', `La bicicleta ${bike.code} no está prestada (${bike.state}).`, {
        bikeState: bike.state,
      });
    }
    const loan = await manager
      .getRepository(LoanEntity)
      .findOne({ where: { bikeId: bike.id, state: 'open' }, lock: { mode: 'pessimistic_write' } });
    if (!loan) throw new DomainError('BIKE_NOT_ON_LOAN', `La bicicleta ${bike.code} no tiene un préstamo abierto.`);
    return loan;
  }

  private async lockOpenLoan(manager: EntityManager, loanId: string): Promise<LoanEntity> {
    // Bike first, as everywhere else, then the loan.
    const [row] = (await manager.query('SELECT bike_id FROM loans WHERE id = $1', [loanId])) as Array<{
      bike_id: string;
    }>;
    if (!row) throw new DomainError('LOAN_NOT_FOUND', 'El préstamo no existe.');
    await manager.query('SELECT id FROM bikes WHERE id = $1 FOR UPDATE', [row.bike_id]);
    const loan = await manager
      .getRepository(LoanEntity)
      .findOne({ where: { id: loanId }, lock: { mode: 'pessimistic_write' } });
    if (!loan || loan.state !== 'open')
      throw new DomainError('LOAN_NOT_OPEN', 'El préstamo ya está cerrado.', { state: loan?.state });
    return loan;
  }

  private async closeLoan(
    manager: EntityManager,
    actor: Actor,
    loan: LoanEntity,
    bike: BikeEntity,
    stationId: string,
    now: Date,
    reason: 'returned' | 'forced',
    correction: string | null,
  ): Promise<{ strikes: number; suspended: boolean }> {
    const late = now > loan.dueAt;
    let strikes = { strikes: 0, suspended: false };
    if (late && reason === 'returned') strikes = await this.addStrike(manager, loan.riderId);
    await changeStationCounts(manager, stationId, { docked: 1, available: 1, helmets: loan.helmet ? 1 : 0 });
    await manager.update(Bike, { id: bike.id }, { state: 'available', stationId });
    Object.assign(loan, {
      state: 'closed',
      endedAt: now,
      endReason: reason,
      toStationId: stationId,
      overdue: late,
      closedBy: actor.id,
      correctionReason: correction,
    });
    await manager.save(loan);
    await this.log(manager, actor, bike, reason === 'forced' ? 'force_returned' : 'returned', 'available', {
      toStationId: stationId,
      loanId: loan.id,
      at: now,
      reason: correction,
    });
    await appendToOutbox(manager, [
      outboxMessage('loan.closed', loan.id, {
        loanId: loan.id,
        journeyId: loan.journeyId,
        endReason: reason,
        toStationId: stationId,
        endedAt: now.toISOString(),
      }),
    ]);
    return strikes;
  }

  /** One overdue strike; reaching the configured number suspends an active rider. */
  private async addStrike(manager: EntityManager, riderId: string): Promise<{ strikes: number; suspended: boolean }> {
    const [row] = (await manager.query(
      `UPDATE riders
          SET overdue_strikes = overdue_strikes + 1,
              status = CASE WHEN overdue_strikes + 1 >= $2 AND status = 'active' THEN 'suspended' ELSE status END,
              suspended_at = CASE WHEN overdue_strikes + 1 >= $2 AND status = 'active' THEN now() ELSE suspended_at END,
              suspension_reason = CASE WHEN overdue_strikes + 1 >= $2 AND status = 'active'
                                       THEN 'Préstamos vencidos repetidos (' || (overdue_strikes + 1) || ')' ELSE suspension_reason END
        WHERE id = $1
        RETURNING overdue_strikes, status`,
      [riderId, this.config.loans.overdueStrikesToSuspend],
    )) as [Array<{ overdue_strikes: number; status: string }>, number];
    const updated = Array.isArray(row) ? row[0] : (row as unknown as { overdue_strikes: number; status: string });
    return { strikes: Number(updated.overdue_strikes), suspended: updated.status === 'suspended' };
  }

  private async log(
    manager: EntityManager,
    actor: Actor,
    bike: BikeEntity,
    type: BikeEventType,
    toState: BikeEntity['state'],
    at: { fromStationId?: string; toStationId?: string; loanId: string; at: Date; reason?: string | null },
  ): Promise<void> {
    await recordBikeEvents(manager, [
      {
        bikeId: bike.id,
        type,
        fromState: bike.state,
        toState,
        fromStationId: at.fromStationId ?? bike.stationId,
        toStationId: at.toStationId ?? null,
        loanId: at.loanId,
        actorId: actor.id,
        reason: at.reason ?? null,
        occurredAt: at.at,
      },
    ]);
  }

  /** A new open trip segment; a check-out starts a journey, a renewal continues one. */
  private openSegment(
    manager: EntityManager,
    actor: Actor,
    segment: { journeyId: string; bikeId: string; riderId: string; stationId: string; helmet: boolean; at: Date },
  ): Promise<LoanEntity> {
    const repo = manager.getRepository(LoanEntity);
    return repo.save(
      repo.create({
        journeyId: segment.journeyId,
        bikeId: segment.bikeId,
        riderId: segment.riderId,
        fromStationId: segment.stationId,
        toStationId: null,
        startedAt: segment.at,
        dueAt: this.dueFrom(segment.at),
        endedAt: null,
        state: 'open',
        endReason: null,
        helmet: segment.helmet,
        checkedOutBy: actor.id,
      }),
    );
  }

  private dueFrom(start: Date): Date {
    return new Date(start.getTime() + this.config.loans.maxMinutes * 60_000);
  }
}

function notAllowed(): DomainError {
  return new DomainError('STATION_NOT_ALLOWED', 'No está autorizado para operar en esta estación.');
}

/** The unique indexes are the last line of defence; their violations mean the same as the checks. */
function translateLoanViolation(error: unknown): unknown {
  if (error instanceof QueryFailedError) {
    const constraint = (error.driverError as { constraint?: string }).constraint;
    if (constraint === 'UQ_loans_open_rider')
      return new DomainError('RIDER_HAS_OPEN_LOAN', 'El usuario ya tiene una bicicleta prestada.');
    if (constraint === 'UQ_loans_open_bike')
      return new DomainError('BIKE_NOT_AVAILABLE', 'La bicicleta ya está prestada.');
  }
  return error;
}

export function toView(
  loan: Pick<
    LoanEntity,
    | 'id'
    | 'journeyId'
    | 'bikeId'
    | 'riderId'
    | 'fromStationId'
    | 'toStationId'
    | 'startedAt'
    | 'dueAt'
    | 'endedAt'
    | 'state'
    | 'endReason'
    | 'helmet'
    | 'overdue'
  >,
  bikeCode: string,
): LoanView {
  const started = new Date(loan.startedAt);
  const ended = loan.endedAt ? new Date(loan.endedAt) : null;
  return {
    id: loan.id,
    journeyId: loan.journeyId,
    bikeId: loan.bikeId,
    bikeCode,
    riderId: loan.riderId,
    fromStationId: loan.fromStationId,
    toStationId: loan.toStationId,
    startedAt: started.toISOString(),
    dueAt: new Date(loan.dueAt).toISOString(),
    endedAt: ended ? ended.toISOString() : null,
    state: loan.state,
    endReason: loan.endReason,
    helmet: loan.helmet,
    overdue: loan.overdue,
    durationSeconds: ended ? Math.round((ended.getTime() - started.getTime()) / 1000) : null,
  };
}
