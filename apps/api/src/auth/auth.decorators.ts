import { createParamDecorator, type ExecutionContext, SetMetadata } from '@nestjs/common';
import type { Actor, StaffRole } from '@metrobici/common';

export const IS_PUBLIC = 'metrobici:public';
export const ROLES = 'metrobici:roles';

/** Anyone may call this route, without a token. */
export const Public = () => SetMetadata(IS_PUBLIC, true);

/** Only staff with one of these roles; object-level station checks happen in the services. */
export const Roles = (...roles: StaffRole[]) => SetMetadata(ROLES, roles);

export const CurrentActor = createParamDecorator((_data: unknown, ctx: ExecutionContext): Actor => {
  return ctx.switchToHttp().getRequest<{ actor: Actor }>().actor;
});
