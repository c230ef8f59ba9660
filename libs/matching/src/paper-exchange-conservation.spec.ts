import { Decimal } from 'decimal.js';
import { describe, expect, it } from 'vitest';

import { ExchangeRejection } from './exchange-rejection.js';
import type { DepthUpdate, OrderRequest, TimeInForce } from './exchange-types.js';
import { FEE_ACCOUNT, PaperExchange } from './paper-exchange.js';
import { SeededRandom } from './seeded-random.js';

const SPEC = {
  symbol: 'BTC/USDT',
  base: 'BTC',
  quote: 'USDT',
  tickSize: '0.5',
  lotSize: '0.01',
  minNotional: '5',
};
const ACCOUNTS = ['a', 'b', 'c', 'd', 'e'];
const TIFS: TimeInForce[] = ['GTC', 'GTC', 'GTC', 'IOC', 'FOK', 'PO'];

/** A seeded random flow of orders, cancels and replaces from a few accounts. */
function randomRequest(r: SeededRandom): OrderRequest {
  const side = r.next() < 0.5 ? 'buy' : 'sell';
  const amount = ((1 + r.int(300)) / 100).toFixed(2);
  if (r.next() < 0.15) {
    if (r.next() < 0.3)
      return { instrument: SPEC.symbol, side, type: 'market', quoteAmount: String(10 + r.int(500)) };
    return { instrument: SPEC.symbol, side, type: 'market', amount };
  }
  const price = (100 + (r.int(41) - 20) / 2).toFixed(1);
  const timeInForce = TIFS[r.int(TIFS.length)] as TimeInForce;
  return { instrument: SPEC.symbol, side, type: 'limit', price, amount, timeInForce };
}

function totals(ex: PaperExchange): Map<string, Decimal> {
  const sums = new Map<string, Decimal>();
  for (const account of [...ACCOUNTS, FEE_ACCOUNT]) {
    for (const b of ex.balances(account)) {
      expect(new Decimal(b.free).gte(0) && new Decimal(b.locked).gte(0)).toBe(true);
      sums.set(b.currency, (sums.get(b.currency) ?? new Decimal(0)).add(b.free).add(b.locked));
    }
  }
  return sums;
}

function checkInvariants(ex: PaperExchange, credited: Map<string, Decimal>): void {
  for (const [currency, total] of totals(ex))
    expect([currency, total.toString()]).toEqual([currency, credited.get(currency)?.toString()]);
  // Every lock is held by an open order, and the book is exactly the open orders.
  const book = new Map<string, Decimal>();
  for (const account of ACCOUNTS) {
    let quoteLocked = new Decimal(0);
    let baseLocked = new Decimal(0);
    for (const o of ex.openOrders(account)) {
      const left = new Decimal(o.amount).sub(o.filled);
      if (o.side === 'buy') quoteLocked = quoteLocked.add(left.mul(o.price ?? 0));
      else baseLocked = baseLocked.add(left);
      const key = `${o.side} ${o.price}`;
      book.set(key, (book.get(key) ?? new Decimal(0)).add(left));
    }
    const bal = (c: string) => ex.balances(account).find((b) => b.currency === c)?.locked ?? '0';
    expect(bal('USDT')).toBe(quoteLocked.toString());
    expect(bal('BTC')).toBe(baseLocked.toString());
  }
  const depth = ex.depth(SPEC.symbol, 10_000);
  const fromDepth = new Map<string, string>();
  for (const l of depth.bids) fromDepth.set(`buy ${l.price}`, l.amount);
  for (const l of depth.asks) fromDepth.set(`sell ${l.price}`, l.amount);
  expect(fromDepth).toEqual(new Map([...book].map(([k, v]) => [k, v.toString()])));
  const bestBid = depth.bids[0];
  const bestAsk = depth.asks[0];
  if (bestBid && bestAsk) expect(new Decimal(bestBid.price).lt(bestAsk.price)).toBe(true);
}

describe('PaperExchange under a seeded random order flow', () => {
  it('conserves balances, keeps locks equal to open orders, and its depth updates rebuild the book', () => {
    const r = new SeededRandom(20240611);
    let now = 0;
    const ex = new PaperExchange({
      instruments: [SPEC],
      clock: () => (now += 1),
      makerFeeRate: '0.001',
      takerFeeRate: '0.0025',
    });
    const credited = new Map<string, Decimal>();
    for (const account of ACCOUNTS) {
      ex.credit(account, 'USDT', '20000');
      ex.credit(account, 'BTC', '200');
    }
    credited.set('USDT', new Decimal(20000 * ACCOUNTS.length));
    credited.set('BTC', new Decimal(200 * ACCOUNTS.length));

    // A consumer keeps a book from the depth updates alone.
    const mirror = { bids: new Map<string, string>(), asks: new Map<string, string>() };
    let lastUpdateId = 0;
    ex.events = {
      onDepthUpdate: (u: DepthUpdate) => {
        expect(u.firstUpdateId).toBe(lastUpdateId + 1);
        lastUpdateId = u.lastUpdateId;
        for (const [levels, side] of [
          [u.bids, mirror.bids],
          [u.asks, mirror.asks],
        ] as const) {
          for (const l of levels) {
            if (l.amount === '0') side.delete(l.price);
            else side.set(l.price, l.amount);
          }
        }
      },
    };

    const counts = { placed: 0, rejected: 0, canceled: 0, replaced: 0, fills: 0 };
    for (let i = 0; i < 4000; i += 1) {
      const account = ACCOUNTS[r.int(ACCOUNTS.length)] as string;
      const dice = r.next();
      try {
        if (dice < 0.2) {
          const open = ex.openOrders(account);
          const victim = open[r.int(open.length)];
          if (victim) {
            ex.cancelOrder(account, SPEC.symbol, { orderId: victim.orderId });
            counts.canceled += 1;
          }
        } else if (dice < 0.3) {
          const open = ex.openOrders(account);
          const victim = open[r.int(open.length)];
          if (victim) {
            ex.cancelReplace(account, { orderId: victim.orderId }, randomRequest(r));
            counts.replaced += 1;
          }
        } else {
          counts.fills += ex.placeOrder(account, randomRequest(r)).fills.length;
          counts.placed += 1;
        }
      } catch (error) {
        if (!(error instanceof ExchangeRejection)) throw error;
        counts.rejected += 1;
      }
      if (i % 200 === 0) checkInvariants(ex, credited);
    }
    checkInvariants(ex, credited);
    const depth = ex.depth(SPEC.symbol, 10_000);
    expect(depth.updateId).toBe(lastUpdateId);
    expect(new Map(depth.bids.map((l) => [l.price, l.amount]))).toEqual(mirror.bids);
    expect(new Map(depth.asks.map((l) => [l.price, l.amount]))).toEqual(mirror.asks);
    // The flow really exercised matching, rejections and replaces.
    expect(counts.fills).toBeGreaterThan(500);
    expect(counts.rejected).toBeGreaterThan(50);
    expect(counts.replaced).toBeGreaterThan(100);
    expect(ex.balances(FEE_ACCOUNT).length).toBe(2);
  });
});
