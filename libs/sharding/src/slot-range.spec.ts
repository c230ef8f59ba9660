import { describe, expect, it } from 'vitest';
import { SlotOutOfRangeError } from './sharding.error.js';
import { SlotRange } from './slot-range.js';

describe('SlotRange', () => {
  it('holds first..last, both included', () => {
    const range = new SlotRange(65, 128);
    expect(range.size).toBe(64);
    expect(range.contains(65)).toBe(true);
    expect(range.contains(128)).toBe(true);
    expect(range.contains(64)).toBe(false);
    expect(range.contains(129)).toBe(false);
    expect(String(range)).toBe('65-128');
  });

  it('refuses slots outside 1..32767 and reversed bounds with a RangeError', () => {
    expect(() => new SlotRange(0, 10)).toThrow(SlotOutOfRangeError);
    expect(() => new SlotRange(1, 32768)).toThrow(RangeError);
    expect(() => new SlotRange(10, 9)).toThrow(RangeError);
    expect(() => new SlotRange(1, 10).contains(0)).toThrow(RangeError);
    expect(() => new SlotRange(1, 10).contains(2.5)).toThrow(RangeError);
  });
});
