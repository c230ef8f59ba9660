import { describe, expect, it } from 'vitest';

import { Dec, ZERO } from './decimal.js';
import { OrderBook } from './order-book.js';
import type { OrderState } from './order-state.js';

function order(id: number, side: 'buy' | 'sell', price: string, amount: string): OrderState {
  const entry = { account: 'a', currency: 'X', free: ZERO, locked: ZERO };
  return {
    orderId: id,
    clientOrderId: `c${id}`,
    account: 'a',
    instrument: 'X/Y',
    side,
    type: 'limit',
    timeInForce: 'GTC',
    price: new Dec(price),
    priceText: price,
    amount: new Dec(amount),
    filled: ZERO,
    quoteFilled: ZERO,
    remaining: new Dec(amount),
    status: 'NEW',
    createdAt: 0,
    updatedAt: 0,
    locked: ZERO,
    payEntry: entry,
    receiveEntry: entry,
    level: null,
    prev: null,
    next: null,
  };
}

function rest(book: OrderBook, o: OrderState, op = 1): void {
  book.rest(o, o.price as Dec, o.priceText as string, op);
}

const prices = (book: OrderBook, side: 'buy' | 'sell') =>
  [...book.sideOf(side).levels].reverse().map((l) => [l.key, l.amount.toString()]);

describe('OrderBook', () => {
  it('keeps levels sorted best last, whatever the insertion order', () => {
    const book = new OrderBook('X/Y');
    for (const [i, p] of ['10', '12', '11', '9', '13', '10.5'].entries()) {
      rest(book, order(i, 'buy', p, '1'));
      rest(book, order(100 + i, 'sell', String(Number(p) + 10), '1'));
    }
    expect(prices(book, 'buy').map(([p]) => p)).toEqual(['13', '12', '11', '10.5', '10', '9']);
    expect(prices(book, 'sell').map(([p]) => p)).toEqual(['19', '20', '20.5', '21', '22', '23']);
    expect(book.bids.best()?.key).toBe('13');
    expect(book.asks.best()?.key).toBe('19');
  });

  it('queues orders FIFO within a level, aggregates amounts and drops emptied levels', () => {
    const book = new OrderBook('X/Y');
    const [a, b, c] = [order(1, 'buy', '10', '1'), order(2, 'buy', '10', '2'), order(3, 'buy', '10', '3')];
    [a, b, c].forEach((o) => rest(book, o));
    const level = book.bids.get('10');
    expect(level?.head).toBe(a);
    expect(level?.amount.toString()).toBe('6');
    book.unlink(b, 2);
    expect(a.next).toBe(c);
    expect(c.prev).toBe(a);
    expect(level?.amount.toString()).toBe('4');
    book.unlink(a, 2);
    book.unlink(c, 2);
    expect(book.bids.get('10')).toBeUndefined();
    expect(book.bids.levels).toEqual([]);
  });

  it('relink puts an order back exactly where it was, level included', () => {
    const book = new OrderBook('X/Y');
    const orders = [order(1, 'sell', '10', '1'), order(2, 'sell', '11', '1'), order(3, 'sell', '12', '1')];
    orders.forEach((o) => rest(book, o));
    const mid = orders[1] as OrderState;
    const unlinked = book.unlink(mid, 2);
    expect(book.asks.levels.map((l) => l.key)).toEqual(['12', '10']);
    book.relink(unlinked as NonNullable<typeof unlinked>);
    expect(book.asks.levels.map((l) => l.key)).toEqual(['12', '11', '10']);
    expect(book.asks.get('11')?.head).toBe(mid);
  });

  it('records each touched level once per operation with its amount before', () => {
    const book = new OrderBook('X/Y');
    const a = order(1, 'buy', '10', '1');
    rest(book, a, 1);
    book.touched = [];
    rest(book, order(2, 'buy', '10', '2'), 2);
    book.reduce(a, new Dec('0.5'), 2);
    expect(book.touched).toHaveLength(1);
    expect(book.touched[0]?.amountBefore.toString()).toBe('1');
    expect(book.touched[0]?.amount.toString()).toBe('2.5');
  });
});
