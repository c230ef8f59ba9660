import { describe, expect, it } from 'vitest';
import { copyJson, copyNullable, copyText, copyTimestamp, parseCopyLine } from './copy-text.js';

describe('COPY text', () => {
  it('escapes what would end a value or a row, and reads it back', () => {
    const awkward = 'a\\b\tc\nd\re';
    expect(copyText(awkward)).toBe('a\\\\b\\tc\\nd\\re');
    expect(parseCopyLine(`${copyText(awkward)}\t${copyNullable(null)}\t${copyJson({ q: 'x\ty' })}`)).toEqual([
      awkward,
      null,
      '{"q":"x\\ty"}',
    ]);
  });

  it('writes microsecond timestamps with all six digits, across second boundaries', () => {
    const second = Date.UTC(2026, 10, 21, 12, 0, 5) * 1_000;
    expect(copyTimestamp(second + 7)).toBe('2026-11-21T12:00:05.000007Z');
    expect(copyTimestamp(second + 999_999)).toBe('2026-11-21T12:00:05.999999Z');
    expect(copyTimestamp(second + 1_000_000)).toBe('2026-11-21T12:00:06.000000Z');
    expect(copyTimestamp(second + 123_456)).toBe('2026-11-21T12:00:05.123456Z');
  });
});
