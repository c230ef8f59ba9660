import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { DateParam, formatInstant, InstantParam, parseInstant } from './query-fields.js';

describe('parseInstant', () => {
  it('reads ISO 8601 times with an offset to the microsecond, and a bare date as its UTC midnight', () => {
    expect(parseInstant('2024-05-01T00:00:00Z')).toEqual({ micros: 1_714_521_600_000_000 });
    expect(parseInstant('2024-05-01')).toEqual({ micros: 1_714_521_600_000_000 });
    expect(parseInstant('2024-05-01T02:00:00+02:00')).toEqual({ micros: 1_714_521_600_000_000 });
    expect(parseInstant('2024-05-01T00:00:00.000001Z')).toEqual({ micros: 1_714_521_600_000_001 });
    expect(parseInstant('2024-05-01T00:00:00.5Z')).toEqual({ micros: 1_714_521_600_500_000 });
    expect(parseInstant('2024-05-01T12:30Z')).toEqual({ micros: 1_714_566_600_000_000 });
  });

  it('refuses what is not a time: no offset, an impossible date, plain numbers', () => {
    for (const text of [
      '2024-05-01T00:00:00',
      '2024-02-30',
      '1714521600000',
      'yesterday',
      '2024-05-01T25:00:00Z',
    ])
      expect(parseInstant(text), text).toBeUndefined();
  });
});

describe('formatInstant', () => {
  it('writes UTC with six fraction digits, the inverse of parseInstant', () => {
    expect(formatInstant(1_714_521_600_000_001)).toBe('2024-05-01T00:00:00.000001Z');
    expect(formatInstant(1_714_521_600_123_456)).toBe('2024-05-01T00:00:00.123456Z');
    const micros = parseInstant('2024-12-31T23:59:59.999999Z')?.micros ?? 0;
    expect(formatInstant(micros)).toBe('2024-12-31T23:59:59.999999Z');
  });
});

describe('query params', () => {
  it('name what an instant or a date should look like', () => {
    const query = z.object({ from: InstantParam, day: DateParam });
    const result = query.safeParse({ from: 'soon', day: '2024-13-01' });
    expect(result.success).toBe(false);
    expect(result.error?.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`)).toEqual([
      expect.stringMatching(/^from: must be an ISO 8601 time/),
      'day: must be a date like 2024-05-01',
    ]);
  });
});
