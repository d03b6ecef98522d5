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
    const req = context.switchToHttp().getRequest<Request & { actor?: Actor }>();
    const actor = await this.tokens.actorFromToken(bearerToken(req.headers.authorization));
    req.actor = actor;
    const roles = this.reflector.getAllAndOverride<StaffRole[] | undefined>(ROLES, targets);
    if (roles && !roles.includes(actor.role)) {
      throw new DomainError('FORBIDDEN', 'Su rol no permite esta acción.', { requiredRoles: roles });
    }
    return true;
  }
}
