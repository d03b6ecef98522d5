import { type CanActivate, type ExecutionContext, Injectable, SetMetadata } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request, Response } from 'express';
import { DomainError } from '@metrobici/common';
import { bearerToken, TokenService } from '../auth/token.service';
import { RateLimits } from './rate-limits';

/**
 * Rate limits counted in Redis (rate-limiter-flexible, shared across API instances, falling back
 * to memory when Redis is down). The client is `req.ip`: the socket's address unless TRUST_PROXY
 * names the proxies whose X-Forwarded-For is believed.
 */
export type RateLimitPolicy = 'public' | 'login' | 'skip';
const RATE_LIMIT = 'metrobici:rate-limit';

/** `login`: per client address, strict. `skip`: none (health). Default for anonymous calls: `public`. */
export const RateLimit = (policy: RateLimitPolicy) => SetMetadata(RATE_LIMIT, policy);

@Injectable()
export class RateLimitGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly limits: RateLimits,
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
    const limit = policy === 'login' ? this.limits.login : this.limits.public;
    const result = await limit.hit(req.ip ?? req.socket.remoteAddress ?? 'unknown');
    const res = context.switchToHttp().getResponse<Response>();
    res.setHeader('RateLimit-Limit', String(result.limit));
    res.setHeader('RateLimit-Remaining', String(result.remaining));
    if (!result.allowed) {
      res.setHeader('Retry-After', String(result.retryAfterSeconds));
      throw new DomainError('RATE_LIMITED', 'Demasiadas solicitudes; intente de nuevo en un minuto.');
    }
    return true;
  }
}
