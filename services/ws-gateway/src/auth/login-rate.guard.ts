import { Inject, Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { AuthError } from './auth.exception.js';
import { LoginAttemptLimiter } from './login-attempt-limiter.js';

interface ClientRequest {
  ip?: string;
  socket?: { remoteAddress?: string };
}

/** The peer's address as the socket sees it; X-Forwarded-For is not trusted (no proxy is configured). */
export function clientAddress(request: ClientRequest): string {
  return request.ip ?? request.socket?.remoteAddress ?? 'unknown';
}

/**
 * Counts the attempt before the body is even read, so a malformed body costs an attempt too and a
 * throttled client never reaches bcrypt.
 */
@Injectable()
export class LoginRateGuard implements CanActivate {
  constructor(@Inject(LoginAttemptLimiter) private readonly limiter: LoginAttemptLimiter) {}

  canActivate(context: ExecutionContext): boolean {
    const verdict = this.limiter.attempt(clientAddress(context.switchToHttp().getRequest<ClientRequest>()));
    if (verdict.allowed) return true;
    throw new AuthError(
      'TOO_MANY_ATTEMPTS',
      `too many login attempts from this address; retry in ${verdict.retryAfterSeconds} s`,
      verdict.retryAfterSeconds,
    );
  }
}
