import { randomBytes } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { BikeEntity, DonorEntity } from '@metrobici/fleet';
import { RiderEntity } from '@metrobici/riders';
import { hashPassword, StaffUserEntity } from '@metrobici/staff';
import { StationEntity } from '@metrobici/stations';

export interface BenchWorld {
  stationIds: string[];
  password: string;
  operators: Array<{
    email: string;
    riderId: string;
    /** The bikes only this operator moves, and the index of the station each stands at. */
    bikes: Array<{ code: string; station: number }>;
  }>;
}

/**
 * Writes the bench's world straight into the database, in one transaction: S stations whose
 * capacity equals the whole fleet (so STATION_FULL cannot happen however the bikes drift), B
 * available bikes spread round-robin with matching counters, and per operator a staff account
 * (role operator, every station, argon2id hash as the API makes them) and a verified rider. Bike i
 * belongs to operator i mod N: two operators never race for one bike or one rider, so every
 * non-2xx answer is a defect, not contention the bench created.
 */
export async function seedWorld(
  ds: DataSource,
  size: { stations: number; bikes: number; operators: number },
): Promise<BenchWorld> {
  const password = randomBytes(12).toString('hex');
  const passwordHash = await hashPassword(password);
  return ds.transaction(async (m) => {
    const stationRows = Array.from({ length: size.stations }, (_, s) => {
      const docked = Math.floor(size.bikes / size.stations) + (s < size.bikes % size.stations ? 1 : 0);
      return {
        code: `BENCH-S${String(s + 1).padStart(3, '0')}`,
        name: `Estación de carga ${s + 1}`,
        address: 'bench',
        lat: 7.1 + s / 1000,
        lon: -73.11,
        capacity: size.bikes,
        kind: 'station' as const,
        active: true,
        bikesDocked: docked,
        bikesAvailable: docked,
        helmetsAvailable: 0,
      };
    });
    const stations = await m.getRepository(StationEntity).insert(stationRows);
    const stationIds = stations.identifiers.map((i) => i.id as string);

    const donor = await m.getRepository(DonorEntity).insert({ code: 'bench', name: 'Bench' });
    const donorId = donor.identifiers[0].id as string;
    const bikeRows = Array.from({ length: size.bikes }, (_, b) => ({
      code: `BENCH-${String(b + 1).padStart(5, '0')}`,
      donorId,
      state: 'available' as const,
      stationId: stationIds[b % size.stations],
      note: null,
      policeReport: null,
    }));
    await m.getRepository(BikeEntity).insert(bikeRows);

    const now = new Date();
    const riders = await m.getRepository(RiderEntity).insert(
      Array.from({ length: size.operators }, (_, o) => ({
        documentType: 'CC' as const,
        documentNumber: String(9_000_000_000 + o),
        firstName: 'Ciclista',
        lastName: `Carga ${o + 1}`,
        birthDate: '1990-05-17',
        gender: 'undisclosed' as const,
        phone: '3000000000',
        email: null,
        consentAcceptedAt: now,
        consentTermsVersion: '2019-10',
        consentPurposes: ['service'],
        status: 'active' as const,
        verifiedAt: now,
      })),
    );
    const emails = Array.from({ length: size.operators }, (_, o) => `bench-operator-${o + 1}@bench.local`);
    await m.getRepository(StaffUserEntity).insert(
      emails.map((email, o) => ({
        email,
        fullName: `Operador de carga ${o + 1}`,
        passwordHash,
        role: 'operator' as const,
        homeStationId: null,
        allStations: true,
        active: true,
      })),
    );

    return {
      stationIds,
      password,
      operators: emails.map((email, o) => ({
        email,
        riderId: riders.identifiers[o].id as string,
        bikes: bikeRows.flatMap((bike, b) =>
          b % size.operators === o ? [{ code: bike.code, station: b % size.stations }] : [],
        ),
      })),
    };
  });
}
