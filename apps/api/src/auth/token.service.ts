import { Inject, Injectable } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import { type Actor, DomainError } from '@metrobici/common';
import { APP_CONFIG, type AppConfig } from '@metrobici/config';
import { StaffService } from '@metrobici/staff';

interface TokenPayload {
  sub: string;
  role: string;
}

/** Issues short-lived staff tokens and turns a token back into a current `Actor`. */
@Injectable()
export class TokenService {
  constructor(
    private readonly jwt: JwtService,
    private readonly staff: StaffService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async issue(actor: Actor): Promise<{ accessToken: string; expiresIn: number; role: string }> {
    const accessToken = await this.jwt.signAsync({ sub: actor.id, role: actor.role } satisfies TokenPayload, {
      secret: this.config.auth.jwtSecret,
      expiresIn: this.config.auth.jwtTtlSeconds,
      algorithm: 'HS256',
    });
    return { accessToken, expiresIn: this.config.auth.jwtTtlSeconds, role: actor.role };
  }

  async actorFromToken(token: string | undefined): Promise<Actor> {
    if (!token) throw new DomainError('UNAUTHENTICATED', 'Se requiere iniciar sesión.');
    let payload: TokenPayload;
    try {
      payload = await this.jwt.verifyAsync<TokenPayload>(token, {
        secret: this.config.auth.jwtSecret,
        algorithms: ['HS256'],
      });
    } catch {
      throw new DomainError('UNAUTHENTICATED', 'La sesión no es válida o expiró; inicie sesión de nuevo.');
    }
    const actor = await this.staff.actorById(payload.sub);
    if (!actor) throw new DomainError('UNAUTHENTICATED', 'La cuenta no existe o está desactivada.');
    return actor;
  }

  /** Whether this API signed the token and it has not expired; no account lookup (rate limiting). */
  async isGenuine(token: string | undefined): Promise<boolean> {
    if (!token) return false;
    try {
      await this.jwt.verifyAsync<TokenPayload>(token, { secret: this.config.auth.jwtSecret, algorithms: ['HS256'] });
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
