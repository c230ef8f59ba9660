import { describe, expect, it } from 'vitest';
import { FailedLogonThrottle } from './failed-logon-throttle.js';

describe('FailedLogonThrottle', () => {
  it('refuses an address after its failures fill the window, per address, until the oldest leaves it', () => {
    let now = 0;
    const throttle = new FailedLogonThrottle(3, 60_000, () => now);
    for (let i = 0; i < 3; i++) {
      expect(throttle.retryAfterMs('10.0.0.1')).toBe(0);
      throttle.recordFailure('10.0.0.1');
      now += 1_000;
    }
    expect(throttle.retryAfterMs('10.0.0.1')).toBe(57_000);
    expect(throttle.retryAfterMs('10.0.0.2')).toBe(0);
    now = 60_001;
    expect(throttle.retryAfterMs('10.0.0.1')).toBe(0);
  });
});
