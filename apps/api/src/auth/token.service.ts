import { Inject, Injectable } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import { type Actor, DomainError } from '@metrobici/common';
import { APP_CONFIG, type AppConfig } from '@metrobici/config';
import { type IssuedSession, StaffService, StaffSessionService } from '@metrobici/staff';

/** Who issues staff tokens and for whom: a token minted for anything else is refused. */
export const TOKEN_ISSUER = 'metrobici-api';
export const TOKEN_AUDIENCE = 'metrobici-staff';

interface TokenPayload {
  sub: string;
  role: string;
  /** The account's token version when issued (see StaffUserEntity.tokenVersion). */
  ver: number;
  /** The staff session (shift) the token belongs to; revoking the session stops the token. */
  sid?: string;
  exp?: number;
}

/** A verified token: whose it is, under which version, and until when (seconds since the epoch). */
export interface TokenClaims {
  sub: string;
  ver: number;
  exp: number;
  sid?: string;
}

/** What login, refresh and a password change answer. */
export interface TokenPair {
  accessToken: string;
  /** Seconds the access token lives (JWT_TTL_SECONDS). */
  expiresIn: number;
  /** Single use: `POST /api/v1/auth/refresh` spends it and answers the next pair. */
  refreshToken: string;
  /** When the session ends whatever the refreshes (STAFF_SESSION_HOURS after the login). */
  sessionExpiresAt: string;
  sessionId: string;
  role: string;
}

/** Tokens whose signature was checked, kept so a request's two guards (and an operator's next calls) skip the HMAC. */
const VERIFIED_TOKENS_MAX = 2048;

/**
 * Issues short-lived staff tokens and turns a token back into a current `Actor`. The signing key
 * is a `KeyObject` built once (JwtModule in AuthModule): with a string secret jsonwebtoken builds
 * a key on every verification.
 */
@Injectable()
export class TokenService {
  /**
   * Claims of tokens verified before, by the token's full text: the signature of the same text does
   * not change, and the expiry is checked again on every use. Only genuine tokens enter; the
   * account and session are still checked on every request (`sessionFromToken`).
   */
  private readonly verified = new Map<string, TokenClaims>();

  constructor(
    private readonly jwt: JwtService,
    private readonly staff: StaffService,
    private readonly sessions: StaffSessionService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** Opens a session for the actor and answers its first pair (login, password change). */
  async issue(actor: Actor, userAgent?: string): Promise<TokenPair> {
    const ver = await this.staff.tokenVersionOf(actor.id);
    if (ver === null) throw new DomainError('INVALID_CREDENTIALS', 'Correo o contraseña incorrectos.');
    return this.pair(await this.sessions.open(actor, this.config.auth.sessionHours, userAgent));
  }

  /** Rotates a refresh token into a new pair (see StaffSessionService.refresh). */
  async refresh(refreshToken: string): Promise<TokenPair> {
    return this.pair(await this.sessions.refresh(refreshToken));
  }

  private async pair(session: IssuedSession): Promise<TokenPair> {
    const accessToken = await this.jwt.signAsync({
      sub: session.actor.id,
      role: session.actor.role,
      ver: session.tokenVersion,
      sid: session.sessionId,
    } satisfies TokenPayload);
    return {
      accessToken,
      expiresIn: this.config.auth.jwtTtlSeconds,
      refreshToken: session.refreshToken,
      sessionExpiresAt: session.expiresAt.toISOString(),
      sessionId: session.sessionId,
      role: session.actor.role,
    };
  }

  /** Signature, algorithm, issuer, audience and expiry; no account lookup. */
  async verify(token: string | undefined): Promise<TokenClaims> {
    if (!token) throw new DomainError('UNAUTHENTICATED', 'Se requiere iniciar sesión.');
    const known = this.verified.get(token);
    if (known) {
      if (known.exp * 1000 > Date.now()) return known;
      this.verified.delete(token);
    }
    const claims = await this.verifySignature(token);
    // Oldest first out: a Map iterates in insertion order.
    if (this.verified.size >= VERIFIED_TOKENS_MAX) this.verified.delete(this.verified.keys().next().value!);
    this.verified.set(token, claims);
    return claims;
  }

  private async verifySignature(token: string): Promise<TokenClaims> {
    try {
      const payload = await this.jwt.verifyAsync<TokenPayload>(token);
      if (
        typeof payload.sub !== 'string' ||
        !Number.isInteger(payload.ver) ||
        typeof payload.exp !== 'number' ||
        (payload.sid !== undefined && typeof payload.sid !== 'string')
      ) {
        throw new Error('incomplete token');
      }
      return { sub: payload.sub, ver: payload.ver, exp: payload.exp, ...(payload.sid ? { sid: payload.sid } : {}) };
    } catch {
      throw new DomainError('UNAUTHENTICATED', 'La sesión no es válida o expiró; inicie sesión de nuevo.');
    }
  }

  /** The claims of a token this API signed, even expired (logout); null for anything else. */
  async verifyIgnoringExpiry(token: string | undefined): Promise<TokenClaims | null> {
    if (!token) return null;
    try {
      const payload = await this.jwt.verifyAsync<TokenPayload>(token, { ignoreExpiration: true });
      if (typeof payload.sub !== 'string' || !Number.isInteger(payload.ver)) return null;
      return {
        sub: payload.sub,
        ver: payload.ver,
        exp: payload.exp ?? 0,
        ...(payload.sid ? { sid: payload.sid } : {}),
      };
    } catch {
      return null;
    }
  }

  async actorFromToken(token: string | undefined): Promise<Actor> {
    return (await this.sessionFromToken(token)).actor;
  }

  /** The actor and the verified claims (the staff sockets keep both to re-check the session). */
  async sessionFromToken(token: string | undefined): Promise<{ actor: Actor; claims: TokenClaims }> {
    const claims = await this.verify(token);
    // A token of a session stops with it (logout, revocation, expiry); one without a session id
    // (none are issued any more) still stops with its account's token version.
    const actor = claims.sid
      ? await this.sessions.actorForSession(claims.sub, claims.ver, claims.sid)
      : await this.staff.actorForToken(claims.sub, claims.ver);
    if (!actor)
      throw new DomainError(
        'UNAUTHENTICATED',
        'La sesión terminó (cuenta desactivada o modificada); inicie sesión de nuevo.',
      );
    return { actor, claims };
  }

  /** Whether this API signed the token and it has not expired; no account lookup (rate limiting). */
  async isGenuine(token: string | undefined): Promise<boolean> {
    if (!token) return false;
    try {
      await this.verify(token);
      return true;
    } catch {
      return false;
    }
  }
}

export function bearerToken(header: string | undefined): string | undefined {
  const match = /^Bearer\s+(\S+)$/i.exec(header ?? '');
  return match?.[1];
}
