import { ForbiddenException, type CanActivate, type ExecutionContext } from '@nestjs/common';
import type { AuthenticatedRequest } from '../auth/bearer-auth.guard.js';
import type { Role } from '../auth/roles.js';

/** After BearerAuthGuard: lets through the principal whose role is one of `roles`, or answers 403. */
export class RolesGuard implements CanActivate {
  constructor(private readonly roles: readonly Role[]) {}

  canActivate(context: ExecutionContext): boolean {
    const role = context.switchToHttp().getRequest<AuthenticatedRequest>().principal?.role;
    if (role !== undefined && this.roles.includes(role)) return true;
    throw new ForbiddenException(
      `role ${role ?? 'none'} may not use this route: ${this.roles.join(' or ')} only`,
    );
  }
}
