import { In, type EntityManager } from 'typeorm';
import { StationEntity, type StationKind } from './station.entity';
import { touchStation } from './station-inventory';

/** A station or depot as bulk loaders (seed, CSV import) create it; racks start empty. */
export interface NewStation {
  code: string;
  name: string;
  address: string;
  lat: number;
  lon: number;
  capacity: number;
  kind?: StationKind;
  nearMetrolinea?: boolean;
  /** Helmets placed in the station when it is created (later a live counter). */
  helmetsAvailable?: number;
}

/** What an admin or a data load may change of an existing station; counters are not in it. */
export type StationDetailsPatch = Partial<
  Pick<StationEntity, 'name' | 'address' | 'lat' | 'lon' | 'capacity' | 'nearMetrolinea'>
>;

/**
 * Creates stations in the caller's transaction with one INSERT, and returns them as stored. Like
 * the admin's create, nothing is published: a new rack is empty until a bike is counted in.
 * Codes must be free (the caller checked; the unique index refuses a repeat).
 */
export async function createStations(manager: EntityManager, stations: NewStation[]): Promise<StationEntity[]> {
  if (stations.length === 0) return [];
  const inserted = await manager.query<Array<{ id: string }>>(
    `INSERT INTO stations (code, name, address, lat, lon, capacity, kind, near_metrolinea, helmets_available)
     SELECT * FROM unnest($1::varchar[], $2::varchar[], $3::varchar[], $4::float8[], $5::float8[], $6::int[], $7::varchar[], $8::boolean[], $9::int[])
     RETURNING id`,
    [
      stations.map((s) => s.code),
      stations.map((s) => s.name),
      stations.map((s) => s.address),
      stations.map((s) => s.lat),
      stations.map((s) => s.lon),
      stations.map((s) => s.capacity),
      stations.map((s) => s.kind ?? 'station'),
      stations.map((s) => s.nearMetrolinea ?? false),
      stations.map((s) => s.helmetsAvailable ?? 0),
    ],
  );
  return manager.getRepository(StationEntity).find({ where: { id: In(inserted.map((r) => r.id)) } });
}

/**
 * Changes a station's details in the caller's transaction and publishes it again (capacity,
 * place or the Metrolínea flag show in the public feeds). A capacity below the bikes in the rack
 * fails on the table's CHECK.
 */
export async function updateStationDetails(
  manager: EntityManager,
  stationId: string,
  patch: StationDetailsPatch,
): Promise<void> {
  if (Object.keys(patch).length > 0) await manager.update(StationEntity, { id: stationId }, patch);
  await touchStation(manager, stationId);
}
