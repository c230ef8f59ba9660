// Maps ccxt's exception classes to the platform's VenueErrorCode. A mutating call (create, cancel,
// edit, transfer) that died in transit is AMBIGUOUS: the venue may have acted, so the caller must ask.
import {
  ArgumentsRequired,
  AuthenticationError,
  BadRequest,
  BadResponse,
  BaseError,
  CancelPending,
  DDoSProtection,
  ExchangeError,
  ExchangeNotAvailable,
  InsufficientFunds,
  InvalidNonce,
  InvalidOrder,
  NetworkError,
  NotSupported,
  OperationFailed,
  OperationRejected,
  OrderImmediatelyFillable,
  OrderNotFound,
  RateLimitExceeded,
  RequestTimeout,
} from 'ccxt';
import type { VenueErrorCode } from '@tm/contracts';
import { VenueError } from '../adapter/venue-error.js';

/** The parts of an exchange instance the mapping reads. */
export interface ErrorContext {
  last_response_headers?: unknown;
}

export interface CallInfo {
  /** Operation name, for the message. */
  operation: string;
  /** True for calls that change state at the venue (create/cancel/edit order, transfer). */
  mutating: boolean;
}

export function mapCcxtError(error: unknown, exchange: ErrorContext, call: CallInfo): VenueError {
  if (error instanceof VenueError) return error;
  const message = `${call.operation}: ${error instanceof Error ? error.message : String(error)}`;
  const make = (code: VenueErrorCode, extra?: { retryAfterMs?: number }): VenueError =>
    new VenueError(code, message, { cause: error, ...extra });
  // Order matters: subclasses before their parents.
  if (error instanceof InsufficientFunds) return make('INSUFFICIENT_FUNDS');
  if (error instanceof OrderImmediatelyFillable) return make('POST_ONLY_WOULD_CROSS');
  if (error instanceof OrderNotFound) return make('NOT_FOUND');
  if (error instanceof InvalidOrder || error instanceof BadRequest || error instanceof ArgumentsRequired)
    return make('INVALID_ORDER');
  if (error instanceof NotSupported || error instanceof OperationRejected) return make('INVALID_ORDER');
  if (error instanceof DDoSProtection || error instanceof RateLimitExceeded)
    return make('RATE_LIMITED', retryAfter(exchange));
  // -1021 (timestamp outside recvWindow) and friends: the venue refused before acting.
  if (error instanceof InvalidNonce) return make('VENUE_UNAVAILABLE');
  if (error instanceof AuthenticationError) return make('VENUE_UNAVAILABLE');
  if (
    error instanceof RequestTimeout ||
    error instanceof ExchangeNotAvailable ||
    error instanceof NetworkError ||
    error instanceof BadResponse ||
    error instanceof CancelPending ||
    error instanceof OperationFailed
  )
    return make(call.mutating ? 'AMBIGUOUS' : 'VENUE_UNAVAILABLE');
  // The venue answered with an error it did not classify: a definite refusal.
  if (error instanceof ExchangeError) return make(call.mutating ? 'INVALID_ORDER' : 'VENUE_UNAVAILABLE');
  if (error instanceof BaseError) return make(call.mutating ? 'AMBIGUOUS' : 'VENUE_UNAVAILABLE');
  // Not from ccxt (a socket error surfacing raw, a bug): never assume a mutating call failed.
  return make(call.mutating ? 'AMBIGUOUS' : 'VENUE_UNAVAILABLE');
}

/** Retry-After (seconds) of the last response, when the venue sent one. */
function retryAfter(exchange: ErrorContext): { retryAfterMs?: number } {
  const headers = exchange.last_response_headers;
  if (headers === null || typeof headers !== 'object') return {};
  for (const [key, value] of Object.entries(headers)) {
    if (key.toLowerCase() !== 'retry-after') continue;
    const seconds = Number(value);
    if (Number.isFinite(seconds) && seconds >= 0) return { retryAfterMs: Math.round(seconds * 1000) };
  }
  return {};
}

/** Why a websocket watcher stopped, in a word the session can log. */
export function feedEndReason(error: unknown): string {
  if (error instanceof InvalidNonce) return 'sequence gap';
  if (error instanceof NetworkError) return 'disconnected';
  if (error instanceof Error) return `error: ${error.message}`;
  return `error: ${String(error)}`;
}
