import { describe, expect, it } from 'vitest';
import { MessageRateLimit } from './message-rate-limit.js';

describe('MessageRateLimit', () => {
  it('admits the rate per second, refuses past it, and admits again as time passes', () => {
    let now = 0;
    const limit = new MessageRateLimit(3, () => now);
    expect([limit.admit(), limit.admit(), limit.admit(), limit.admit()]).toEqual([true, true, true, false]);
    now = 340; // a third of a second refills one message
    expect([limit.admit(), limit.admit()]).toEqual([true, false]);
    now = 10_000; // never more than one second's worth banked
    expect([limit.admit(), limit.admit(), limit.admit(), limit.admit()]).toEqual([true, true, true, false]);
  });
});
