// A position under the average-cost method, in decimals: what each fill realizes and the position it leaves.
// The gateway's daily P&L and the persister's digest both account with it, so they report the same figures.
import { Decimal } from 'decimal.js';

/** Plain notation always; precision far beyond any price or amount, so averages lose nothing that shows. */
export const Dec = Decimal.clone({
  precision: 40,
  rounding: Decimal.ROUND_HALF_EVEN,
  toExpNeg: -1e9,
  toExpPos: 1e9,
});

export interface Position {
  /** Signed: negative is short. */
  readonly size: Decimal;
  readonly averageCost: Decimal;
}

export const FLAT: Position = { size: new Dec(0), averageCost: new Dec(0) };

/**
 * One fill against a position: a fill in the position's direction (or from flat) moves the average cost to
 * the size-weighted mean; one against it realizes closed × (price − cost) for a long, (cost − price) for a
 * short and keeps the cost; what it trades past flat opens the other side at the fill's price.
 */
export function applyFill(
  position: Position,
  signedAmount: Decimal,
  price: Decimal,
): { position: Position; realized: Decimal } {
  const { size, averageCost } = position;
  if (size.isZero() || size.isNeg() === signedAmount.isNeg()) {
    const total = size.abs().plus(signedAmount.abs());
    const cost = size.abs().times(averageCost).plus(signedAmount.abs().times(price)).div(total);
    return { position: { size: size.plus(signedAmount), averageCost: cost }, realized: new Dec(0) };
  }
  const closed = Dec.min(size.abs(), signedAmount.abs());
  const perUnit = size.isNeg() ? averageCost.minus(price) : price.minus(averageCost);
  const realized = closed.times(perUnit);
  const after = size.plus(signedAmount);
  if (after.isZero()) return { position: FLAT, realized };
  const flipped = after.isNeg() !== size.isNeg();
  return { position: { size: after, averageCost: flipped ? price : averageCost }, realized };
}
