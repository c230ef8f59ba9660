import { describe, expect, it } from 'vitest';

import type { DepthUpdate, ExchangeFill, ExchangeOrder, PublicTrade } from './exchange-types.js';
import { FEE_ACCOUNT, PaperExchange } from './paper-exchange.js';

const SPEC = {
  symbol: 'ETH/USDT',
  base: 'ETH',
  quote: 'USDT',
  tickSize: '0.1',
  lotSize: '0.01',
  minNotional: '1',
};

function setup(options: { makerFeeRate?: string; takerFeeRate?: string } = {}) {
  let now = 0;
  const exchange = new PaperExchange({ instruments: [SPEC], clock: () => (now += 10), ...options });
  for (const account of ['maker', 'taker']) {
    exchange.credit(account, 'USDT', '100000');
    exchange.credit(account, 'ETH', '100');
  }
  const orders: [ExchangeOrder, ExchangeFill | undefined][] = [];
  const trades: PublicTrade[] = [];
  const depth: DepthUpdate[] = [];
  exchange.events = {
    onOrderUpdate: (o, f) => orders.push([o, f]),
    onPublicTrade: (t) => trades.push(t),
    onDepthUpdate: (u) => depth.push(u),
  };
  return { exchange, orders, trades, depth };
}

const limit = (side: 'buy' | 'sell', price: string, amount: string) => ({
  instrument: 'ETH/USDT',
  side,
  type: 'limit' as const,
  price,
  amount,
});

describe('PaperExchange events', () => {
  it('reports new, each fill for maker and taker, public trades, then the depth change', () => {
    const { exchange, orders, trades, depth } = setup();
    const m1 = exchange.placeOrder('maker', limit('sell', '10', '1')).order;
    const m2 = exchange.placeOrder('maker', limit('sell', '11', '1')).order;
    orders.length = 0;
    depth.length = 0;
    const t = exchange.placeOrder('taker', limit('buy', '11', '1.5')).order;
    expect(orders.map(([o, f]) => [o.orderId, o.status, o.filled, f?.liquidity ?? null])).toEqual([
      [t.orderId, 'NEW', '0', null],
      [m1.orderId, 'FILLED', '1', 'maker'],
      [t.orderId, 'PARTIALLY_FILLED', '1', 'taker'],
      [m2.orderId, 'PARTIALLY_FILLED', '0.5', 'maker'],
      [t.orderId, 'FILLED', '1.5', 'taker'],
    ]);
    const [makerFill, takerFill] = [orders[1]?.[1], orders[2]?.[1]];
    expect(makerFill?.tradeId).toBe(takerFill?.tradeId);
    expect(trades.map((x) => [x.tradeId, x.price, x.amount, x.takerSide])).toEqual([
      [takerFill?.tradeId, '10', '1', 'buy'],
      [(takerFill?.tradeId ?? 0) + 1, '11', '0.5', 'buy'],
    ]);
    expect(depth).toHaveLength(1);
    expect(depth[0]).toMatchObject({
      bids: [],
      asks: [
        { price: '10', amount: '0' },
        { price: '11', amount: '0.5' },
      ],
    });
  });

  it('depth update ids are consecutive per instrument and match the snapshot', () => {
    const { exchange, depth } = setup();
    exchange.placeOrder('maker', limit('sell', '10', '1'));
    exchange.placeOrder('maker', limit('sell', '10', '2'));
    const { order } = exchange.placeOrder('maker', limit('buy', '9', '1'));
    exchange.cancelOrder('maker', 'ETH/USDT', { orderId: order.orderId });
    expect(depth.map((d) => [d.firstUpdateId, d.lastUpdateId])).toEqual([
      [1, 1],
      [2, 2],
      [3, 3],
      [4, 4],
    ]);
    expect(depth.map((d) => [d.bids, d.asks])).toEqual([
      [[], [{ price: '10', amount: '1' }]],
      [[], [{ price: '10', amount: '3' }]],
      [[{ price: '9', amount: '1' }], []],
      [[{ price: '9', amount: '0' }], []],
    ]);
    expect(exchange.depth('ETH/USDT').updateId).toBe(4);
  });

  it('an operation that does not change the book sends no depth update', () => {
    const { exchange, depth } = setup();
    exchange.placeOrder('taker', { instrument: 'ETH/USDT', side: 'buy', type: 'market', amount: '1' });
    expect(depth).toEqual([]);
    const { order } = exchange.placeOrder('maker', limit('buy', '9', '1'));
    // Replaced by the same price and amount: the level did not change.
    exchange.cancelReplace('maker', { orderId: order.orderId }, limit('buy', '9', '1'));
    expect(depth).toHaveLength(1);
  });

  it('cancel and expiry are order updates without a fill', () => {
    const { exchange, orders } = setup();
    const { order } = exchange.placeOrder('maker', limit('buy', '9', '1'));
    exchange.cancelOrder('maker', 'ETH/USDT', { orderId: order.orderId });
    exchange.placeOrder('taker', { ...limit('buy', '9', '1'), timeInForce: 'FOK' });
    expect(orders.map(([o, f]) => [o.status, f])).toEqual([
      ['NEW', undefined],
      ['CANCELED', undefined],
      ['NEW', undefined],
      ['EXPIRED', undefined],
    ]);
  });

  it('handlers may call back into the exchange; events stay in order', () => {
    const { exchange, orders } = setup();
    let reentered = false;
    exchange.events = {
      onOrderUpdate: (o, f) => {
        orders.push([o, f]);
        if (!reentered && o.status === 'NEW') {
          reentered = true;
          exchange.cancelOrder('maker', 'ETH/USDT', { orderId: o.orderId });
        }
      },
    };
    exchange.placeOrder('maker', limit('buy', '9', '1'));
    expect(orders.map(([o]) => o.status)).toEqual(['NEW', 'CANCELED']);
  });

  it('a throwing handler does not break the exchange; the error goes to onEventError', () => {
    const errors: unknown[] = [];
    const exchange = new PaperExchange({
      instruments: [SPEC],
      onEventError: (e) => errors.push(e),
      events: {
        onOrderUpdate: () => {
          throw new Error('boom');
        },
      },
    });
    exchange.credit('a', 'USDT', '100');
    expect(exchange.placeOrder('a', limit('buy', '9', '1')).order.status).toBe('NEW');
    expect(errors).toHaveLength(1);
  });

  it('charges fees in the currency received, maker and taker rates apart, into the fee account', () => {
    const { exchange, orders } = setup({ makerFeeRate: '0.001', takerFeeRate: '0.002' });
    exchange.placeOrder('maker', limit('sell', '10', '2'));
    const { fills } = exchange.placeOrder('taker', limit('buy', '10', '2'));
    expect(fills[0]).toMatchObject({
      fee: '0.004',
      feeCurrency: 'ETH',
      liquidity: 'taker',
      quoteAmount: '20',
    });
    const makerFill = orders.find(([o]) => o.account === 'maker' && o.status === 'FILLED')?.[1];
    expect(makerFill).toMatchObject({ fee: '0.02', feeCurrency: 'USDT', liquidity: 'maker' });
    const bal = (a: string, c: string) => exchange.balances(a).find((b) => b.currency === c)?.free;
    expect(bal('taker', 'ETH')).toBe('101.996');
    expect(bal('maker', 'USDT')).toBe('100019.98');
    expect(exchange.balances(FEE_ACCOUNT)).toEqual([
      { currency: 'USDT', free: '0.02', locked: '0' },
      { currency: 'ETH', free: '0.004', locked: '0' },
    ]);
  });
});

describe('PaperExchange queries', () => {
  it('accountTrades by fromId, since and limit, ascending', () => {
    const { exchange } = setup();
    for (let i = 0; i < 5; i += 1) {
      exchange.placeOrder('maker', limit('sell', '10', '1'));
      exchange.placeOrder('taker', limit('buy', '10', '1'));
    }
    const all = exchange.accountTrades('taker', { instrument: 'ETH/USDT' });
    expect(all.map((f) => f.tradeId)).toEqual([1, 2, 3, 4, 5]);
    expect(
      exchange.accountTrades('taker', { instrument: 'ETH/USDT', limit: 2 }).map((f) => f.tradeId),
    ).toEqual([4, 5]);
    expect(
      exchange.accountTrades('taker', { instrument: 'ETH/USDT', fromId: 3, limit: 2 }).map((f) => f.tradeId),
    ).toEqual([3, 4]);
    const since = all[3]?.time ?? 0;
    expect(exchange.accountTrades('taker', { instrument: 'ETH/USDT', since }).map((f) => f.tradeId)).toEqual([
      4, 5,
    ]);
    expect(
      exchange.accountTrades('maker', { instrument: 'ETH/USDT' }).every((f) => f.liquidity === 'maker'),
    ).toBe(true);
  });

  it('publicTrades keeps the most recent 1,000, ascending', () => {
    const { exchange } = setup();
    exchange.credit('maker', 'ETH', '10000');
    exchange.credit('taker', 'USDT', '100000');
    exchange.placeOrder('maker', limit('sell', '10', '1200'));
    for (let i = 0; i < 1200; i += 1) exchange.placeOrder('taker', limit('buy', '10', '1'));
    expect(exchange.publicTrades('ETH/USDT')).toHaveLength(500);
    const kept = exchange.publicTrades('ETH/USDT', 5000);
    expect(kept).toHaveLength(1000);
    expect(kept[0]?.tradeId).toBe(201);
    expect(kept[999]?.tradeId).toBe(1200);
  });

  it('ticker shows the top of book and 24h statistics', () => {
    const { exchange } = setup();
    expect(exchange.ticker('ETH/USDT')).toMatchObject({ bid: null, ask: null, last: null, volume: '0' });
    exchange.placeOrder('maker', limit('sell', '12', '1'));
    exchange.placeOrder('maker', limit('sell', '10', '1'));
    exchange.placeOrder('taker', limit('buy', '12', '2'));
    exchange.placeOrder('maker', limit('buy', '9', '3'));
    exchange.placeOrder('maker', limit('sell', '13', '4'));
    expect(exchange.ticker('ETH/USDT')).toMatchObject({
      bid: '9',
      bidSize: '3',
      ask: '13',
      askSize: '4',
      last: '12',
      open: '10',
      high: '12',
      low: '10',
      volume: '2',
      quoteVolume: '22',
    });
  });

  it('forgets the oldest closed orders beyond maxClosedOrders, never open ones', () => {
    const exchange = new PaperExchange({ instruments: [SPEC], maxClosedOrders: 2 });
    exchange.credit('a', 'USDT', '1000');
    const open = exchange.placeOrder('a', limit('buy', '9', '1')).order;
    const ids = [1, 2, 3].map((i) => {
      const { order } = exchange.placeOrder('a', { ...limit('buy', '9', '1'), clientOrderId: `c${i}` });
      exchange.cancelOrder('a', 'ETH/USDT', { orderId: order.orderId });
      return order.orderId;
    });
    expect(() => exchange.getOrder('a', 'ETH/USDT', { orderId: ids[0] })).toThrow(/not found/);
    expect(() => exchange.getOrder('a', 'ETH/USDT', { clientOrderId: 'c1' })).toThrow(/not found/);
    expect(exchange.getOrder('a', 'ETH/USDT', { orderId: ids[2] }).status).toBe('CANCELED');
    expect(exchange.getOrder('a', 'ETH/USDT', { orderId: open.orderId }).status).toBe('NEW');
  });
});
