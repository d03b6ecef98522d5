import { Injectable, type OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, QueryFailedError } from 'typeorm';
import { type Actor, DomainError, type StaffRole } from '@metrobici/common';
import { StationEntity } from '@metrobici/stations';
import { hashPassword, verifyPassword } from './password';
import { StaffUserEntity } from './staff-user.entity';

export interface StaffView {
  id: string;
  email: string;
  fullName: string;
  role: StaffRole;
  homeStationId: string | null;
  allStations: boolean;
  active: boolean;
}

export interface CreateStaffInput {
  email: string;
  password: string;
  fullName?: string;
  role: StaffRole;
  homeStationId?: string | null;
  allStations?: boolean;
}

@Injectable()
export class StaffService implements OnModuleInit {
  /** Verified against when the e-mail is unknown, so both paths cost one argon2 verification. */
  private dummyHash = '';

  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async onModuleInit(): Promise<void> {
    this.dummyHash = await hashPassword('not-a-real-password');
  }

  /** Returns the actor for valid credentials of an active account, or throws INVALID_CREDENTIALS. */
  async authenticate(email: string, password: string): Promise<Actor> {
    const user = await this.dataSource
      .getRepository(StaffUserEntity)
      .findOne({ where: { email: email.trim().toLowerCase() } });
    const ok = await verifyPassword(user?.passwordHash ?? this.dummyHash, password);
    if (!user || !ok || !user.active) throw new DomainError('INVALID_CREDENTIALS', 'Correo o contraseña incorrectos.');
    return toActor(user);
  }

  /** Reloads the actor behind a token, so a deactivated account or a changed station stops at once. */
  async actorById(id: string): Promise<Actor | null> {
    const user = await this.dataSource.getRepository(StaffUserEntity).findOne({ where: { id } });
    return user && user.active ? toActor(user) : null;
  }

  /**
   * The actor behind a token issued under `tokenVersion`, or null when the account is gone,
   * inactive, or its password, role or stations changed since (the version moved on).
   */
  async actorForToken(id: string, tokenVersion: number): Promise<Actor | null> {
    const user = await this.dataSource.getRepository(StaffUserEntity).findOne({ where: { id } });
    return user && user.active && user.tokenVersion === tokenVersion ? toActor(user) : null;
  }

  /** The current token version of an active account (to put in a new token), or null. */
  async tokenVersionOf(id: string): Promise<number | null> {
    const user = await this.dataSource.getRepository(StaffUserEntity).findOne({ where: { id } });
    return user && user.active ? user.tokenVersion : null;
  }

  /**
   * Which of these sessions are still good: one query for all of them (the staff sockets re-check
   * every few seconds). A session is good while its account is active at the same token version.
   */
  async validSessions(sessions: Array<{ id: string; tokenVersion: number }>): Promise<Set<string>> {
    const good = new Set<string>();
    if (sessions.length === 0) return good;
    const rows: Array<{ id: string; token_version: number; active: boolean }> = await this.dataSource.query(
      'SELECT id, token_version, active FROM staff_users WHERE id = ANY($1::uuid[])',
      [[...new Set(sessions.map((s) => s.id))]],
    );
    const byId = new Map(rows.map((r) => [r.id, r]));
    for (const s of sessions) {
      const row = byId.get(s.id);
      if (row?.active && row.token_version === s.tokenVersion) good.add(`${s.id}:${s.tokenVersion}`);
    }
    return good;
  }

  /** The account's lower-cased e-mail (for the per-account login limit), or STAFF_NOT_FOUND. */
  async emailOf(id: string): Promise<string> {
    const user = await this.dataSource.getRepository(StaffUserEntity).findOne({ where: { id } });
    if (!user) throw new DomainError('STAFF_NOT_FOUND', 'La cuenta no existe.');
    return user.email;
  }

  /** A signed-in staff member changes their own password; every other session of theirs ends. */
  async changeOwnPassword(actor: Actor, currentPassword: string, newPassword: string): Promise<void> {
    const repo = this.dataSource.getRepository(StaffUserEntity);
    const user = await repo.findOne({ where: { id: actor.id } });
    if (!user || !(await verifyPassword(user.passwordHash, currentPassword))) {
      throw new DomainError('INVALID_CREDENTIALS', 'La contraseña actual no es correcta.');
    }
    await repo.update(
      { id: user.id },
      { passwordHash: await hashPassword(newPassword), tokenVersion: () => '"token_version" + 1' },
    );
  }

  /** Admin action: sets a new password; the account's existing tokens stop working. */
  async setPassword(_actor: Actor, id: string, password: string): Promise<StaffView> {
    const repo = this.dataSource.getRepository(StaffUserEntity);
    const result = await repo.update(
      { id },
      { passwordHash: await hashPassword(password), tokenVersion: () => '"token_version" + 1' },
    );
    if (!result.affected) throw new DomainError('STAFF_NOT_FOUND', 'La cuenta no existe.');
    return toView(await repo.findOneByOrFail({ id }));
  }

  async list(): Promise<StaffView[]> {
    const users = await this.dataSource.getRepository(StaffUserEntity).find({ order: { role: 'ASC', email: 'ASC' } });
    return users.map(toView);
  }

  async create(_actor: Actor, input: CreateStaffInput): Promise<StaffView> {
    if (input.homeStationId) {
      const exists = await this.dataSource.getRepository(StationEntity).exists({ where: { id: input.homeStationId } });
      if (!exists)
        throw new DomainError('STATION_NOT_FOUND', 'La estación no existe.', { stationId: input.homeStationId });
    }
    const repo = this.dataSource.getRepository(StaffUserEntity);
    try {
      const saved = await repo.save(
        repo.create({
          email: input.email.trim().toLowerCase(),
          fullName: input.fullName ?? '',
          passwordHash: await hashPassword(input.password),
          role: input.role,
          homeStationId: input.homeStationId ?? null,
          allStations: input.allStations ?? false,
        }),
      );
      return toView(saved);
    } catch (error) {
      if (
        error instanceof QueryFailedError &&
        (error.driverError as { constraint?: string }).constraint === 'UQ_staff_email'
      ) {
        throw new DomainError('STAFF_EMAIL_TAKEN', `Ya existe una cuenta con el correo ${input.email}.`);
      }
      throw error;
    }
  }

  async setActive(_actor: Actor, id: string, active: boolean): Promise<StaffView> {
    const repo = this.dataSource.getRepository(StaffUserEntity);
    const user = await repo.findOne({ where: { id } });
    if (!user) throw new DomainError('STAFF_NOT_FOUND', 'La cuenta no existe.');
    // Deactivating ends every session for good: reactivation needs a new sign-in.
    if (user.active && !active) user.tokenVersion += 1;
    user.active = active;
    return toView(await repo.save(user));
  }
}

export function toActor(user: Pick<StaffUserEntity, 'id' | 'email' | 'role' | 'allStations' | 'homeStationId'>): Actor {
  return {
    id: user.id,
    email: user.email,
    role: user.role,
    stationIds: user.role === 'admin' || user.allStations ? null : user.homeStationId ? [user.homeStationId] : [],
  };
}

function toView(u: StaffUserEntity): StaffView {
  return {
    id: u.id,
    email: u.email,
    fullName: u.fullName,
    role: u.role,
    homeStationId: u.homeStationId,
    allStations: u.allStations,
    active: u.active,
  };
}
