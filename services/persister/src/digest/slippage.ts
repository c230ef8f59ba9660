// Slippage of a fill against the price the order expected: its limit price, or for a market order the
// price of its first fill (how far the order walked the book). Positive is worse for us.
import type { Decimal } from 'decimal.js';
import { Dec } from '@tm/ledger';

export type Side = 'buy' | 'sell';

/** Side-signed: a buy above the reference or a sell below it costs us (> 0). */
export function slippageOf(side: Side, price: Decimal, amount: Decimal, reference: Decimal): Decimal {
  const walked = price.minus(reference).times(amount);
  return side === 'buy' ? walked : walked.neg();
}

/** Remembers each order's first fill price; fills must come in time order. */
export class OrderReferences {
  private readonly firstFillPrice = new Map<string, Decimal>();

  /** The reference of this fill of the order `orderKey`; `limitPrice` null for an order without one. */
  referenceOf(orderKey: string, limitPrice: string | null, price: Decimal): Decimal {
    let first = this.firstFillPrice.get(orderKey);
    if (first === undefined) {
      first = price;
      this.firstFillPrice.set(orderKey, first);
    }
    return limitPrice === null ? first : new Dec(limitPrice);
  }
}
