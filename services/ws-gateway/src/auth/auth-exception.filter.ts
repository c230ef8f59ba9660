import { Catch, HttpStatus, Inject, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { AuthError, type AuthErrorCode } from './auth.exception.js';

const STATUS_OF: Readonly<Record<AuthErrorCode, HttpStatus>> = {
  INVALID_CREDENTIALS: HttpStatus.UNAUTHORIZED,
  INVALID_TOKEN: HttpStatus.UNAUTHORIZED,
  TOO_MANY_ATTEMPTS: HttpStatus.TOO_MANY_REQUESTS,
};

/** Answers an AuthError with its status, its code and, for a throttled login, Retry-After. */
@Catch(AuthError)
export class AuthExceptionFilter implements ExceptionFilter<AuthError> {
  constructor(@Inject(HttpAdapterHost) private readonly adapterHost: HttpAdapterHost) {}

  catch(error: AuthError, host: ArgumentsHost): void {
    const adapter = this.adapterHost.httpAdapter;
    const response: unknown = host.switchToHttp().getResponse();
    const status = STATUS_OF[error.code];
    if (error.retryAfterSeconds !== undefined) {
      adapter.setHeader(response, 'Retry-After', String(error.retryAfterSeconds));
    }
    adapter.reply(response, { statusCode: status, code: error.code, message: error.message }, status);
  }
}
