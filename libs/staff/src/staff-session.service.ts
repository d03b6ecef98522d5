import { createHash, randomBytes } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import { type Actor, DomainError } from '@metrobici/common';
import { StaffRefreshTokenEntity, StaffSessionEntity } from './staff-session.entity';
import { toActor } from './staff.service';
import { StaffUserEntity } from './staff-user.entity';

/** A session just opened or refreshed: the refresh token in clear, given once to the client. */
export interface IssuedSession {
  sessionId: string;
  tokenVersion: number;
  refreshToken: string;
  expiresAt: Date;
  actor: Actor;
}

export interface StaffSessionView {
  id: string;
  staffId: string;
  email: string;
  createdAt: string;
  lastUsedAt: string;
  expiresAt: string;
  /** active | expired | revoked | ended (the account was deactivated or its token version moved on) */
  state: 'active' | 'expired' | 'revoked' | 'ended';
  revokedAt: string | null;
  revokedReason: string | null;
  userAgent: string | null;
}

export type SessionEndReason = 'logout' | 'revoked' | 'refresh_reused';

/** 256 random bits, URL-safe; only the SHA-256 hash is stored. */
export function newRefreshToken(): string {
  return randomBytes(32).toString('base64url');
}

export function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

const REFRESH_TOKEN = /^[A-Za-z0-9_-]{43}$/;

function sessionEnded(): DomainError {
  return new DomainError('UNAUTHENTICATED', 'La sesión terminó o no es válida; inicie sesión de nuevo.');
}

/**
 * Staff sessions for a shift and their rotating refresh tokens (tables owned by this lib). Times
 * are the real clock: a session's end is a security boundary, not a business rule to replay.
 */
@Injectable()
export class StaffSessionService {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** Opens a session for an active account (after a login or a password change). */
  async open(actor: Actor, hours: number, userAgent?: string): Promise<IssuedSession> {
    return this.dataSource.transaction(async (manager) => {
      const user = await manager.findOneBy(StaffUserEntity, { id: actor.id });
      if (!user || !user.active) throw new DomainError('INVALID_CREDENTIALS', 'Correo o contraseña incorrectos.');
      const now = new Date();
      const session = await manager.save(
        manager.create(StaffSessionEntity, {
          staffId: user.id,
          tokenVersion: user.tokenVersion,
          expiresAt: new Date(now.getTime() + hours * 3600_000),
          lastUsedAt: now,
          revokedAt: null,
          revokedReason: null,
          revokedBy: null,
          userAgent: userAgent ? userAgent.slice(0, 200) : null,
        }),
      );
      const refreshToken = await this.addToken(manager, session.id);
      return {
        sessionId: session.id,
        tokenVersion: user.tokenVersion,
        refreshToken,
        expiresAt: session.expiresAt,
        actor: toActor(user),
      };
    });
  }

  /**
   * Rotates the pair: the presented token is spent and the next one issued. A token already spent
   * revokes the whole session (whoever holds either copy must sign in again); an expired or
   * revoked session, or an account deactivated or changed since, is refused.
   */
  async refresh(refreshToken: string): Promise<IssuedSession> {
    if (!REFRESH_TOKEN.test(refreshToken)) throw sessionEnded();
    const outcome = await this.dataSource.transaction(async (manager) => {
      const token = await manager.findOne(StaffRefreshTokenEntity, {
        where: { tokenHash: hashToken(refreshToken) },
        lock: { mode: 'pessimistic_write' },
      });
      if (!token) return { error: sessionEnded(), issued: null };
      const session = await manager.findOne(StaffSessionEntity, {
        where: { id: token.sessionId },
        lock: { mode: 'pessimistic_write' },
      });
      if (!session) return { error: sessionEnded(), issued: null };
      const now = new Date();
      if (token.usedAt) {
        // Reuse: the family is revoked, committed even though the request fails.
        if (!session.revokedAt) {
          await manager.update(
            StaffSessionEntity,
            { id: session.id },
            { revokedAt: now, revokedReason: 'refresh_reused' satisfies SessionEndReason },
          );
        }
        return { error: sessionEnded(), issued: null };
      }
      const user = await manager.findOneBy(StaffUserEntity, { id: session.staffId });
      if (
        session.revokedAt ||
        session.expiresAt <= now ||
        !user?.active ||
        user.tokenVersion !== session.tokenVersion
      ) {
        return { error: sessionEnded(), issued: null };
      }
      await manager.update(StaffRefreshTokenEntity, { tokenHash: token.tokenHash }, { usedAt: now });
      await manager.update(StaffSessionEntity, { id: session.id }, { lastUsedAt: now });
      const next = await this.addToken(manager, session.id);
      return {
        error: null,
        issued: {
          sessionId: session.id,
          tokenVersion: session.tokenVersion,
          refreshToken: next,
          expiresAt: session.expiresAt,
          actor: toActor(user),
        } satisfies IssuedSession,
      };
    });
    if (outcome.error || !outcome.issued) throw outcome.error ?? sessionEnded();
    return outcome.issued;
  }

  /** Ends the session a refresh token belongs to (logout); unknown tokens are ignored. */
  async endByRefreshToken(refreshToken: string): Promise<void> {
    if (!REFRESH_TOKEN.test(refreshToken)) return;
    await this.dataSource.query(
      `UPDATE staff_sessions s SET revoked_at = now(), revoked_reason = 'logout'
         FROM staff_refresh_tokens t
        WHERE t.token_hash = $1 AND t.session_id = s.id AND s.revoked_at IS NULL`,
      [hashToken(refreshToken)],
    );
  }

  /** Ends a session by id (logout with the access token); an ended one stays as it was. */
  async end(sessionId: string, reason: SessionEndReason, by: string | null): Promise<void> {
    await this.dataSource.query(
      `UPDATE staff_sessions SET revoked_at = now(), revoked_reason = $2, revoked_by = $3
        WHERE id = $1 AND revoked_at IS NULL`,
      [sessionId, reason, by],
    );
  }

  /** Admin action: revokes a session; its access tokens stop at their next request or socket check. */
  async revoke(actor: Actor, sessionId: string): Promise<StaffSessionView> {
    const exists = await this.dataSource.getRepository(StaffSessionEntity).existsBy({ id: sessionId });
    if (!exists) throw new DomainError('SESSION_NOT_FOUND', 'La sesión no existe.', { sessionId });
    await this.end(sessionId, 'revoked', actor.id);
    const [view] = await this.views('s.id = $1', [sessionId]);
    return view;
  }

  /** Sessions, newest first: of one account, or (without `staffId`) every session still active. */
  async list(filter: { staffId?: string; limit?: number }): Promise<StaffSessionView[]> {
    const limit = Math.min(Math.max(filter.limit ?? 100, 1), 500);
    if (filter.staffId) return this.views('s.staff_id = $1', [filter.staffId], limit);
    return this.views(
      `s.revoked_at IS NULL AND s.expires_at > now() AND u.active AND u.token_version = s.token_version`,
      [],
      limit,
    );
  }

  /**
   * The actor behind an access token of session `sessionId`, or null when the session or the
   * account no longer stands. One query: the guard runs it on every request.
   */
  async actorForSession(staffId: string, tokenVersion: number, sessionId: string): Promise<Actor | null> {
    const [user] = await this.dataSource.query<
      Array<Pick<StaffUserEntity, 'id' | 'email' | 'role'> & { all_stations: boolean; home_station_id: string | null }>
    >(
      `SELECT u.id, u.email, u.role, u.all_stations, u.home_station_id
         FROM staff_sessions s JOIN staff_users u ON u.id = s.staff_id
        WHERE s.id = $1 AND s.staff_id = $2 AND s.token_version = $3 AND s.revoked_at IS NULL AND s.expires_at > now()
          AND u.active AND u.token_version = $3`,
      [sessionId, staffId, tokenVersion],
    );
    return user
      ? toActor({
          id: user.id,
          email: user.email,
          role: user.role,
          allStations: user.all_stations,
          homeStationId: user.home_station_id,
        })
      : null;
  }

  /** Which of these session ids are still open (not revoked, not expired): the sockets' re-check. */
  async openSessions(ids: string[]): Promise<Set<string>> {
    if (ids.length === 0) return new Set();
    const rows: Array<{ id: string }> = await this.dataSource.query(
      `SELECT id FROM staff_sessions WHERE id = ANY($1::uuid[]) AND revoked_at IS NULL AND expires_at > now()`,
      [[...new Set(ids)]],
    );
    return new Set(rows.map((r) => r.id));
  }

  private async addToken(manager: EntityManager, sessionId: string): Promise<string> {
    const token = newRefreshToken();
    await manager.insert(StaffRefreshTokenEntity, { tokenHash: hashToken(token), sessionId, usedAt: null });
    return token;
  }

  private async views(where: string, params: unknown[], limit = 100): Promise<StaffSessionView[]> {
    const rows: Array<Record<string, any>> = await this.dataSource.query(
      `SELECT s.*, u.email, u.active, u.token_version AS user_token_version
         FROM staff_sessions s JOIN staff_users u ON u.id = s.staff_id
        WHERE ${where}
        ORDER BY s.created_at DESC
        LIMIT ${limit}`,
      params,
    );
    const now = Date.now();
    return rows.map((r) => ({
      id: r.id,
      staffId: r.staff_id,
      email: r.email,
      createdAt: new Date(r.created_at).toISOString(),
      lastUsedAt: new Date(r.last_used_at).toISOString(),
      expiresAt: new Date(r.expires_at).toISOString(),
      state: r.revoked_at
        ? 'revoked'
        : !r.active || r.user_token_version !== r.token_version
          ? 'ended'
          : new Date(r.expires_at).getTime() <= now
            ? 'expired'
            : 'active',
      revokedAt: r.revoked_at ? new Date(r.revoked_at).toISOString() : null,
      revokedReason: r.revoked_reason,
      userAgent: r.user_agent,
    }));
  }
}
