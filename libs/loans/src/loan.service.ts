import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { randomUUID } from 'node:crypto';
import { DataSource, type EntityManager, QueryFailedError } from 'typeorm';
import { type Actor, canActAtStation, Clock, DomainError } from '@metrobici/common';
import { APP_CONFIG, type AppConfig } from '@metrobici/config';
import { type BikeEntity, BikeEntity as Bike, lockBikeByCode, moveBike, recordBikeEvents } from '@metrobici/fleet';
import { appendToOutbox, isoTimestampSql, outboxInsertSql, outboxMessage } from '@metrobici/outbox';
import {
  addHelmetStrike,
  addOverdueStrike,
  type DocumentType,
  normaliseDocumentNumber,
  RiderEntity,
  type StrikeOutcome,
  suspendRiderForReview,
} from '@metrobici/riders';
import { ServiceHours, StationEntity } from '@metrobici/stations';
import { type IdempotencyScopeName, IdempotencyService, type IdempotentResult } from '@metrobici/idempotency';
import { type LoanEndReason, LoanEntity } from './loan.entity';
import { createReceipt, type ReceiptLink } from './loan-receipts';

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
  /** Whether the helmet lent with the bike came back; default true (ignored for a loan without one). */
  helmetReturned?: boolean;
}

export interface ReportMissingInput {
  note: string;
  /** The police report number ("denuncia"), when there already is one. */
  policeReport?: string;
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
  helmetMissing: boolean;
  overdue: boolean;
  durationSeconds: number | null;
}

/** A check-out's answer: the loan and the rider's receipt (a public page, shown as a QR code). */
export interface CheckOutView extends LoanView {
  receipt: ReceiptLink;
}

export interface ReportMissingView extends LoanView {
  riderSuspended: boolean;
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

/** The `loan.overdue` rows of `flagOverdue` (`f` = the loans just flagged). */
const LOAN_OVERDUE_SQL = outboxInsertSql('loan.overdue', {
  aggregateId: 'f.id',
  payload: {
    loanId: 'f.id',
    bikeId: 'f.bike_id',
    bikeCode: 'b.code',
    riderId: 'f.rider_id',
    fromStationId: 'f.from_station_id',
    startedAt: isoTimestampSql('f.started_at'),
    dueAt: isoTimestampSql('f.due_at'),
  },
  from: 'flagged f JOIN bikes b ON b.id = f.bike_id',
});

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
    private readonly idempotency: IdempotencyService,
  ) {}

  // Each write below runs through `idempotency.run`: with a key, the stored answer is looked up
  // before any check (station, opening hours, pilot), so a retry of a committed request gets it.

  async checkOut(actor: Actor, input: CheckOutInput, idempotencyKey?: string): Promise<IdempotentResult<CheckOutView>> {
    return this.idempotent(actor, 'loan.check_out', idempotencyKey, input, 201, async (manager) => {
      const station = await this.stationForAction(manager, actor, input.stationId);
      const now = this.clock.now();
      await this.hours.assertRenting(station, now, manager);
      const bike = await lockBikeByCode(manager, input.bikeCode);
      if (bike.state !== 'available') {
        throw new DomainError('BIKE_NOT_AVAILABLE', `La bicicleta ${bike.code} no está disponible (${bike.state}).`, {
          bikeState: bike.state,
        });
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
      const open = await manager.query('SELECT id FROM loans WHERE rider_id = $1 AND state = $2', [rider.id, 'open']);
      if (open.length > 0)
        throw new DomainError('RIDER_HAS_OPEN_LOAN', 'El usuario ya tiene una bicicleta prestada.', {
          loanId: open[0].id,
        });

      // The loan first: the bike's log row refers to it. All of it commits or none.
      const loan = await this.openSegment(manager, actor, {
        journeyId: randomUUID(),
        bikeId: bike.id,
        riderId: rider.id,
        stationId: station.id,
        helmet: input.helmet ?? false,
        at: now,
      });
      await moveBike(manager, bike, {
        type: 'checked_out',
        toState: 'on_loan',
        toStationId: null,
        actorId: actor.id,
        loanId: loan.id,
        occurredAt: now,
        helmets: input.helmet ? -1 : 0,
        requireActive: true,
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
      // The receipt lives with the journey: a renewal keeps it, the end of the journey ends it.
      const receipt = await createReceipt(manager, loan.journeyId, this.config.http.publicBaseUrl);
      return { ...toView(loan, bike.code), receipt };
    });
  }

  async returnBike(actor: Actor, input: ReturnInput, idempotencyKey?: string): Promise<IdempotentResult<ReturnView>> {
    return this.idempotent(actor, 'loan.return', idempotencyKey, input, 200, async (manager) => {
      const station = await this.stationForAction(manager, actor, input.stationId);
      if (station.kind !== 'station' || !station.active) {
        throw new DomainError(
          'STATION_INACTIVE',
          `La estación ${station.code} está cerrada por la administración; devuelva la bicicleta en otra.`,
        );
      }
      const bike = await lockBikeByCode(manager, input.bikeCode);
      const loan = await this.lockOpenLoanOfBike(manager, bike);
      const now = this.clock.now();
      const strikes = await this.closeLoan(manager, actor, loan, bike, station.id, now, 'returned', null, {
        helmetReturned: input.helmetReturned ?? true,
      });
      return {
        ...toView(loan, bike.code),
        riderOverdueStrikes: strikes.strikes,
        riderSuspended: strikes.suspended,
      };
    });
  }

  /** Hourly rule: the trip is closed at this station and the next one of the same journey opens. */
  async renew(
    actor: Actor,
    loanId: string,
    input: { stationId: string },
    idempotencyKey?: string,
  ): Promise<IdempotentResult<LoanView>> {
    return this.idempotent(actor, 'loan.renew', idempotencyKey, { loanId, ...input }, 201, async (manager) => {
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
      // The bike stays on loan and its row does not change: only the log records the renewal.
      await recordBikeEvents(manager, [
        {
          bikeId: bike.id,
          type: 'renewed',
          fromState: bike.state,
          toState: 'on_loan',
          fromStationId: bike.stationId,
          toStationId: station.id,
          loanId: next.id,
          actorId: actor.id,
          occurredAt: now,
        },
      ]);
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
  async revertCheckOut(
    actor: Actor,
    loanId: string,
    input: { reason: string },
    idempotencyKey?: string,
  ): Promise<IdempotentResult<LoanView>> {
    return this.idempotent(actor, 'loan.revert', idempotencyKey, { loanId, ...input }, 200, async (manager) => {
      const loan = await this.lockOpenLoan(manager, loanId);
      if (!canActAtStation(actor, loan.fromStationId)) throw notAllowed();
      const bike = await manager.findOneByOrFail(Bike, { id: loan.bikeId });
      const now = this.clock.now();
      // A revert erases a trip: operators may only undo a fresh mistake; later, an admin decides.
      const windowMinutes = this.config.loans.revertWindowMinutes;
      if (actor.role !== 'admin' && now.getTime() - loan.startedAt.getTime() > windowMinutes * 60_000) {
        throw new DomainError(
          'REVERT_WINDOW_PASSED',
          `Solo se puede revertir un préstamo en los ${windowMinutes} minutos siguientes a la entrega; pida a un administrador o registre la devolución.`,
          { revertWindowMinutes: windowMinutes, startedAt: loan.startedAt.toISOString() },
        );
      }
      Object.assign(loan, {
        state: 'reverted',
        endedAt: now,
        endReason: 'reverted',
        toStationId: loan.fromStationId,
        closedBy: actor.id,
        correctionReason: input.reason,
      });
      await manager.save(loan);
      await moveBike(manager, bike, {
        type: 'checkout_reverted',
        toState: 'available',
        toStationId: loan.fromStationId,
        actorId: actor.id,
        loanId: loan.id,
        reason: input.reason,
        occurredAt: now,
        helmets: loan.helmet ? 1 : 0,
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
  async forceReturn(
    actor: Actor,
    loanId: string,
    input: { stationId: string; reason: string; helmetReturned?: boolean },
    idempotencyKey?: string,
  ): Promise<IdempotentResult<LoanView>> {
    return this.idempotent(actor, 'loan.force_return', idempotencyKey, { loanId, ...input }, 200, async (manager) => {
      const station = await this.stationForAction(manager, actor, input.stationId);
      // Only into a rack citizens use: a depot return would be a logistics move, not the end of a
      // trip, and an inactive station takes no returns.
      if (station.kind !== 'station') {
        throw new DomainError(
          'STATION_NOT_PUBLIC',
          'Un préstamo solo se cierra en una estación pública, no en una bodega.',
          { stationId: station.id },
        );
      }
      if (!station.active) {
        throw new DomainError('STATION_INACTIVE', 'La estación está cerrada por un administrador.', {
          stationId: station.id,
        });
      }
      const loan = await this.lockOpenLoan(manager, loanId);
      const bike = await manager.findOneByOrFail(Bike, { id: loan.bikeId });
      await this.closeLoan(manager, actor, loan, bike, station.id, this.clock.now(), 'forced', input.reason, {
        helmetReturned: input.helmetReturned ?? true,
      });
      return toView(loan, bike.code);
    });
  }

  /**
   * A bike never returned: the loan ends with `bike_missing` (not a trip: no KPI, export row or MDS
   * trip), the bike is missing (it was on no rack, so no station counter moves), a lent helmet is
   * missing too, and the rider is suspended until an admin reviews the case. A bike that turns up
   * comes back into service through the fleet's `found`.
   */
  async reportMissing(
    actor: Actor,
    loanId: string,
    input: ReportMissingInput,
    idempotencyKey?: string,
  ): Promise<IdempotentResult<ReportMissingView>> {
    return this.idempotent(actor, 'loan.report_missing', idempotencyKey, { loanId, ...input }, 200, async (manager) => {
      const loan = await this.lockOpenLoan(manager, loanId);
      if (!canActAtStation(actor, loan.fromStationId)) throw notAllowed();
      const bike = await manager.findOneByOrFail(Bike, { id: loan.bikeId });
      const now = this.clock.now();
      const policeReport = input.policeReport?.trim() || null;
      const note = input.note.trim();
      await moveBike(manager, bike, {
        type: 'reported_missing',
        toState: 'missing',
        toStationId: null,
        actorId: actor.id,
        loanId: loan.id,
        reason: `No devuelta${policeReport ? ` (denuncia ${policeReport})` : ''}: ${note}`,
        policeReport,
        note,
        occurredAt: now,
      });
      Object.assign(loan, {
        state: 'closed',
        endedAt: now,
        endReason: 'bike_missing',
        toStationId: null,
        overdue: now > loan.dueAt,
        closedBy: actor.id,
        correctionReason: note,
        helmetMissing: loan.helmet,
      });
      await manager.save(loan);
      if (loan.helmet) {
        await addHelmetStrike(manager, loan.riderId, this.config.loans.overdueStrikesToSuspend);
      }
      await suspendRiderForReview(
        manager,
        loan.riderId,
        `Bicicleta ${bike.code} no devuelta (reportada perdida el ${now.toISOString().slice(0, 10)}); pendiente de revisión por un administrador`,
      );
      await appendToOutbox(manager, [
        outboxMessage('loan.closed', loan.id, {
          loanId: loan.id,
          journeyId: loan.journeyId,
          endReason: 'bike_missing',
          toStationId: null,
          endedAt: now.toISOString(),
        }),
        outboxMessage('bike.reported_missing', bike.id, {
          bikeId: bike.id,
          bikeCode: bike.code,
          stationId: loan.fromStationId,
          policeReport: policeReport ?? '',
        }),
      ]);
      return { ...toView(loan, bike.code), riderSuspended: true };
    });
  }

  async get(actor: Actor, id: string): Promise<LoanView> {
    const loan = await this.dataSource.getRepository(LoanEntity).findOne({ where: { id }, relations: { bike: true } });
    // Operators see the loans of their stations only; others' do not exist for them.
    const mine =
      loan &&
      (actor.role === 'admin' ||
        canActAtStation(actor, loan.fromStationId) ||
        (loan.toStationId !== null && canActAtStation(actor, loan.toStationId)));
    if (!loan || !mine) throw new DomainError('LOAN_NOT_FOUND', 'El préstamo no existe.');
    return toView(loan, loan.bike?.code ?? '');
  }

  /**
   * Admins see every loan. Operators tied to stations see the loans from or to their stations,
   * and the open loan of one bike named by its code (the rider is in front of them to renew or
   * return it, wherever it started). Planners have no access: the list names riders.
   */
  async list(
    actor: Actor,
    filter: { state?: LoanListState; stationId?: string; riderId?: string; bikeCode?: string; limit?: number },
  ): Promise<LoanListItem[]> {
    if (actor.role !== 'admin' && actor.role !== 'operator') {
      throw new DomainError('FORBIDDEN', 'No tiene permiso para esta acción.');
    }
    if (filter.stationId && !canActAtStation(actor, filter.stationId)) throw notAllowed();
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
    if (filter.bikeCode) where.push(`b.code = ${param(filter.bikeCode.toUpperCase())}`);
    if (actor.role !== 'admin' && actor.stationIds !== null) {
      const own = param(actor.stationIds);
      const mine = `(l.from_station_id = ANY(${own}::uuid[]) OR l.to_station_id = ANY(${own}::uuid[]))`;
      where.push(filter.bikeCode ? `(${mine} OR l.state = 'open')` : mine);
    }
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
          helmetMissing: r.helmet_missing,
          overdue: r.overdue,
        },
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
       ${LOAN_OVERDUE_SQL}
       RETURNING id`,
      [now],
    );
    return rows.length;
  }

  // ---- internals -------------------------------------------------------------------------------

  private idempotent<T>(
    actor: Actor,
    scope: IdempotencyScopeName,
    key: string | undefined,
    request: unknown,
    status: number,
    work: (manager: EntityManager) => Promise<T>,
  ): Promise<IdempotentResult<T>> {
    return this.idempotency.run(key ? { actorId: actor.id, scope, key, request } : undefined, status, work, (w) =>
      this.write(w),
    );
  }

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
    const [row] = await manager.query<Array<{ bike_id: string }>>('SELECT bike_id FROM loans WHERE id = $1', [loanId]);
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
    options: { helmetReturned?: boolean } = {},
  ): Promise<{ strikes: number; suspended: boolean }> {
    const late = now > loan.dueAt;
    let strikes: StrikeOutcome = { strikes: 0, suspended: false };
    if (late && reason === 'returned') strikes = await this.addStrike(manager, loan.riderId);
    // A helmet that did not come back stays out of stock and counts one strike (DOMAIN.md).
    const helmetMissing = loan.helmet && options.helmetReturned === false;
    if (helmetMissing) {
      strikes = await addHelmetStrike(manager, loan.riderId, this.config.loans.overdueStrikesToSuspend);
    }
    await moveBike(manager, bike, {
      type: reason === 'forced' ? 'force_returned' : 'returned',
      toState: 'available',
      toStationId: stationId,
      actorId: actor.id,
      loanId: loan.id,
      reason: correction,
      occurredAt: now,
      helmets: loan.helmet && !helmetMissing ? 1 : 0,
    });
    Object.assign(loan, {
      state: 'closed',
      endedAt: now,
      endReason: reason,
      toStationId: stationId,
      overdue: late,
      closedBy: actor.id,
      correctionReason: correction,
      helmetMissing,
    });
    await manager.save(loan);
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
  private addStrike(manager: EntityManager, riderId: string): Promise<StrikeOutcome> {
    return addOverdueStrike(manager, riderId, this.config.loans.overdueStrikesToSuspend);
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
  > &
    Partial<Pick<LoanEntity, 'helmetMissing'>>,
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
    helmetMissing: loan.helmetMissing ?? false,
    overdue: loan.overdue,
    durationSeconds: ended ? Math.round((ended.getTime() - started.getTime()) / 1000) : null,
  };
}
