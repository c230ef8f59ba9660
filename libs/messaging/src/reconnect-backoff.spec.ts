import { describe, expect, it } from 'vitest';
import { ReconnectBackoff } from './reconnect-backoff.js';

describe('ReconnectBackoff', () => {
  it('doubles the ceiling from the base up to the cap', () => {
    const backoff = new ReconnectBackoff(1_000, 60_000, () => 0.999_999);
    const waits = Array.from({ length: 9 }, () => backoff.next());
    expect(waits).toEqual([999, 1_999, 3_999, 7_999, 15_999, 31_999, 59_999, 59_999, 59_999]);
  });

  it('waits a random share of the ceiling (full jitter)', () => {
    const backoff = new ReconnectBackoff(1_000, 60_000, () => 0.5);
    expect([backoff.next(), backoff.next(), backoff.next()]).toEqual([500, 1_000, 2_000]);
    expect(new ReconnectBackoff(1_000, 60_000, () => 0).next()).toBe(0);
  });

  it('starts again from the base after a reset', () => {
    const backoff = new ReconnectBackoff(100, 1_000, () => 0.999_999);
    backoff.next();
    backoff.next();
    expect(backoff.attempts).toBe(2);
    backoff.reset();
    expect(backoff.attempts).toBe(0);
    expect(backoff.next()).toBe(99);
  });

  it('never overflows after many attempts', () => {
    const backoff = new ReconnectBackoff(1_000, 60_000, () => 0.999_999);
    for (let i = 0; i < 1_000; i += 1) backoff.next();
    expect(backoff.next()).toBe(59_999);
  });

  it('holds every wait at the base when the cap is set below it', () => {
    const backoff = new ReconnectBackoff(2_000, 1_000, () => 0.999_999);
    expect([backoff.next(), backoff.next(), backoff.next()]).toEqual([1_999, 1_999, 1_999]);
  });
});
