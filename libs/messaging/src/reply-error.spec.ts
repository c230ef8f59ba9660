import { describe, expect, it } from 'vitest';
import { InvalidPayloadError, NoRespondersError } from './messaging.exception.js';
import { replyErrorOf } from './reply-error.js';

describe('replyErrorOf', () => {
  it('keeps the code, message and details of a MessagingError with a reply code', () => {
    expect(replyErrorOf(new InvalidPayloadError('invalid payload: action: bad', ['action: bad']))).toEqual({
      code: 'INVALID_PAYLOAD',
      message: 'invalid payload: action: bad',
      details: ['action: bad'],
    });
  });

  it('keeps the code of a plain error that carries a reply code', () => {
    const error = Object.assign(new Error('illegal lifecycle transition: Running → Parked'), {
      code: 'ILLEGAL_TRANSITION',
    });
    expect(replyErrorOf(error)).toEqual({ code: 'ILLEGAL_TRANSITION', message: error.message });
  });

  it('keeps a venue code and the wait a rate-limited venue asked for', () => {
    const error = Object.assign(new Error('binance: too many requests'), {
      code: 'RATE_LIMITED',
      retryAfterMs: 1500,
    });
    expect(replyErrorOf(error)).toEqual({ code: 'RATE_LIMITED', message: error.message, retryAfterMs: 1500 });
  });

  it('answers INTERNAL with a generic message for anything else, never its text', () => {
    expect(replyErrorOf(new Error('password=hunter2 at db.ts:12'))).toEqual({
      code: 'INTERNAL',
      message: 'internal error',
    });
    expect(replyErrorOf(Object.assign(new Error('refused'), { code: 'ECONNREFUSED' }))).toEqual({
      code: 'INTERNAL',
      message: 'internal error',
    });
    expect(replyErrorOf(new NoRespondersError('tm.x')).code).toBe('INTERNAL');
    expect(replyErrorOf('a string')).toEqual({ code: 'INTERNAL', message: 'internal error' });
  });
});
