import { describe, expect, it } from 'vitest';
import { fixDecimal } from './fix-decimal.js';

describe('fixDecimal', () => {
  it.each([
    [0, '0'],
    [42_000, '42000'],
    [42_000.5, '42000.5'],
    [0.1 + 0.2, '0.3'],
    [1.1 + 2.2, '3.3'],
    [0.00000015, '0.00000015'],
    [1.5e-10, '0.00000000015'],
    [1e21, '1000000000000000000000'],
    [1.234e22, '12340000000000000000000'],
    [-0.0000001, '-0.0000001'],
    [123456789.12345678, '123456789.123457'],
  ])('%d → %s', (value, text) => {
    expect(fixDecimal(value)).toBe(text);
  });

  it('refuses what is not a finite number', () => {
    expect(() => fixDecimal(Number.NaN)).toThrow(RangeError);
    expect(() => fixDecimal(Number.POSITIVE_INFINITY)).toThrow(RangeError);
  });
});
