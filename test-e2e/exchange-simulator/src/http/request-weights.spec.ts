import { describe, expect, it } from 'vitest';

import { RateLimitRefusal, RequestWeights, WEIGHTS } from './request-weights.js';

const LIMITS = {
  weightWindowMs: 60_000,
  requestWeightPerMinute: 10,
  ordersPer10s: 2,
  banAfter429s: 2,
  banMs: 30_000,
};
const MINUTE_START = 1_700_000_040_000; // a clock-minute boundary

function refusal(fn: () => unknown): RateLimitRefusal {
  try {
    fn();
  } catch (error) {
    if (error instanceof RateLimitRefusal) return error;
    throw error;
  }
  throw new Error('expected a refusal');
}

describe('RequestWeights', () => {
  it('counts weight per clock minute and refuses with 429 and the seconds left', () => {
    const weights = new RequestWeights(LIMITS);
    expect(weights.spend('ip', 6, MINUTE_START)).toBe(6);
    expect(weights.spend('ip', 4, MINUTE_START + 1_000)).toBe(10);
    const refused = refusal(() => weights.spend('ip', 1, MINUTE_START + 15_000));
    expect(refused).toMatchObject({ httpStatus: 429, code: -1003, retryAfterSeconds: 45 });
    expect(weights.spend('other-ip', 5, MINUTE_START + 15_000)).toBe(5);
    expect(weights.spend('ip', 1, MINUTE_START + 60_000)).toBe(1);
  });

  it('bans with 418 after too many 429s in the minute, until banMs has passed', () => {
    const weights = new RequestWeights(LIMITS);
    weights.spend('ip', 10, MINUTE_START);
    expect(refusal(() => weights.spend('ip', 1, MINUTE_START)).httpStatus).toBe(429);
    expect(refusal(() => weights.spend('ip', 1, MINUTE_START)).httpStatus).toBe(429);
    const ban = refusal(() => weights.spend('ip', 1, MINUTE_START + 1_000));
    expect(ban).toMatchObject({ httpStatus: 418, retryAfterSeconds: 30 });
    expect(refusal(() => weights.spend('ip', 1, MINUTE_START + 20_000)).httpStatus).toBe(418);
    expect(weights.spend('ip', 1, MINUTE_START + 61_000)).toBe(1);
  });

  it('limits orders per account per 10 s window without Retry-After', () => {
    const weights = new RequestWeights(LIMITS);
    expect(weights.spendOrder('a', MINUTE_START)).toBe(1);
    expect(weights.spendOrder('a', MINUTE_START + 1)).toBe(2);
    expect(refusal(() => weights.spendOrder('a', MINUTE_START + 2))).toMatchObject({
      httpStatus: 429,
      code: -1015,
      retryAfterSeconds: undefined,
    });
    expect(weights.spendOrder('b', MINUTE_START + 2)).toBe(1);
    expect(weights.spendOrder('a', MINUTE_START + 10_000)).toBe(1);
  });

  it('never refuses when unlimited, but still counts for the headers', () => {
    const weights = new RequestWeights(false);
    for (let i = 0; i < 100; i += 1) weights.spend('ip', 100, MINUTE_START);
    expect(weights.used('ip', MINUTE_START)).toBe(10_000);
  });

  it('weighs depth by limit as Binance does', () => {
    expect([undefined, 100, 500, 1000, 5000].map((l) => WEIGHTS.depth(l))).toEqual([5, 5, 25, 50, 250]);
  });
});

describe('RequestWeights with a short window', () => {
  it('counts and answers Retry-After against the configured window', () => {
    const weights = new RequestWeights({ ...LIMITS, weightWindowMs: 2_000 });
    weights.spend('ip', 10, 10_000);
    expect(refusal(() => weights.spend('ip', 1, 10_500))).toMatchObject({
      httpStatus: 429,
      retryAfterSeconds: 2,
    });
    expect(weights.spend('ip', 1, 12_000)).toBe(1);
  });
});
