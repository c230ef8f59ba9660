import { describe, expect, it } from 'vitest';
import { ReconnectBackoff } from './reconnect-backoff.js';

describe('ReconnectBackoff', () => {
  it('doubles its ceiling per attempt up to the cap, with full jitter below it', () => {
    const top = new ReconnectBackoff(500, 60_000, () => 0.999999);
    expect([1, 2, 3, 4, 5, 6, 7, 8, 9].map(() => top.next())).toEqual([
      499, 999, 1999, 3999, 7999, 15999, 31999, 59999, 59999,
    ]);
    const bottom = new ReconnectBackoff(500, 60_000, () => 0);
    expect(bottom.next()).toBe(0);
  });

  it('starts again from the base after a reset', () => {
    const backoff = new ReconnectBackoff(100, 1_000, () => 0.5);
    backoff.next();
    backoff.next();
    backoff.reset();
    expect(backoff.next()).toBe(50);
  });
});
