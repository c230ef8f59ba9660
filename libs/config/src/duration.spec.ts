import { describe, expect, it } from 'vitest';
import { formatDurationMs, parseDurationMs } from './duration.js';

describe('parseDurationMs', () => {
  it.each([
    ['250', 250],
    ['250ms', 250],
    ['0', 0],
    ['15s', 15_000],
    ['5m', 300_000],
    ['1h', 3_600_000],
    ['15 s', 15_000],
  ])('reads %j as %i ms', (text, ms) => {
    expect(parseDurationMs(text)).toBe(ms);
  });

  it.each(['', 'ms', '1.5s', '-5s', '5d', '5 minutes', '15S', 's15', '99999999999999999999h'])(
    'refuses %j',
    (text) => {
      expect(parseDurationMs(text)).toBeUndefined();
    },
  );
});

describe('formatDurationMs', () => {
  it.each([
    [250, '250ms'],
    [0, '0ms'],
    [1_500, '1500ms'],
    [15_000, '15s'],
    [90_000, '90s'],
    [300_000, '5m'],
    [3_600_000, '1h'],
  ])('writes %i ms as %j, which reads back to the same value', (ms, text) => {
    expect(formatDurationMs(ms)).toBe(text);
    expect(parseDurationMs(text)).toBe(ms);
  });
});
