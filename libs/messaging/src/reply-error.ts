import { REPLY_ERROR_CODES, type ReplyErrorCode, type ReplyErrorV1 } from '@tm/contracts';

const REPLY_CODES = new Set<string>(REPLY_ERROR_CODES);

function isReplyErrorCode(code: unknown): code is ReplyErrorCode {
  return typeof code === 'string' && REPLY_CODES.has(code);
}

function isStringArray(value: unknown): value is string[] {
  return Array.isArray(value) && value.every((item) => typeof item === 'string');
}

/**
 * The error a handler answers with: an error carrying a code of REPLY_ERROR_CODES keeps its code, message
 * and details; anything else is INTERNAL with a generic message (never its text, never a stack trace).
 */
export function replyErrorOf(error: unknown): ReplyErrorV1 {
  if (error instanceof Error && 'code' in error && isReplyErrorCode(error.code)) {
    const details = 'details' in error && isStringArray(error.details) ? error.details : undefined;
    const retryAfterMs =
      'retryAfterMs' in error && typeof error.retryAfterMs === 'number' && error.retryAfterMs >= 0
        ? Math.round(error.retryAfterMs)
        : undefined;
    return {
      code: error.code,
      message: error.message,
      ...(details ? { details } : {}),
      ...(retryAfterMs !== undefined ? { retryAfterMs } : {}),
    };
  }
  return { code: 'INTERNAL', message: 'internal error' };
}
