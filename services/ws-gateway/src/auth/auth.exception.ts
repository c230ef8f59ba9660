export type AuthErrorCode = 'INVALID_CREDENTIALS' | 'INVALID_TOKEN' | 'TOO_MANY_ATTEMPTS';

/** A refusal of the auth module; AuthExceptionFilter maps the code to an HTTP status. */
export class AuthError extends Error {
  constructor(
    readonly code: AuthErrorCode,
    message: string,
    /** Whole seconds until a refused client may try again (TOO_MANY_ATTEMPTS). */
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
    this.name = 'AuthError';
  }
}
