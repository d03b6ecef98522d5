import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager, QueryFailedError } from 'typeorm';
import { type Actor, canActAtStation, Clock, DomainError } from '@metrobici/common';
import { IdempotencyService, type IdempotentResult } from '@metrobici/idempotency';
import { appendToOutbox, outboxMessage } from '@metrobici/outbox';
import {
  assertStationCounted,
  type CountChange,
  isUniqueViolation,
  type SqlParam,
  stationCountsCtes,
  translateCountViolation,
} from '@metrobici/stations';
import { BIKE_STATES, BikeEntity, type BikeState } from './bike.entity';
import { BikeEventEntity, type BikeEventType } from './bike-event.entity';
import { DonorEntity } from './donor.entity';
import { RebalancingMoveEntity } from './rebalancing-move.entity';
import { inRack, rackShare } from './rack-share';
import { registerBikes } from './bike-registration';

export interface BikeView {
  id: string;
  code: string;
  /** Donor code. */
  donor: string;
  donorName: string;
  state: BikeState;
  stationId: string | null;
  note: string | null;
  policeReport: string | null;
}

export interface BikeEventView {
  id: string;
  type: BikeEventType;
  fromState: BikeState | null;
  toState: BikeState;
  fromStationId: string | null;
  toStationId: string | null;
  loanId: string | null;
  actorId: string | null;
  reason: string | null;
  occurredAt: string;
}

export interface DonorView {
  id: string;
  code: string;
  name: string;
  bikes: number;
  byState: Record<BikeState, number>;
}

export interface ListBikesInput {
  stationId?: string;
  state?: BikeState;
  /** Donor code. */
  donor?: string;
  limit?: number;
}

export interface RegisterBikeInput {
  code: string;
  /** Donor code. */
  donor: string;
  stationId: string;
}

/** One row of the bike log, as `recordBikeEvents` takes it. */
export interface NewBikeEvent {
  bikeId: string;
  type: BikeEventType;
  fromState: BikeState | null;
  toState: BikeState;
  fromStationId: string | null;
  toStationId: string | null;
  loanId?: string | null;
  /** Staff member; null for system actions. */
  actorId: string | null;
  reason?: string | null;
  occurredAt: Date;
}

/** Where a bike goes in a transition, and what staff see about it afterwards. */
export interface BikeTransition {
  type: BikeEventType;
  toState: BikeState;
  toStationId: string | null;
  actorId: string | null;
  reason?: string | null;
  loanId?: string | null;
  occurredAt: Date;
  /** Omitted: left as it is. */
  note?: string | null;
  policeReport?: string | null;
  /**
   * Helmets lent with the bike (negative, taken from the station it leaves) or brought back with it
   * (positive, to the station it enters), in the same counter update as the bike.
   */
  helmets?: number;
  /** The stations' counters move only while the stations are active (see `CountChange.requireActive`). */
  requireActive?: boolean;
}

export const DEFAULT_BIKE_LIST_LIMIT = 500;
export const MAX_BIKE_LIST_LIMIT = 1000;

/**
 * The INSERT of rows of the bike log, as the body of a CTE in the caller's statement (or a statement
 * of its own: `recordBikeEvents`). The table is append-only (a trigger refuses UPDATE and DELETE).
 */
export function bikeEventsSql(events: readonly NewBikeEvent[], param: SqlParam): string {
  const rows = events.map(
    (e) =>
      `(${[
        e.bikeId,
        e.type,
        e.fromState,
        e.toState,
        e.fromStationId,
        e.toStationId,
        e.loanId ?? null,
        e.actorId,
        e.reason ?? null,
        e.occurredAt,
      ]
        .map((v, i) => `${param(v)}${BIKE_EVENT_CASTS[i]}`)
        .join(', ')})`,
  );
  return `INSERT INTO bike_events (bike_id, type, from_state, to_state, from_station_id, to_station_id, loan_id, actor_id, reason, occurred_at)
     VALUES ${rows.join(', ')}`;
}

/** Casts of the bike_events VALUES (a NULL parameter has no type of its own). */
const BIKE_EVENT_CASTS = ['::uuid', '', '', '', '::uuid', '::uuid', '::uuid', '::uuid', '::text', '::timestamptz'];

/** Appends rows to the bike log in the caller's transaction, in ONE INSERT however many events. */
export async function recordBikeEvents(manager: EntityManager, events: NewBikeEvent[]): Promise<void> {
  if (events.length === 0) return;
  const params: unknown[] = [];
  await manager.query(
    bikeEventsSql(events, (value) => `$${params.push(value)}`),
    params,
  );
}

/** Locks the bike row (SELECT ... FOR UPDATE) in the caller's transaction; lock bikes before stations. */
export async function lockBikeByCode(manager: EntityManager, code: string): Promise<BikeEntity> {
  const bike = await manager
    .getRepository(BikeEntity)
    .findOne({ where: { code }, lock: { mode: 'pessimistic_write' } });
  if (!bike) throw new DomainError('BIKE_NOT_FOUND', `No existe la bicicleta ${code}.`, { code });
  return bike;
}

/** Same as `lockBikeByCode`, by id. */
export async function lockBike(manager: EntityManager, id: string): Promise<BikeEntity> {
  const bike = await manager.getRepository(BikeEntity).findOne({ where: { id }, lock: { mode: 'pessimistic_write' } });
  if (!bike) throw new DomainError('BIKE_NOT_FOUND', 'La bicicleta no existe.', { bikeId: id });
  return bike;
}

/** The columns `bikeFromRow` needs, for a caller's statement that locks a bike. */
const LOCKED_BIKE_COLUMNS = 'id, code, state, station_id';

/**
 * Locks a bike by code (SELECT ... FOR UPDATE) as a query for the caller's statement, so the lock
 * can ride with other reads (a check-out reads station and pilot state in the same round trip).
 * Lock bikes before riders, loans and stations. Read the row back with `bikeFromRow`.
 */
export const lockBikeByCodeSql = (codeParam: string) =>
  `SELECT ${LOCKED_BIKE_COLUMNS} FROM bikes WHERE code = ${codeParam} FOR UPDATE`;

/** The bike a caller's statement locked (`lockBikeByCodeSql`), as JSON or columns; BIKE_NOT_FOUND when none. */
export function bikeFromRow(
  row: { id: string; code: string; state: string; station_id: string | null } | null,
  code: string,
): LockedBike {
  if (!row) throw new DomainError('BIKE_NOT_FOUND', `No existe la bicicleta ${code}.`, { code });
  return { id: row.id, code: row.code, state: row.state as BikeState, stationId: row.station_id };
}

/** What a move needs to know of the locked bike. */
export type LockedBike = Pick<BikeEntity, 'id' | 'code' | 'state' | 'stationId'>;

/** A bike move as CTEs for the caller's statement (see `bikeMoveSql`). */
export interface BikeMoveSql {
  /** CTE definitions to put after `WITH` (comma-separated, no trailing comma). */
  ctes: string;
  /**
   * The stations whose counters move: after the statement, select `(SELECT count(*) FROM <cte>)`
   * for each and pass it to `assertStationCounted` (a closed or missing station updates no row).
   */
  stations: Array<{ cte: string; stationId: string }>;
  /** All counter changes together, for `translateCountViolation` of the statement's error. */
  change: CountChange;
  /** The bike row's new columns. */
  patch: Partial<BikeEntity>;
}

/**
 * A locked bike's move to a new state and place as data-modifying CTEs named `<prefix>_…`, so the
 * caller writes it in the statement that makes the rest of its change (a check-out's loan, its
 * outbox rows): station counters (`stationCountsCtes`, with their outbox rows), the bike row and one
 * log row. The stations lib owns the counters SQL, this lib the bike's.
 */
export function bikeMoveSql(prefix: string, bike: LockedBike, to: BikeTransition, param: SqlParam): BikeMoveSql {
  const from = { state: bike.state, stationId: bike.stationId };
  const helmets = to.helmets ?? 0;
  const requireActive = to.requireActive ?? false;
  let helmetsMoved = helmets === 0;
  const counters: Array<{ stationId: string; change: CountChange }> = [];
  if (from.stationId !== null && from.stationId === to.toStationId) {
    const available = rackShare(to.toState).available - rackShare(from.state).available;
    if (available !== 0 || helmets !== 0) {
      counters.push({ stationId: from.stationId, change: { available, helmets, requireActive } });
      helmetsMoved = true;
    }
  } else {
    if (from.stationId !== null && inRack(from.state)) {
      const share = rackShare(from.state);
      const taken = Math.min(helmets, 0);
      counters.push({
        stationId: from.stationId,
        change: { docked: -share.docked, available: -share.available, helmets: taken, requireActive },
      });
      helmetsMoved ||= taken !== 0;
    }
    if (to.toStationId !== null && inRack(to.toState)) {
      const brought = Math.max(helmets, 0);
      counters.push({
        stationId: to.toStationId,
        change: { ...rackShare(to.toState), helmets: brought, requireActive },
      });
      helmetsMoved ||= brought !== 0;
    }
  }
  // A helmet goes with a bike leaving or entering a rack; anything else is a caller's mistake.
  if (!helmetsMoved) throw new Error(`moveBike: no rack for a helmet change of ${helmets} (bike ${bike.id})`);
  const patch: Partial<BikeEntity> = { state: to.toState, stationId: to.toStationId };
  const sets = [`state = ${param(to.toState)}`, `station_id = ${param(to.toStationId)}::uuid`, 'updated_at = now()'];
  if (to.note !== undefined) {
    patch.note = to.note;
    sets.push(`note = ${param(to.note)}`);
  }
  if (to.policeReport !== undefined) {
    patch.policeReport = to.policeReport;
    sets.push(`police_report = ${param(to.policeReport)}`);
  }
  const stations = counters.map((c, i) => ({ cte: `${prefix}_s${i}`, stationId: c.stationId }));
  const ctes = [
    ...counters.map((c, i) => stationCountsCtes(stations[i].cte, c.stationId, c.change, param)),
    `${prefix}_bike AS (UPDATE bikes SET ${sets.join(', ')} WHERE id = ${param(bike.id)})`,
    `${prefix}_event AS (${bikeEventsSql(
      [
        {
          bikeId: bike.id,
          type: to.type,
          fromState: from.state,
          toState: to.toState,
          fromStationId: from.stationId,
          toStationId: to.toStationId,
          loanId: to.loanId ?? null,
          actorId: to.actorId,
          reason: to.reason ?? null,
          occurredAt: to.occurredAt,
        },
      ],
      param,
    )})`,
  ];
  const change: CountChange = {
    docked: counters.reduce((max, c) => Math.max(max, c.change.docked ?? 0), 0),
    helmets: counters.reduce((min, c) => Math.min(min, c.change.helmets ?? 0), 0),
  };
  return { ctes: ctes.join(',\n       '), stations, change, patch };
}

/**
 * Moves a locked bike to a new state and place in the caller's transaction, in one statement
 * (`bikeMoveSql`): station counters with their outbox rows, the bike row and one log row. Returns
 * the bike as it now is.
 */
export async function moveBike<B extends LockedBike>(manager: EntityManager, bike: B, to: BikeTransition): Promise<B> {
  const params: unknown[] = [];
  const move = bikeMoveSql('m', bike, to, (value) => `$${params.push(value)}`);
  const counts = move.stations.map((s) => `(SELECT count(*) FROM ${s.cte})::int AS ${s.cte}`);
  let rows: Array<Record<string, number>>;
  try {
    rows = await manager.query(`WITH ${move.ctes} SELECT ${counts.length ? counts.join(', ') : '1 AS one'}`, params);
  } catch (error) {
    throw translateCountViolation(error, move.change);
  }
  for (const s of move.stations) await assertStationCounted(manager, s.stationId, rows[0][s.cte]);
  return Object.assign(bike, move.patch);
}

export function assertCanActAtStation(actor: Actor, stationId: string): void {
  if (!canActAtStation(actor, stationId)) {
    throw new DomainError('STATION_NOT_ALLOWED', 'No está autorizado para operar en esta estación.', { stationId });
  }
}

function stateConflict(bike: BikeEntity, action: string, allowed: BikeState[]): DomainError {
  return new DomainError(
    'BIKE_STATE_CONFLICT',
    `La bicicleta ${bike.code} está en estado «${bike.state}»: no se puede ${action}.`,
    {
      bikeId: bike.id,
      state: bike.state,
      allowedStates: allowed,
    },
  );
}

@Injectable()
export class FleetService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly clock: Clock,
    private readonly idempotency: IdempotencyService,
  ) {}

  /** Staff list of bikes, sorted by code. */
  async list(_actor: Actor, input: ListBikesInput = {}): Promise<BikeView[]> {
    const limit = Math.min(Math.max(input.limit ?? DEFAULT_BIKE_LIST_LIMIT, 1), MAX_BIKE_LIST_LIMIT);
    const qb = this.dataSource.getRepository(BikeEntity).createQueryBuilder('b').innerJoinAndSelect('b.donor', 'd');
    if (input.stationId) qb.andWhere('b.stationId = :stationId', { stationId: input.stationId });
    if (input.state) qb.andWhere('b.state = :state', { state: input.state });
    if (input.donor) qb.andWhere('d.code = :donor', { donor: input.donor });
    // Byte order, so "sorted by code" does not depend on the server's locale.
    const bikes = await qb.orderBy('b.code COLLATE "C"', 'ASC').limit(limit).getMany();
    return bikes.map(toBikeView);
  }

  async get(_actor: Actor, id: string): Promise<BikeView> {
    return this.view(this.dataSource.manager, id);
  }

  async getByCode(_actor: Actor, code: string): Promise<BikeView> {
    const bike = await this.dataSource
      .getRepository(BikeEntity)
      .findOne({ where: { code }, relations: { donor: true } });
    if (!bike) throw new DomainError('BIKE_NOT_FOUND', `No existe la bicicleta ${code}.`, { code });
    return toBikeView(bike);
  }

  /** The bike's log, newest first. */
  async events(_actor: Actor, id: string): Promise<BikeEventView[]> {
    const exists = await this.dataSource.getRepository(BikeEntity).exists({ where: { id } });
    if (!exists) throw new DomainError('BIKE_NOT_FOUND', 'La bicicleta no existe.', { bikeId: id });
    const events = await this.dataSource
      .getRepository(BikeEventEntity)
      .find({ where: { bikeId: id }, order: { occurredAt: 'DESC', id: 'DESC' } });
    return events.map(toEventView);
  }

  /** Donors with how many of their bikes are in each state (for the donors' usage reports). */
  async listDonors(_actor: Actor): Promise<DonorView[]> {
    const rows: Array<{ id: string; code: string; name: string; state: BikeState | null; n: number }> =
      await this.dataSource.query(
        `SELECT d.id, d.code, d.name, b.state, count(b.id)::int AS n
         FROM donors d LEFT JOIN bikes b ON b.donor_id = d.id
        GROUP BY d.id, d.code, d.name, b.state
        ORDER BY d.code`,
      );
    const donors = new Map<string, DonorView>();
    for (const row of rows) {
      let donor = donors.get(row.id);
      if (!donor) {
        donor = {
          id: row.id,
          code: row.code,
          name: row.name,
          bikes: 0,
          byState: Object.fromEntries(BIKE_STATES.map((s) => [s, 0])) as Record<BikeState, number>,
        };
        donors.set(row.id, donor);
      }
      if (row.state) {
        donor.byState[row.state] += Number(row.n);
        donor.bikes += Number(row.n);
      }
    }
    return [...donors.values()];
  }

  /** A new donated bike enters service, available at a station or depot. */
  async register(actor: Actor, input: RegisterBikeInput): Promise<BikeView> {
    return this.dataSource.transaction(async (manager) => {
      const donor = await manager.getRepository(DonorEntity).findOne({ where: { code: input.donor } });
      if (!donor)
        throw new DomainError('DONOR_NOT_FOUND', `No existe el donante ${input.donor}.`, { donor: input.donor });
      let bike: { id: string };
      try {
        // The same function the seed and the CSV import use: bike row, log row and counters.
        [bike] = await registerBikes(
          manager,
          [{ code: input.code, donorId: donor.id, state: 'available', stationId: input.stationId }],
          actor.id,
          this.clock.now(),
        );
      } catch (error) {
        if (isUniqueViolation(error, 'UQ_bikes_code'))
          throw new DomainError('BIKE_CODE_TAKEN', `Ya existe una bicicleta con el código ${input.code}.`, {
            code: input.code,
          });
        if (isForeignKeyViolation(error, 'FK_bikes_station'))
          throw new DomainError('STATION_NOT_FOUND', 'La estación no existe.', { stationId: input.stationId });
        throw error;
      }
      return this.view(manager, bike.id);
    });
  }

  /** Takes a bike out of the fleet for good. */
  async retire(actor: Actor, id: string, reason: string): Promise<BikeView> {
    return this.dataSource.transaction(async (manager) => {
      const bike = await lockBike(manager, id);
      const allowed: BikeState[] = ['available', 'maintenance', 'missing'];
      if (!allowed.includes(bike.state)) throw stateConflict(bike, 'dar de baja', allowed);
      await moveBike(manager, bike, {
        type: 'retired',
        toState: 'retired',
        toStationId: null,
        actorId: actor.id,
        reason,
        note: reason,
        occurredAt: this.clock.now(),
      });
      return this.view(manager, id);
    });
  }

  /** An operator finds damage: the bike stays in the rack but can no longer be lent. */
  async reportDamage(
    actor: Actor,
    id: string,
    input: { note: string },
    idempotencyKey?: string,
  ): Promise<IdempotentResult<BikeView>> {
    const request = idempotencyKey
      ? {
          actorId: actor.id,
          scope: 'bike.report_damage' as const,
          key: idempotencyKey,
          request: { bikeId: id, ...input },
        }
      : undefined;
    return this.idempotency.run(request, 200, async (manager) => {
      const bike = await lockBike(manager, id);
      if (bike.stationId !== null) assertCanActAtStation(actor, bike.stationId);
      if (bike.state !== 'available' || bike.stationId === null)
        throw stateConflict(bike, 'reportar un daño', ['available']);
      const stationId = bike.stationId;
      await moveBike(manager, bike, {
        type: 'damage_reported',
        toState: 'maintenance',
        toStationId: stationId,
        actorId: actor.id,
        reason: input.note,
        note: input.note,
        occurredAt: this.clock.now(),
      });
      await appendToOutbox(manager, [
        outboxMessage('bike.damage_reported', bike.id, {
          bikeId: bike.id,
          bikeCode: bike.code,
          stationId,
          note: input.note,
        }),
      ]);
      return this.view(manager, id);
    });
  }

  /** Repaired where it stands: back to available. */
  async returnToService(actor: Actor, id: string, input: { note?: string } = {}): Promise<BikeView> {
    return this.dataSource.transaction(async (manager) => {
      const bike = await lockBike(manager, id);
      if (bike.stationId !== null) assertCanActAtStation(actor, bike.stationId);
      if (bike.state !== 'maintenance' || bike.stationId === null)
        throw stateConflict(bike, 'devolver al servicio', ['maintenance']);
      await moveBike(manager, bike, {
        type: 'repaired',
        toState: 'available',
        toStationId: bike.stationId,
        actorId: actor.id,
        reason: input.note ?? null,
        note: input.note ?? null,
        policeReport: null,
        occurredAt: this.clock.now(),
      });
      return this.view(manager, id);
    });
  }

  /**
   * Missing or stolen, with the police report number ("denuncia"). A bike on loan is the loan's
   * business (force-return it or wait); a bike in transit has its move cancelled.
   */
  async reportMissing(actor: Actor, id: string, input: { policeReport: string; note?: string }): Promise<BikeView> {
    return this.dataSource.transaction(async (manager) => {
      const bike = await lockBike(manager, id);
      let lastStationId = bike.stationId;
      if (bike.state === 'on_loan') {
        throw new DomainError(
          'BIKE_STATE_CONFLICT',
          `La bicicleta ${bike.code} está en préstamo: registre primero la devolución forzada del préstamo o espere a que se cierre, y luego repórtela como perdida.`,
          { bikeId: bike.id, state: bike.state },
        );
      }
      if (bike.state === 'available' || bike.state === 'maintenance') {
        assertCanActAtStation(actor, bike.stationId as string);
      } else if (bike.state === 'in_transit') {
        const move = await manager
          .getRepository(RebalancingMoveEntity)
          .findOne({ where: { bikeId: bike.id, state: 'in_transit' }, lock: { mode: 'pessimistic_write' } });
        if (move) {
          // Whoever may act at the origin, or the operator who is carrying it.
          if (move.pickedUpBy !== actor.id) assertCanActAtStation(actor, move.fromStationId);
          await manager.update(RebalancingMoveEntity, { id: move.id }, { state: 'cancelled' });
          lastStationId = move.fromStationId;
        } else if (actor.role !== 'admin') {
          throw new DomainError('STATION_NOT_ALLOWED', 'Solo un administrador puede reportar esta bicicleta.', {
            bikeId: bike.id,
          });
        }
      } else {
        throw stateConflict(bike, 'reportar como perdida', ['available', 'maintenance', 'in_transit']);
      }
      const policeReport = input.policeReport.trim();
      await moveBike(manager, bike, {
        type: 'reported_missing',
        toState: 'missing',
        toStationId: null,
        actorId: actor.id,
        reason: `Denuncia ${policeReport}${input.note ? `: ${input.note}` : ''}`,
        policeReport,
        ...(input.note !== undefined ? { note: input.note } : {}),
        occurredAt: this.clock.now(),
      });
      await appendToOutbox(manager, [
        outboxMessage('bike.reported_missing', bike.id, {
          bikeId: bike.id,
          bikeCode: bike.code,
          stationId: lastStationId,
          policeReport,
        }),
      ]);
      return this.view(manager, id);
    });
  }

  /** A missing bike turns up: it enters the rack at that station awaiting inspection. */
  async markFound(actor: Actor, id: string, input: { stationId: string; note?: string }): Promise<BikeView> {
    assertCanActAtStation(actor, input.stationId);
    return this.dataSource.transaction(async (manager) => {
      const bike = await lockBike(manager, id);
      if (bike.state !== 'missing') throw stateConflict(bike, 'marcar como encontrada', ['missing']);
      await moveBike(manager, bike, {
        type: 'found',
        toState: 'maintenance',
        toStationId: input.stationId,
        actorId: actor.id,
        reason: input.note ?? null,
        ...(input.note !== undefined ? { note: input.note } : {}),
        occurredAt: this.clock.now(),
      });
      return this.view(manager, id);
    });
  }

  private async view(manager: EntityManager, id: string): Promise<BikeView> {
    const bike = await manager.getRepository(BikeEntity).findOne({ where: { id }, relations: { donor: true } });
    if (!bike) throw new DomainError('BIKE_NOT_FOUND', 'La bicicleta no existe.', { bikeId: id });
    return toBikeView(bike);
  }
}

export function toBikeView(b: BikeEntity): BikeView {
  return {
    id: b.id,
    code: b.code,
    donor: b.donor?.code ?? '',
    donorName: b.donor?.name ?? '',
    state: b.state,
    stationId: b.stationId,
    note: b.note,
    policeReport: b.policeReport,
  };
}

function toEventView(e: BikeEventEntity): BikeEventView {
  return {
    id: e.id,
    type: e.type,
    fromState: e.fromState,
    toState: e.toState,
    fromStationId: e.fromStationId,
    toStationId: e.toStationId,
    loanId: e.loanId,
    actorId: e.actorId,
    reason: e.reason,
    occurredAt: e.occurredAt.toISOString(),
  };
}

function isForeignKeyViolation(error: unknown, constraint: string): boolean {
  return (
    error instanceof QueryFailedError &&
    (error.driverError as { code?: string }).code === '23503' &&
    (error.driverError as { constraint?: string }).constraint === constraint
  );
}
