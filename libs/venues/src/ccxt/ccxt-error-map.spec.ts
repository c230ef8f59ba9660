import {
  AuthenticationError,
  BadRequest,
  BadSymbol,
  ChecksumError,
  DDoSProtection,
  ExchangeError,
  ExchangeNotAvailable,
  InsufficientFunds,
  InvalidNonce,
  InvalidOrder,
  NetworkError,
  OrderImmediatelyFillable,
  OrderNotFound,
  RateLimitExceeded,
  RequestTimeout,
} from 'ccxt';
import { describe, expect, it } from 'vitest';
import { VenueError } from '../adapter/venue-error.js';
import { feedEndReason, mapCcxtError } from './ccxt-error-map.js';

const read = { operation: 'fetchOrder', mutating: false };
const write = { operation: 'createOrder', mutating: true };
const code = (error: unknown, call = read, headers?: Record<string, string>) =>
  mapCcxtError(error, { last_response_headers: headers }, call).code;

describe('mapCcxtError', () => {
  it('maps definite refusals the same for reads and writes', () => {
    for (const call of [read, write]) {
      expect(code(new InsufficientFunds('x'), call)).toBe('INSUFFICIENT_FUNDS');
      expect(code(new OrderImmediatelyFillable('x'), call)).toBe('POST_ONLY_WOULD_CROSS');
      expect(code(new OrderNotFound('x'), call)).toBe('NOT_FOUND');
      expect(code(new InvalidOrder('x'), call)).toBe('INVALID_ORDER');
      expect(code(new BadRequest('x'), call)).toBe('INVALID_ORDER');
      expect(code(new BadSymbol('x'), call)).toBe('INVALID_ORDER');
      expect(code(new RateLimitExceeded('x'), call)).toBe('RATE_LIMITED');
      expect(code(new InvalidNonce('x'), call)).toBe('VENUE_UNAVAILABLE');
      expect(code(new AuthenticationError('x'), call)).toBe('VENUE_UNAVAILABLE');
    }
  });

  it('makes a mutating call that died in transit AMBIGUOUS, a read VENUE_UNAVAILABLE', () => {
    for (const error of [
      new RequestTimeout('x'),
      new ExchangeNotAvailable('503'),
      new NetworkError('x'),
      new Error('x'),
    ]) {
      expect(code(error, write)).toBe('AMBIGUOUS');
      expect(code(error, read)).toBe('VENUE_UNAVAILABLE');
    }
    expect(code(new ExchangeError('x'), write)).toBe('INVALID_ORDER');
    expect(code(new ExchangeError('x'), read)).toBe('VENUE_UNAVAILABLE');
  });

  it('reads Retry-After into retryAfterMs and keeps the cause', () => {
    const cause = new DDoSProtection('418');
    const mapped = mapCcxtError(cause, { last_response_headers: { 'Retry-After': '120' } }, write);
    expect(mapped).toBeInstanceOf(VenueError);
    expect(mapped).toMatchObject({ code: 'RATE_LIMITED', retryAfterMs: 120_000, cause });
    expect(mapped.message).toContain('createOrder');
    expect(mapCcxtError(cause, {}, write).retryAfterMs).toBeUndefined();
  });

  it('passes a VenueError through and names why a feed ended', () => {
    const own = new VenueError('NOT_FOUND', 'x');
    expect(mapCcxtError(own, {}, read)).toBe(own);
    expect(feedEndReason(new ChecksumError('gap'))).toBe('sequence gap');
    expect(feedEndReason(new NetworkError('closed'))).toBe('disconnected');
    expect(feedEndReason(new Error('boom'))).toBe('error: boom');
  });
});
