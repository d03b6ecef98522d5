import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager, QueryFailedError } from 'typeorm';
import { type Actor, Clock, DomainError } from '@metrobici/common';
import { StationEntity } from './station.entity';
import { ServiceHours } from './service-hours';
import { spacesAvailable, touchStation } from './station-inventory';
import { createStations, type NewStation } from './station-catalogue';

export interface StationView {
  id: string;
  code: string;
  name: string;
  address: string;
  lat: number;
  lon: number;
  capacity: number;
  bikesAvailable: number;
  spacesAvailable: number;
  helmetsAvailable: number;
  isOpen: boolean;
  active: boolean;
  nearMetrolinea: boolean;
  sequence: number;
  updatedAt: string;
}

/** An admin's new station: the same shape the bulk loaders create (`createStations`). */
export type CreateStationInput = NewStation;

export type UpdateStationInput = Partial<Omit<CreateStationInput, 'code' | 'kind'>>;

@Injectable()
export class StationService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly hours: ServiceHours,
    private readonly clock: Clock,
  ) {}

  /** Public stations (depots are never shown), with live counts. */
  async listPublic(): Promise<StationView[]> {
    const stations = await this.dataSource
      .getRepository(StationEntity)
      .find({ where: { kind: 'station' }, order: { code: 'ASC' } });
    await this.hours.refresh();
    const now = this.clock.now();
    return stations.map((s) => this.toView(s, now));
  }

  async getPublic(id: string): Promise<StationView> {
    const station = await this.findOrFail(this.dataSource.manager, id);
    if (station.kind !== 'station')
      throw new DomainError('STATION_NOT_FOUND', 'La estación no existe.', { stationId: id });
    await this.hours.refresh();
    return this.toView(station, this.clock.now());
  }

  /** Stations and depots, for staff screens. */
  async listAll(): Promise<StationEntity[]> {
    return this.dataSource.getRepository(StationEntity).find({ order: { kind: 'DESC', code: 'ASC' } });
  }

  async create(_actor: Actor, input: CreateStationInput): Promise<StationView> {
    try {
      // The same function the seed and the CSV import use.
      const [saved] = await this.dataSource.transaction((manager) => createStations(manager, [input]));
      return this.toView(saved, this.clock.now());
    } catch (error) {
      if (isUniqueViolation(error, 'UQ_stations_code')) {
        throw new DomainError('STATION_CODE_TAKEN', `Ya existe una estación con el código ${input.code}.`);
      }
      throw error;
    }
  }

  async update(_actor: Actor, id: string, input: UpdateStationInput): Promise<StationView> {
    return this.dataSource.transaction(async (manager) => {
      await this.findOrFail(manager, id, true);
      const patch: Partial<StationEntity> = {};
      for (const key of ['name', 'address', 'lat', 'lon', 'capacity', 'nearMetrolinea', 'helmetsAvailable'] as const) {
        if (input[key] !== undefined) (patch as Record<string, unknown>)[key] = input[key];
      }
      try {
        if (Object.keys(patch).length > 0) await manager.update(StationEntity, { id }, patch);
      } catch (error) {
        if (
          error instanceof QueryFailedError &&
          (error.driverError as { constraint?: string }).constraint === 'CHK_stations_counts'
        ) {
          throw new DomainError(
            'CAPACITY_BELOW_OCCUPANCY',
            'La capacidad no puede ser menor que las bicicletas que hay en la estación.',
          );
        }
        throw error;
      }
      await touchStation(manager, id);
      return this.toView(await this.findOrFail(manager, id), this.clock.now());
    });
  }

  /** Opens or closes a station for the public (admin action); bikes stay where they are. */
  async setActive(_actor: Actor, id: string, active: boolean): Promise<StationView> {
    return this.dataSource.transaction(async (manager) => {
      await this.findOrFail(manager, id, true);
      await manager.update(StationEntity, { id }, { active });
      await touchStation(manager, id);
      return this.toView(await this.findOrFail(manager, id), this.clock.now());
    });
  }

  async findOrFail(manager: EntityManager, id: string, lock = false): Promise<StationEntity> {
    const station = await manager.getRepository(StationEntity).findOne({
      where: { id },
      ...(lock ? { lock: { mode: 'pessimistic_write' as const } } : {}),
    });
    if (!station) throw new DomainError('STATION_NOT_FOUND', 'La estación no existe.', { stationId: id });
    return station;
  }

  toView(s: StationEntity, now: Date): StationView {
    return {
      id: s.id,
      code: s.code,
      name: s.name,
      address: s.address,
      lat: s.lat,
      lon: s.lon,
      capacity: s.capacity,
      bikesAvailable: s.bikesAvailable,
      spacesAvailable: spacesAvailable(s),
      helmetsAvailable: s.helmetsAvailable,
      isOpen: this.hours.isRenting(s, now),
      active: s.active,
      nearMetrolinea: s.nearMetrolinea,
      sequence: s.sequence,
      updatedAt: s.availabilityUpdatedAt.toISOString(),
    };
  }
}

export function isUniqueViolation(error: unknown, constraint: string): boolean {
  return (
    error instanceof QueryFailedError &&
    (error.driverError as { code?: string; constraint?: string }).code === '23505' &&
    (error.driverError as { constraint?: string }).constraint === constraint
  );
}
