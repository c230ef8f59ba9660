import { describe, expect, it } from 'vitest';
import { LoginAttemptLimiter } from './login-attempt-limiter.js';

function limiterAt(start = 1_000_000) {
  const clock = { now: start };
  const limiter = new LoginAttemptLimiter({ maxAttempts: 5, windowMs: 60_000, now: () => clock.now });
  return { clock, limiter };
}

describe('LoginAttemptLimiter', () => {
  it('allows five attempts in a minute and refuses the sixth with whole seconds to wait', () => {
    const { clock, limiter } = limiterAt();
    for (let i = 0; i < 5; i += 1) {
      expect(limiter.attempt('10.0.0.1')).toEqual({ allowed: true });
      clock.now += 1_000;
    }
    // The first attempt leaves the window 60 s after it was made: 55 s from now.
    expect(limiter.attempt('10.0.0.1')).toEqual({ allowed: false, retryAfterSeconds: 55 });
  });

  it('counts each address on its own', () => {
    const { limiter } = limiterAt();
    for (let i = 0; i < 5; i += 1) limiter.attempt('10.0.0.1');
    expect(limiter.attempt('10.0.0.1').allowed).toBe(false);
    expect(limiter.attempt('10.0.0.2')).toEqual({ allowed: true });
  });

  it('lets a client that waited Retry-After in, and does not count refused attempts', () => {
    const { clock, limiter } = limiterAt();
    for (let i = 0; i < 5; i += 1) limiter.attempt('10.0.0.1');
    clock.now += 30_500;
    const refused = limiter.attempt('10.0.0.1');
    expect(refused).toEqual({ allowed: false, retryAfterSeconds: 30 });
    clock.now += 29_500;
    expect(limiter.attempt('10.0.0.1')).toEqual({ allowed: true });
  });

  it('slides: a slot frees when the oldest attempt leaves the window, not when the window restarts', () => {
    const { clock, limiter } = limiterAt();
    limiter.attempt('a');
    clock.now += 50_000;
    for (let i = 0; i < 4; i += 1) limiter.attempt('a');
    clock.now += 10_000; // the first attempt is now 60 s old
    expect(limiter.attempt('a')).toEqual({ allowed: true });
    expect(limiter.attempt('a')).toEqual({ allowed: false, retryAfterSeconds: 50 });
  });

  it('never says to wait less than a second', () => {
    const { clock, limiter } = limiterAt();
    for (let i = 0; i < 5; i += 1) limiter.attempt('a');
    clock.now += 59_999;
    expect(limiter.attempt('a')).toEqual({ allowed: false, retryAfterSeconds: 1 });
  });

  it('forgets addresses quiet for a whole window', () => {
    const { clock, limiter } = limiterAt();
    limiter.attempt('a');
    limiter.attempt('b');
    clock.now += 61_000;
    limiter.attempt('c');
    expect(limiter.trackedAddresses).toBe(1);
  });
});
