import { type CanActivate, type ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request } from 'express';
import { type Actor, DomainError, type StaffRole } from '@metrobici/common';
import { IS_PUBLIC, ROLES } from './auth.decorators';
import { bearerToken, TokenService } from './token.service';

/** Global: every route needs a valid staff token unless marked @Public; @Roles narrows further. */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly tokens: TokenService,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (context.getType() !== 'http') return true;
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, targets)) return true;
    const req = context.switchToHttp().getRequest<Request & { actor?: Actor; sessionId?: string }>();
    const { actor, claims } = await this.tokens.sessionFromToken(bearerToken(req.headers.authorization));
    req.actor = actor;
    req.sessionId = claims.sid;
    const roles = this.reflector.getAllAndOverride<StaffRole[] | undefined>(ROLES, targets);
    if (roles && !roles.includes(actor.role)) {
      throw new DomainError('FORBIDDEN', 'Su rol no permite esta acción.', { requiredRoles: roles });
    }
    // An agency account opens only the routes that name it (the MDS API), never those open to
    // "any signed-in staff" (no @Roles), which were written for the pilot's own staff.
    if (!roles && actor.role === 'agency') {
      throw new DomainError('FORBIDDEN', 'Las cuentas de agencia solo consultan la API MDS (/mds).');
    }
    return true;
  }
}
