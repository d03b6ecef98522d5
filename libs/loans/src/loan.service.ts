import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { randomUUID } from 'node:crypto';
import { DataSource, type EntityManager, QueryFailedError } from 'typeorm';
import { type Actor, canActAtStation, Clock, DomainError } from '@metrobici/common';
import { APP_CONFIG, type AppConfig } from '@metrobici/config';
import {
  BikeEntity as Bike,
  bikeEventsSql,
  bikeFromRow,
  type BikeMoveSql,
  bikeMoveSql,
  type LockedBike,
  lockBikeByCodeSql,
  moveBike,
} from '@metrobici/fleet';
import { appendToOutbox, isoTimestampSql, outboxInsertSql, outboxMessage, outboxValuesSql } from '@metrobici/outbox';
import {
  addHelmetStrike,
  addOverdueStrike,
  type DocumentType,
  lockRiderSql,
  normaliseDocumentNumber,
  type RiderLockKey,
  type StrikeOutcome,
  suspendRiderForReview,
} from '@metrobici/riders';
import {
  assertStationCounted,
  PILOT_STATE_FOR_SHARE_SQL,
  pilotClosingFromRow,
  ServiceHours,
  StationEntity,
  stationForActionSql,
  translateCountViolation,
} from '@metrobici/stations';
import {
  type IdempotencyScopeName,
  IdempotencyService,
  type IdempotentAnswer,
  type IdempotentResult,
} from '@metrobici/idempotency';
import { type LoanEndReason, LoanEntity } from './loan.entity';
import { newReceipt, type ReceiptLink, receiptInsertSql } from './loan-receipts';

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

  // The hot paths (check-out, return) take two statements in their transaction: one reads the
  // station (and pilot_state) and locks the bike, then the rider or the open loan; one writes
  // everything — loan, counters, bike, log, outbox rows, receipt and the idempotent answer — through
  // data-modifying CTEs whose SQL the owning libs build (a renewal locks its loan in between).
  // Lock order stays bike → rider/loan → station (the counters' UPDATE, in the write).

  async checkOut(actor: Actor, input: CheckOutInput, idempotencyKey?: string): Promise<IdempotentResult<CheckOutView>> {
    return this.idempotent(actor, 'loan.check_out', idempotencyKey, input, 201, async (manager, answer) => {
      const now = this.clock.now();
      const riderKey = riderLockKey(input);
      // One round trip: the station (unlocked: its counters are locked last, by the write),
      // pilot_state FOR SHARE (as `assertRenting` reads it), the bike locked, then the rider locked
      // (after the bike: the rider's condition waits for the bike's subquery) with their open loan.
      const sql = new Statement();
      const station$ = sql.param(input.stationId);
      const code$ = sql.param(input.bikeCode);
      const riderSql = riderKey
        ? lockRiderSql(riderKey, sql.param, {
            extraColumns: [OPEN_LOAN_OF_RIDER],
            after: '(SELECT id FROM b) IS NOT NULL',
          })
        : 'SELECT NULL::uuid AS id WHERE false';
      const [read] = await manager.query<
        Array<{ station: StationRow | null; pilot: PilotRow | null; bike: BikeRow | null; rider: RiderRow | null }>
      >(
        `WITH st AS (${stationForActionSql(`${station$}::uuid`)}), ps AS (${PILOT_STATE_FOR_SHARE_SQL}),
              b AS (${lockBikeByCodeSql(code$)}), r AS (${riderSql})
         SELECT (SELECT to_jsonb(st) FROM st) AS station, (SELECT to_jsonb(ps) FROM ps) AS pilot,
                (SELECT to_jsonb(b) FROM b) AS bike, (SELECT to_jsonb(r) FROM r) AS rider`,
        sql.params,
      );
      const station = this.stationForAction(actor, input.stationId, read.station);
      this.hours.assertRentingWith(station, pilotClosingFromRow(read.pilot), now);
      const bike = bikeFromRow(read.bike, input.bikeCode);
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
      if (!riderKey) throw new DomainError('VALIDATION_FAILED', 'Indique riderId o documentType y documentNumber.');
      const rider = read.rider;
      if (!rider) throw new DomainError('RIDER_NOT_FOUND', 'No hay un usuario registrado con ese documento.');
      if (rider.status === 'pending')
        throw new DomainError('RIDER_NOT_VERIFIED', 'El usuario no ha verificado su documento en una estación.');
      if (rider.status === 'suspended')
        throw new DomainError('RIDER_SUSPENDED', 'El usuario está suspendido.', { reason: rider.suspension_reason });
      if (rider.open_loan_id)
        throw new DomainError('RIDER_HAS_OPEN_LOAN', 'El usuario ya tiene una bicicleta prestada.', {
          loanId: rider.open_loan_id,
        });

      // Everything the answer says is known here, so the answer is stored by the same statement.
      const loan = this.newSegment(actor, {
        journeyId: randomUUID(),
        bikeId: bike.id,
        riderId: rider.id,
        stationId: station.id,
        helmet: input.helmet ?? false,
        at: now,
      });
      // The receipt lives with the journey: a renewal keeps it, the end of the journey ends it.
      const receipt = newReceipt(this.config.http.publicBaseUrl);
      const view: CheckOutView = { ...toView(loan, bike.code), receipt: receipt.link };
      const w = new Statement();
      const move = bikeMoveSql(
        'm',
        bike,
        {
          type: 'checked_out',
          toState: 'on_loan',
          toStationId: null,
          actorId: actor.id,
          loanId: loan.id,
          occurredAt: now,
          helmets: input.helmet ? -1 : 0,
          requireActive: true,
        },
        w.param,
      );
      await this.writeAll(manager, w, answer, view, move, [
        // The bike's log row refers to the loan: foreign keys are checked at the end of the statement.
        `l AS (${insertLoanSql(loan, w.param)})`,
        `lo AS (${outboxValuesSql(
          [
            outboxMessage('loan.opened', loan.id, {
              loanId: loan.id,
              journeyId: loan.journeyId,
              bikeId: bike.id,
              fromStationId: station.id,
              startedAt: now.toISOString(),
            }),
          ],
          w.param,
        )})`,
        `rc AS (${receiptInsertSql(receipt.tokenHash, loan.journeyId, w.param)})`,
      ]);
      return view;
    });
  }

  async returnBike(actor: Actor, input: ReturnInput, idempotencyKey?: string): Promise<IdempotentResult<ReturnView>> {
    return this.idempotent(actor, 'loan.return', idempotencyKey, input, 200, async (manager, answer) => {
      // One round trip: the station, the bike locked, then its open loan locked (after the bike:
      // the loan's condition waits for the bike's subquery). FOR UPDATE re-checks a loan changed
      // since the statement began (closed meanwhile: not returned); a loan opened meanwhile is not
      // in the statement's snapshot, so "on loan but no loan" is looked up again.
      const [read] = await manager.query<
        Array<{ station: StationRow | null; bike: BikeRow | null; loan: LoanJson | null }>
      >(
        `WITH st AS (${stationForActionSql('$1::uuid')}), b AS (${lockBikeByCodeSql('$2')}),
              lo AS (SELECT ${LOAN_COLUMNS} FROM loans WHERE bike_id = (SELECT id FROM b) AND state = 'open' FOR UPDATE)
         SELECT (SELECT to_jsonb(st) FROM st) AS station, (SELECT to_jsonb(b) FROM b) AS bike,
                (SELECT to_jsonb(lo) FROM lo) AS loan`,
        [input.stationId, input.bikeCode],
      );
      const station = this.stationForAction(actor, input.stationId, read.station);
      if (station.kind !== 'station' || !station.active) {
        throw new DomainError(
          'STATION_INACTIVE',
          `La estación ${station.code} está cerrada por la administración; devuelva la bicicleta en otra.`,
        );
      }
      const bike = bikeFromRow(read.bike, input.bikeCode);
      const loan =
        bike.state === 'on_loan' && read.loan ? loanFromRow(read.loan) : await this.lockOpenLoanOfBike(manager, bike);
      const now = this.clock.now();
      return this.closeLoan(
        manager,
        answer,
        actor,
        loan,
        bike,
        station.id,
        now,
        'returned',
        null,
        { helmetReturned: input.helmetReturned ?? true },
        (strikes) => ({
          ...toView(loan, bike.code),
          riderOverdueStrikes: strikes.strikes,
          riderSuspended: strikes.suspended,
        }),
      );
    });
  }

  /** Hourly rule: the trip is closed at this station and the next one of the same journey opens. */
  async renew(
    actor: Actor,
    loanId: string,
    input: { stationId: string },
    idempotencyKey?: string,
  ): Promise<IdempotentResult<LoanView>> {
    return this.idempotent(actor, 'loan.renew', idempotencyKey, { loanId, ...input }, 201, async (manager, answer) => {
      const now = this.clock.now();
      // Station, pilot_state FOR SHARE and the loan's bike locked (bike before loan, as everywhere).
      const [read] = await manager.query<
        Array<{ station: StationRow | null; pilot: PilotRow | null; bike: BikeRow | null; loan_exists: boolean }>
      >(
        `WITH st AS (${stationForActionSql('$1::uuid')}), ps AS (${PILOT_STATE_FOR_SHARE_SQL}),
              b AS (SELECT id, code, state, station_id FROM bikes
                     WHERE id = (SELECT bike_id FROM loans WHERE id = $2::uuid) FOR UPDATE)
         SELECT (SELECT to_jsonb(st) FROM st) AS station, (SELECT to_jsonb(ps) FROM ps) AS pilot,
                (SELECT to_jsonb(b) FROM b) AS bike, EXISTS (SELECT 1 FROM loans WHERE id = $2::uuid) AS loan_exists`,
        [input.stationId, loanId],
      );
      const station = this.stationForAction(actor, input.stationId, read.station);
      this.hours.assertRentingWith(station, pilotClosingFromRow(read.pilot), now);
      if (!read.loan_exists || !read.bike) throw new DomainError('LOAN_NOT_FOUND', 'El préstamo no existe.');
      const bike = bikeFromRow(read.bike, '');
      const loan = await this.lockLoan(manager, loanId);
      const late = now > loan.dueAt;
      Object.assign(loan, {
        state: 'closed',
        endedAt: now,
        endReason: 'renewed',
        toStationId: station.id,
        overdue: late,
        closedBy: actor.id,
      });
      if (late) await this.addStrike(manager, loan.riderId);
      const next = this.newSegment(actor, {
        journeyId: loan.journeyId,
        bikeId: loan.bikeId,
        riderId: loan.riderId,
        stationId: station.id,
        helmet: loan.helmet,
        at: now,
      });
      const view = toView(next, bike.code);
      const sql = new Statement();
      await this.writeAll(manager, sql, answer, view, undefined, [
        `lc AS (${closeLoanSql(loan, sql.param)})`,
        // After the close (`FROM lc`): the open-loan unique indexes must not see two open segments.
        `l AS (${insertLoanSql(next, sql.param, 'lc')})`,
        // The bike stays on loan and its row does not change: only the log records the renewal.
        `ev AS (${bikeEventsSql(
          [
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
          ],
          sql.param,
        )})`,
        `lo AS (${outboxValuesSql(
          [
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
          ],
          sql.param,
        )})`,
      ]);
      return view;
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
    return this.idempotent(
      actor,
      'loan.force_return',
      idempotencyKey,
      { loanId, ...input },
      200,
      async (manager, answer) => {
        const station = await this.stationForActionOf(manager, actor, input.stationId);
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
        return this.closeLoan(
          manager,
          answer,
          actor,
          loan,
          bike,
          station.id,
          this.clock.now(),
          'forced',
          input.reason,
          { helmetReturned: input.helmetReturned ?? true },
          () => toView(loan, bike.code),
        );
      },
    );
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
    work: (manager: EntityManager, answer?: IdempotentAnswer) => Promise<T>,
  ): Promise<IdempotentResult<T>> {
    return this.idempotency.run(key ? { actorId: actor.id, scope, key, request } : undefined, status, work, (w) =>
      this.write(w),
    );
  }

  /**
   * One transaction at the session's default isolation, READ COMMITTED (the database's default;
   * libs/database does not change it): each statement sees what committed before it, so a check
   * after a lock sees the lock holder's writes. Not named here because TypeORM would send a second
   * round trip (START TRANSACTION, then SET TRANSACTION ISOLATION LEVEL); a stricter default would
   * turn a lost race into a serialization error, never into a wrong write.
   */
  private async write<T>(work: (manager: EntityManager) => Promise<T>): Promise<T> {
    try {
      return await this.dataSource.transaction(work);
    } catch (error) {
      throw translateLoanViolation(error);
    }
  }

  /**
   * The write of a hot path in ONE statement: the caller's CTEs, the bike's move (counters with
   * their outbox rows, bike row, log row) and the idempotent answer; then the checks that need the
   * statement's counts (a closed station updates no counters; a lapsed claim stores no answer).
   */
  private async writeAll<T>(
    manager: EntityManager,
    sql: Statement,
    answer: IdempotentAnswer | undefined,
    body: T,
    move: BikeMoveSql | undefined,
    ctes: string[],
  ): Promise<void> {
    const all = [...ctes];
    if (move) all.push(move.ctes);
    if (answer) all.push(`ans AS (${answer.sql(body, sql.param)})`);
    const counts = (move?.stations ?? []).map((st) => `(SELECT count(*) FROM ${st.cte})::int AS ${st.cte}`);
    if (answer) counts.push('(SELECT count(*) FROM ans)::int AS answered');
    let row: Record<string, number>;
    try {
      [row] = await manager.query(
        `WITH ${all.join(',\n')} SELECT ${counts.length ? counts.join(', ') : '1 AS one'}`,
        sql.params,
      );
    } catch (error) {
      throw move ? translateCountViolation(error, move.change) : error;
    }
    for (const st of move?.stations ?? []) await assertStationCounted(manager, st.stationId, row[st.cte]);
    answer?.stored(row.answered);
  }

  private async stationForActionOf(manager: EntityManager, actor: Actor, stationId: string): Promise<StationEntity> {
    const station = await manager.findOneBy(StationEntity, { id: stationId });
    if (!station) throw new DomainError('STATION_NOT_FOUND', 'La estación no existe.', { stationId });
    if (!canActAtStation(actor, station.id)) throw notAllowed();
    return station;
  }

  /** The station a hot path read with its locks (`stationForActionSql`): exists, and the actor may act there. */
  private stationForAction(actor: Actor, stationId: string, row: StationRow | null): StationRow {
    if (!row) throw new DomainError('STATION_NOT_FOUND', 'La estación no existe.', { stationId });
    if (!canActAtStation(actor, row.id)) throw notAllowed();
    return row;
  }

  private async lockOpenLoanOfBike(manager: EntityManager, bike: LockedBike): Promise<LoanRecord> {
    if (bike.state !== 'on_loan') {
      throw new DomainError('BIKE_NOT_ON_LOAN', `La bicicleta ${bike.code} no está prestada (${bike.state}).`, {
        bikeState: bike.state,
      });
    }
    const [row] = await manager.query<LoanRow[]>(
      `SELECT ${LOAN_COLUMNS} FROM loans WHERE bike_id = $1 AND state = 'open' FOR UPDATE`,
      [bike.id],
    );
    if (!row) throw new DomainError('BIKE_NOT_ON_LOAN', `La bicicleta ${bike.code} no tiene un préstamo abierto.`);
    return loanFromRow(row);
  }

  /** An open loan whose bike the caller already locked (renewal). */
  private async lockLoan(manager: EntityManager, loanId: string): Promise<LoanRecord> {
    const [row] = await manager.query<LoanRow[]>(`SELECT ${LOAN_COLUMNS} FROM loans WHERE id = $1 FOR UPDATE`, [
      loanId,
    ]);
    if (!row || row.state !== 'open')
      throw new DomainError('LOAN_NOT_OPEN', 'El préstamo ya está cerrado.', { state: row?.state });
    return loanFromRow(row);
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

  /** Closes an open loan at a station (return, forced return): strikes first, then one statement. */
  private async closeLoan<T>(
    manager: EntityManager,
    answer: IdempotentAnswer | undefined,
    actor: Actor,
    loan: LoanRecord,
    bike: LockedBike,
    stationId: string,
    now: Date,
    reason: 'returned' | 'forced',
    correction: string | null,
    options: { helmetReturned?: boolean },
    answerOf: (strikes: StrikeOutcome) => T,
  ): Promise<T> {
    const late = now > loan.dueAt;
    let strikes: StrikeOutcome = { strikes: 0, suspended: false };
    if (late && reason === 'returned') strikes = await this.addStrike(manager, loan.riderId);
    // A helmet that did not come back stays out of stock and counts one strike (DOMAIN.md).
    const helmetMissing = loan.helmet && options.helmetReturned === false;
    if (helmetMissing) {
      strikes = await addHelmetStrike(manager, loan.riderId, this.config.loans.overdueStrikesToSuspend);
    }
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
    const view = answerOf(strikes);
    const sql = new Statement();
    const move = bikeMoveSql(
      'm',
      bike,
      {
        type: reason === 'forced' ? 'force_returned' : 'returned',
        toState: 'available',
        toStationId: stationId,
        actorId: actor.id,
        loanId: loan.id,
        reason: correction,
        occurredAt: now,
        helmets: loan.helmet && !helmetMissing ? 1 : 0,
      },
      sql.param,
    );
    await this.writeAll(manager, sql, answer, view, move, [
      `l AS (${closeLoanSql(loan, sql.param)})`,
      `lc AS (${outboxValuesSql(
        [
          outboxMessage('loan.closed', loan.id, {
            loanId: loan.id,
            journeyId: loan.journeyId,
            endReason: reason,
            toStationId: stationId,
            endedAt: now.toISOString(),
          }),
        ],
        sql.param,
      )})`,
    ]);
    return view;
  }

  /** One overdue strike; reaching the configured number suspends an active rider. */
  private addStrike(manager: EntityManager, riderId: string): Promise<StrikeOutcome> {
    return addOverdueStrike(manager, riderId, this.config.loans.overdueStrikesToSuspend);
  }

  /** A new open trip segment, written by the caller's statement (`insertLoanSql`). */
  private newSegment(
    actor: Actor,
    segment: { journeyId: string; bikeId: string; riderId: string; stationId: string; helmet: boolean; at: Date },
  ): LoanRecord {
    return {
      id: randomUUID(),
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
      helmetMissing: false,
      overdue: false,
      checkedOutBy: actor.id,
      closedBy: null,
      correctionReason: null,
    };
  }

  private dueFrom(start: Date): Date {
    return new Date(start.getTime() + this.config.loans.maxMinutes * 60_000);
  }
}

/** Who a check-out is for, or null when the request names nobody (VALIDATION_FAILED). */
function riderLockKey(input: CheckOutInput): RiderLockKey | null {
  if (input.riderId) return { riderId: input.riderId };
  if (input.documentType && input.documentNumber)
    return { documentType: input.documentType, documentNumber: normaliseDocumentNumber(input.documentNumber) };
  return null;
}

/**
 * The rider's open loan, read with the rider's lock. It sees what committed before the statement
 * began: a loan opened by a check-out that held the rider's lock meanwhile is caught by
 * UQ_loans_open_rider (the same RIDER_HAS_OPEN_LOAN).
 */
const OPEN_LOAN_OF_RIDER = `(SELECT o.id FROM loans o WHERE o.rider_id = r.id AND o.state = 'open' LIMIT 1) AS open_loan_id`;

/** Placeholders for one statement's parameters, in order. */
class Statement {
  readonly params: unknown[] = [];
  readonly param = (value: unknown): string => `$${this.params.push(value)}`;
}

/** The station as `stationForActionSql` reads it (through to_jsonb). */
type StationRow = Pick<StationEntity, 'id' | 'code' | 'kind' | 'active'>;
type PilotRow = { status: string; closed_at: string | null; end_date: string | null };
type BikeRow = { id: string; code: string; state: string; station_id: string | null };
type RiderRow = { id: string; status: string; suspension_reason: string | null; open_loan_id: string | null };

/** A loan as the hot paths handle it (no relations, no created_at). */
type LoanRecord = Pick<
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
  | 'helmetMissing'
  | 'overdue'
  | 'checkedOutBy'
  | 'closedBy'
  | 'correctionReason'
>;

const LOAN_COLUMNS = `id, journey_id, bike_id, rider_id, from_station_id, to_station_id, started_at, due_at, ended_at,
  state, end_reason, helmet, helmet_missing, overdue, checked_out_by, closed_by, correction_reason`;

type LoanRow = {
  id: string;
  journey_id: string;
  bike_id: string;
  rider_id: string;
  from_station_id: string;
  to_station_id: string | null;
  started_at: Date;
  due_at: Date;
  ended_at: Date | null;
  state: LoanEntity['state'];
  end_reason: LoanEndReason | null;
  helmet: boolean;
  helmet_missing: boolean;
  overdue: boolean;
  checked_out_by: string;
  closed_by: string | null;
  correction_reason: string | null;
};

/** A loan row through to_jsonb: times as strings. */
type LoanJson = Omit<LoanRow, 'started_at' | 'due_at' | 'ended_at'> & {
  started_at: string;
  due_at: string;
  ended_at: string | null;
};

function loanFromRow(r: LoanRow | LoanJson): LoanRecord {
  return {
    id: r.id,
    journeyId: r.journey_id,
    bikeId: r.bike_id,
    riderId: r.rider_id,
    fromStationId: r.from_station_id,
    toStationId: r.to_station_id,
    startedAt: new Date(r.started_at),
    dueAt: new Date(r.due_at),
    endedAt: r.ended_at === null ? null : new Date(r.ended_at),
    state: r.state,
    endReason: r.end_reason,
    helmet: r.helmet,
    helmetMissing: r.helmet_missing,
    overdue: r.overdue,
    checkedOutBy: r.checked_out_by,
    closedBy: r.closed_by,
    correctionReason: r.correction_reason,
  };
}

/** INSERT of a new open segment (`VALUES`, or `SELECT … FROM after` to run after that CTE). */
function insertLoanSql(loan: LoanRecord, param: (value: unknown) => string, after?: string): string {
  const values = [
    `${param(loan.id)}::uuid`,
    `${param(loan.journeyId)}::uuid`,
    `${param(loan.bikeId)}::uuid`,
    `${param(loan.riderId)}::uuid`,
    `${param(loan.fromStationId)}::uuid`,
    `${param(loan.startedAt)}::timestamptz`,
    `${param(loan.dueAt)}::timestamptz`,
    `'open'`,
    `${param(loan.helmet)}::boolean`,
    `${param(loan.checkedOutBy)}::uuid`,
  ].join(', ');
  return `INSERT INTO loans (id, journey_id, bike_id, rider_id, from_station_id, started_at, due_at, state, helmet, checked_out_by)
     ${after ? `SELECT ${values} FROM ${after}` : `VALUES (${values})`}
     RETURNING id`;
}

/** UPDATE of a loan being closed, with the fields `closeLoan` / `renew` set on it. */
function closeLoanSql(loan: LoanRecord, param: (value: unknown) => string): string {
  return `UPDATE loans
        SET state = ${param(loan.state)}, ended_at = ${param(loan.endedAt)}::timestamptz,
            end_reason = ${param(loan.endReason)}, to_station_id = ${param(loan.toStationId)}::uuid,
            overdue = ${param(loan.overdue)}::boolean, closed_by = ${param(loan.closedBy)}::uuid,
            correction_reason = ${param(loan.correctionReason)}::text,
            helmet_missing = ${param(loan.helmetMissing)}::boolean
      WHERE id = ${param(loan.id)}::uuid
     RETURNING id`;
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
  loan: Omit<LoanRecord, 'helmetMissing' | 'checkedOutBy' | 'closedBy' | 'correctionReason'> &
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
