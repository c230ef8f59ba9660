import { Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { AuthError } from './auth.exception.js';
import { TokenService, type Principal } from './token.service.js';

export interface AuthenticatedRequest {
  headers: Record<string, string | string[] | undefined>;
  principal?: Principal;
}

/** A REST route for signed-in users: `Authorization: Bearer <access token>`, or 401. */
@Injectable()
export class BearerAuthGuard implements CanActivate {
  constructor(private readonly tokens: TokenService) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const header = request.headers['authorization'];
    const token = typeof header === 'string' && header.startsWith('Bearer ') ? header.slice(7).trim() : '';
    if (token === '')
      throw new AuthError('INVALID_TOKEN', 'an Authorization: Bearer <access token> header is required');
    const check = await this.tokens.verifyAccessToken(token);
    if (!check.ok) throw new AuthError('INVALID_TOKEN', `the access token is ${check.reason}`);
    request.principal = check.principal;
    return true;
  }
}
