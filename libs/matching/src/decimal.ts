// The exchange's decimal flavour: plain notation always (never '1e-8'), precision far beyond any amount.
import { Decimal } from 'decimal.js';

import { ExchangeRejection } from './exchange-rejection.js';

export const Dec = Decimal.clone({
  precision: 60,
  rounding: Decimal.ROUND_DOWN,
  toExpNeg: -1e9,
  toExpPos: 1e9,
});
export type Dec = Decimal;

export const ZERO = new Dec(0);

const DECIMAL_PATTERN = /^[+]?(\d+\.?\d*|\.\d+)$/;

/** Parses a non-negative decimal string from a request; anything else is INVALID_ORDER on `field`. */
export function parseAmount(value: string | undefined, field: string): Dec {
  if (typeof value !== 'string' || !DECIMAL_PATTERN.test(value)) {
    throw new ExchangeRejection(
      'INVALID_ORDER',
      `${field} must be a decimal string, got ${String(value)}`,
      field,
    );
  }
  return new Dec(value);
}

/** Parses and requires > 0. */
export function parsePositive(value: string | undefined, field: string): Dec {
  const parsed = parseAmount(value, field);
  if (parsed.isZero()) throw new ExchangeRejection('INVALID_ORDER', `${field} must be > 0`, field);
  return parsed;
}

/** Canonical string: plain notation, no trailing zeros. */
export function str(value: Dec): string {
  return value.toString();
}
