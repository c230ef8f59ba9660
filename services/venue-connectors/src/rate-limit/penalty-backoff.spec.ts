import { describe, expect, it } from 'vitest';
import { CLEAN_WINDOW_MS, doublingPauseMs, nextPause, type PauseState } from './penalty-backoff.js';

const settings = { initialBackoffMs: 1_000, maxBackoffMs: 60_000 };

/** Penalties each arriving just after the previous pause ended (no clean window in between). */
function repeated(count: number): PauseState[] {
  const states: PauseState[] = [];
  let previous: PauseState | null = null;
  let now = 10_000;
  for (let i = 0; i < count; i += 1) {
    previous = nextPause(previous, { status: 429 }, now, settings);
    states.push(previous);
    now = previous.untilMs + 1;
  }
  return states;
}

describe('nextPause', () => {
  it('doubles from 1 s up to the 60 s cap while penalties keep coming', () => {
    const pauses = repeated(9).map((state) => state.untilMs - state.atMs);
    expect(pauses).toEqual([1_000, 2_000, 4_000, 8_000, 16_000, 32_000, 60_000, 60_000, 60_000]);
  });

  it('starts again at 1 s after a clean window', () => {
    const [first, second] = repeated(2);
    const afterClean = nextPause(
      second ?? null,
      { status: 429 },
      (second?.untilMs ?? 0) + CLEAN_WINDOW_MS,
      settings,
    );
    expect(first?.level).toBe(0);
    expect(second?.level).toBe(1);
    expect(afterClean.level).toBe(0);
    expect(afterClean.untilMs - afterClean.atMs).toBe(1_000);
  });

  it('does not escalate for answers to requests already in flight when the pause began', () => {
    const first = nextPause(null, { status: 429 }, 0, settings);
    const inFlight = nextPause(first, { status: 429 }, 500, settings);
    expect(inFlight.level).toBe(0);
    expect(inFlight.untilMs).toBe(first.untilMs);
    const longer = nextPause(first, { status: 429, retryAfterMs: 3_000 }, 500, settings);
    expect(longer.untilMs).toBe(3_500);
  });

  it('honours a 429 Retry-After exactly and holds a 418 at least as long as Retry-After', () => {
    expect(nextPause(null, { status: 429, retryAfterMs: 250 }, 0, settings).untilMs).toBe(250);
    expect(nextPause(null, { status: 418, retryAfterMs: 120_000 }, 0, settings).untilMs).toBe(120_000);
    expect(nextPause(null, { status: 418, retryAfterMs: 250 }, 0, settings).untilMs).toBe(1_000);
    expect(nextPause(null, { status: 418 }, 0, settings).untilMs).toBe(1_000);
  });

  it('never overflows at high levels', () => {
    expect(doublingPauseMs(5_000, settings)).toBe(60_000);
  });
});
