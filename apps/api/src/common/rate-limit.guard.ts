import { type CanActivate, type ExecutionContext, Inject, Injectable, SetMetadata } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request, Response } from 'express';
import { Redis } from 'ioredis';
import { DomainError } from '@metrobici/common';
import { APP_CONFIG, type AppConfig } from '@metrobici/config';
import { REDIS_CLIENT } from '@metrobici/redis';
import { bearerToken, TokenService } from '../auth/token.service';

/**
 * Rate limits kept in Redis, so they hold across API instances. `@nestjs/throttler` 6 is CommonJS
 * and requires the ESM-only NestJS 12 core, which jest cannot load on Node 20, hence this small
 * guard with the same fixed-window semantics.
 */
export type RateLimitPolicy = 'public' | 'login' | 'skip';
const RATE_LIMIT = 'metrobici:rate-limit';

/** `login`: per client address, strict. `skip`: none (health). Default for anonymous calls: `public`. */
export const RateLimit = (policy: RateLimitPolicy) => SetMetadata(RATE_LIMIT, policy);

// Count in a fixed window; once past the limit, a block key keeps refusing for the block time.
const INCREMENT = `
local hits = redis.call('INCR', KEYS[1])
if hits == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
local blocked = redis.call('PTTL', KEYS[2])
if blocked <= 0 and hits > tonumber(ARGV[2]) then
  redis.call('SET', KEYS[2], '1', 'PX', ARGV[3])
  blocked = tonumber(ARGV[3])
end
return {hits, blocked}
`;

const WINDOW_MS = 60_000;

@Injectable()
export class RateLimitGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    @Inject(REDIS_CLIENT) private readonly redis: Redis,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly tokens: TokenService,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (context.getType() !== 'http') return true;
    const req = context.switchToHttp().getRequest<Request>();
    const declared = this.reflector.getAllAndOverride<RateLimitPolicy | undefined>(RATE_LIMIT, [
      context.getHandler(),
      context.getClass(),
    ]);
    // Staff traffic is authenticated and bounded by the stations; only anonymous calls count. The
    // token's signature is checked, or any made-up Authorization header would escape the limit.
    const staff = declared === undefined && (await this.tokens.isGenuine(bearerToken(req.headers.authorization)));
    const policy: RateLimitPolicy = declared ?? (staff ? 'skip' : 'public');
    if (policy === 'skip') return true;
    const limit =
      policy === 'login' ? this.config.auth.loginRateLimitPerMinute : this.config.auth.publicRateLimitPerMinute;
    const key = `metrobici:rate:${policy}:${req.ip ?? 'unknown'}`;
    const [hits, blockedMs] = (await this.redis.eval(
      INCREMENT,
      2,
      `${key}:hits`,
      `${key}:blocked`,
      WINDOW_MS,
      limit,
      WINDOW_MS,
    )) as [number, number];
    const res = context.switchToHttp().getResponse<Response>();
    res.setHeader('RateLimit-Limit', String(limit));
    res.setHeader('RateLimit-Remaining', String(Math.max(0, limit - hits)));
    if (blockedMs > 0) {
      res.setHeader('Retry-After', String(Math.ceil(blockedMs / 1000)));
      throw new DomainError('RATE_LIMITED', 'Demasiadas solicitudes; intente de nuevo en un minuto.');
    }
    return true;
  }
}
