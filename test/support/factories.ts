import { randomBytes } from 'node:crypto';
import { DataSource } from 'typeorm';
import type { StaffRole } from '@metrobici/common';
import { BikeEntity, type BikeState, DonorEntity } from '@metrobici/fleet';
import { RiderEntity } from '@metrobici/riders';
import { hashPassword, StaffUserEntity } from '@metrobici/staff';
import { StationEntity } from '@metrobici/stations';

export const TEST_PASSWORD = 'test-password-123';
let passwordHash: Promise<string> | undefined;
const uniq = () => randomBytes(4).toString('hex').toUpperCase();

/** Data factories with overrides; every test makes its own rows. Writes go straight to the database. */
export class Factories {
  constructor(private readonly ds: DataSource) {}

  async station(overrides: Partial<StationEntity> = {}): Promise<StationEntity> {
    const repo = this.ds.getRepository(StationEntity);
    return repo.save(
      repo.create({
        code: `ST-${uniq()}`,
        name: 'Estación de prueba',
        address: 'Cra 27 # 10-10',
        lat: 7.1,
        lon: -73.11,
        capacity: 20,
        kind: 'station',
        helmetsAvailable: 5,
        ...overrides,
      }),
    );
  }

  async donor(overrides: Partial<DonorEntity> = {}): Promise<DonorEntity> {
    const repo = this.ds.getRepository(DonorEntity);
    return repo.save(repo.create({ code: `donor-${uniq().toLowerCase()}`, name: 'Donante de prueba', ...overrides }));
  }

  /** A bike placed at a station (counters kept consistent), or elsewhere for non-rack states. */
  async bike(
    overrides: Partial<BikeEntity> & { stationId?: string | null; state?: BikeState } = {},
  ): Promise<BikeEntity> {
    const state = overrides.state ?? 'available';
    const donorId = overrides.donorId ?? (await this.donor()).id;
    const inRack = state === 'available' || state === 'maintenance';
    const stationId = inRack ? (overrides.stationId ?? (await this.station()).id) : null;
    return this.ds.transaction(async (m) => {
      const bike = await m
        .getRepository(BikeEntity)
        .save(
          m
            .getRepository(BikeEntity)
            .create({ code: `B-${uniq()}`, note: null, policeReport: null, ...overrides, donorId, state, stationId }),
        );
      if (stationId) {
        await m.query(
          'UPDATE stations SET bikes_docked = bikes_docked + 1, bikes_available = bikes_available + $2 WHERE id = $1',
          [stationId, state === 'available' ? 1 : 0],
        );
      }
      return bike;
    });
  }

  async rider(overrides: Partial<RiderEntity> = {}): Promise<RiderEntity> {
    const repo = this.ds.getRepository(RiderEntity);
    return repo.save(
      repo.create({
        documentType: 'CC',
        documentNumber: String(1_000_000_000 + Math.floor(Math.random() * 8_999_999_999)),
        firstName: 'Ana',
        lastName: 'Prueba',
        birthDate: '1990-05-17',
        gender: 'female',
        phone: '3001234567',
        email: null,
        consentAcceptedAt: new Date(),
        consentTermsVersion: '2019-10',
        consentPurposes: ['service', 'research', 'reminders'],
        status: 'active',
        verifiedAt: new Date(),
        ...overrides,
      }),
    );
  }

  async staff(role: StaffRole, overrides: Partial<StaffUserEntity> = {}): Promise<StaffUserEntity> {
    passwordHash ??= hashPassword(TEST_PASSWORD);
    const repo = this.ds.getRepository(StaffUserEntity);
    return repo.save(
      repo.create({
        email: `${role}-${uniq().toLowerCase()}@test.local`,
        fullName: `${role} de prueba`,
        passwordHash: await passwordHash,
        role,
        ...overrides,
      }),
    );
  }
}
