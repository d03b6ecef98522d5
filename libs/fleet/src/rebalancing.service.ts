import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import { type Actor, Clock, DomainError } from '@metrobici/common';
import { IdempotencyService, type IdempotentResult } from '@metrobici/idempotency';
import { isUniqueViolation } from '@metrobici/stations';
import { RebalancingMoveEntity } from './rebalancing-move.entity';
import { assertCanActAtStation, lockBike, lockBikeByCode, moveBike } from './fleet.service';

export type RebalancingMoveState = RebalancingMoveEntity['state'];
export const REBALANCING_MOVE_STATES: readonly RebalancingMoveState[] = ['in_transit', 'completed', 'cancelled'];

export interface RebalancingMoveView {
  id: string;
  bikeId: string;
  bikeCode: string;
  fromStationId: string;
  toStationId: string | null;
  needsRepair: boolean;
  state: RebalancingMoveState;
  pickedUpAt: string;
  pickedUpBy: string;
  droppedAt: string | null;
  droppedBy: string | null;
}

export const DEFAULT_MOVE_LIST_LIMIT = 500;

/**
 * Logistics moves of one bike between stations and depots (rebalancing, workshop, overnight
 * storage). Never a trip: no loan rows, only the move, the counters and the bike log.
 */
@Injectable()
export class RebalancingService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly clock: Clock,
    private readonly idempotency: IdempotencyService,
  ) {}

  async list(
    _actor: Actor,
    input: { state?: RebalancingMoveState; limit?: number } = {},
  ): Promise<RebalancingMoveView[]> {
    const qb = this.dataSource
      .getRepository(RebalancingMoveEntity)
      .createQueryBuilder('m')
      .innerJoinAndSelect('m.bike', 'b');
    if (input.state) qb.andWhere('m.state = :state', { state: input.state });
    const moves = await qb
      .orderBy('m.pickedUpAt', 'DESC')
      .addOrderBy('m.id', 'ASC')
      .limit(Math.min(Math.max(input.limit ?? DEFAULT_MOVE_LIST_LIMIT, 1), 1000))
      .getMany();
    return moves.map(toMoveView);
  }

  /** The operator loads a bike from the rack: it leaves the station's counters and is in transit. */
  async pickUp(
    actor: Actor,
    input: { bikeCode: string; fromStationId: string },
    idempotencyKey?: string,
  ): Promise<IdempotentResult<RebalancingMoveView>> {
    const request = idempotencyKey
      ? { actorId: actor.id, scope: 'rebalancing.pick_up' as const, key: idempotencyKey, request: input }
      : undefined;
    // With a key, the stored answer comes before any check (the draft standard's order).
    return this.idempotency.run(request, 201, async (manager) => {
      assertCanActAtStation(actor, input.fromStationId);
      const bike = await lockBikeByCode(manager, input.bikeCode);
      if (bike.state !== 'available' && bike.state !== 'maintenance') {
        throw new DomainError(
          'BIKE_STATE_CONFLICT',
          `La bicicleta ${bike.code} está en estado «${bike.state}»: no se puede recoger para redistribución.`,
          {
            bikeId: bike.id,
            state: bike.state,
            allowedStates: ['available', 'maintenance'],
          },
        );
      }
      if (bike.stationId !== input.fromStationId) {
        throw new DomainError('BIKE_NOT_AT_STATION', `La bicicleta ${bike.code} no está en esta estación.`, {
          bikeId: bike.id,
          stationId: input.fromStationId,
        });
      }
      const now = this.clock.now();
      const needsRepair = bike.state === 'maintenance';
      await moveBike(manager, bike, {
        type: 'rebalance_picked_up',
        toState: 'in_transit',
        toStationId: null,
        actorId: actor.id,
        reason: 'Redistribución',
        occurredAt: now,
      });
      const repo = manager.getRepository(RebalancingMoveEntity);
      let move: RebalancingMoveEntity;
      try {
        move = await repo.save(
          repo.create({
            bikeId: bike.id,
            fromStationId: input.fromStationId,
            toStationId: null,
            needsRepair,
            state: 'in_transit',
            pickedUpAt: now,
            pickedUpBy: actor.id,
            droppedAt: null,
            droppedBy: null,
          }),
        );
      } catch (error) {
        // The bike lock already serialises pick-ups; the partial unique index is the last line of defence.
        if (isUniqueViolation(error, 'UQ_rebalancing_bike_in_transit')) {
          throw new DomainError('BIKE_STATE_CONFLICT', `La bicicleta ${bike.code} ya está en tránsito.`, {
            bikeId: bike.id,
          });
        }
        throw error;
      }
      return this.view(manager, move.id);
    });
  }

  /** The bike arrives at a station or depot: available there, or awaiting repair if it was. */
  async drop(
    actor: Actor,
    moveId: string,
    input: { toStationId: string },
    idempotencyKey?: string,
  ): Promise<IdempotentResult<RebalancingMoveView>> {
    const request = idempotencyKey
      ? { actorId: actor.id, scope: 'rebalancing.drop' as const, key: idempotencyKey, request: { moveId, ...input } }
      : undefined;
    return this.idempotency.run(request, 200, async (manager) => {
      assertCanActAtStation(actor, input.toStationId);
      const found = await manager.getRepository(RebalancingMoveEntity).findOne({ where: { id: moveId } });
      if (!found) throw new DomainError('REBALANCING_MOVE_NOT_FOUND', 'El traslado no existe.', { moveId });
      // Lock order: bike, then the move, then the station (inside changeStationCounts).
      const bike = await lockBike(manager, found.bikeId);
      const move = await manager
        .getRepository(RebalancingMoveEntity)
        .findOneOrFail({ where: { id: moveId }, lock: { mode: 'pessimistic_write' } });
      if (move.state !== 'in_transit' || bike.state !== 'in_transit') {
        throw new DomainError('BIKE_STATE_CONFLICT', `El traslado ya está cerrado (${move.state}).`, {
          moveId,
          state: move.state,
        });
      }
      const now = this.clock.now();
      await moveBike(manager, bike, {
        type: 'rebalance_dropped',
        toState: move.needsRepair ? 'maintenance' : 'available',
        toStationId: input.toStationId,
        actorId: actor.id,
        reason: 'Redistribución',
        occurredAt: now,
      });
      await manager.update(
        RebalancingMoveEntity,
        { id: move.id },
        { state: 'completed', toStationId: input.toStationId, droppedAt: now, droppedBy: actor.id },
      );
      return this.view(manager, move.id);
    });
  }

  private async view(manager: EntityManager, id: string): Promise<RebalancingMoveView> {
    const move = await manager
      .getRepository(RebalancingMoveEntity)
      .findOne({ where: { id }, relations: { bike: true } });
    if (!move) throw new DomainError('REBALANCING_MOVE_NOT_FOUND', 'El traslado no existe.', { moveId: id });
    return toMoveView(move);
  }
}

function toMoveView(m: RebalancingMoveEntity): RebalancingMoveView {
  return {
    id: m.id,
    bikeId: m.bikeId,
    bikeCode: m.bike?.code ?? '',
    fromStationId: m.fromStationId,
    toStationId: m.toStationId,
    needsRepair: m.needsRepair,
    state: m.state,
    pickedUpAt: m.pickedUpAt.toISOString(),
    pickedUpBy: m.pickedUpBy,
    droppedAt: m.droppedAt ? m.droppedAt.toISOString() : null,
    droppedBy: m.droppedBy,
  };
}
