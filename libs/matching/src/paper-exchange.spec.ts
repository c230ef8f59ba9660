import { describe, expect, it } from 'vitest';

import { ExchangeRejection } from './exchange-rejection.js';
import type { DepthUpdate, ExchangeOrder } from './exchange-types.js';
import { PaperExchange } from './paper-exchange.js';

const BTC = {
  symbol: 'BTC/USDT',
  base: 'BTC',
  quote: 'USDT',
  tickSize: '0.01',
  lotSize: '0.001',
  minNotional: '5',
};

function setup(options: { makerFeeRate?: string; takerFeeRate?: string } = {}) {
  let now = 1_000_000;
  const exchange = new PaperExchange({ instruments: [BTC], clock: () => (now += 1), ...options });
  for (const account of ['alice', 'bob', 'carol']) {
    exchange.credit(account, 'USDT', '1000000');
    exchange.credit(account, 'BTC', '100');
  }
  return exchange;
}

function balance(exchange: PaperExchange, account: string, currency: string) {
  return (
    exchange.balances(account).find((b) => b.currency === currency) ?? { currency, free: '0', locked: '0' }
  );
}

function rejection(fn: () => unknown): ExchangeRejection {
  try {
    fn();
  } catch (error) {
    if (error instanceof ExchangeRejection) return error;
    throw error;
  }
  throw new Error('expected an ExchangeRejection');
}

const limit = (side: 'buy' | 'sell', price: string, amount: string, extra: object = {}) => ({
  instrument: 'BTC/USDT',
  side,
  type: 'limit' as const,
  price,
  amount,
  ...extra,
});

describe('PaperExchange placing and matching', () => {
  it('rests a GTC limit order and locks its cost', () => {
    const ex = setup();
    const { order, fills } = ex.placeOrder('alice', limit('buy', '100.00', '2'));
    expect(fills).toEqual([]);
    expect(order).toMatchObject({
      status: 'NEW',
      price: '100',
      amount: '2',
      filled: '0',
      clientOrderId: 'x-1',
    });
    expect(balance(ex, 'alice', 'USDT')).toEqual({ currency: 'USDT', free: '999800', locked: '200' });
    expect(ex.depth('BTC/USDT').bids).toEqual([{ price: '100', amount: '2' }]);
    expect(ex.openOrders('alice').map((o) => o.orderId)).toEqual([order.orderId]);
  });

  it('matches by price then time, at the maker price', () => {
    const ex = setup();
    const a1 = ex.placeOrder('alice', limit('sell', '101', '1')).order;
    const b1 = ex.placeOrder('bob', limit('sell', '100', '1')).order;
    const a2 = ex.placeOrder('alice', limit('sell', '100', '1')).order;
    const { order, fills } = ex.placeOrder('carol', limit('buy', '102', '2.5'));
    expect(fills.map((f) => [f.orderId, f.price, f.amount, f.liquidity])).toEqual([
      [order.orderId, '100', '1', 'taker'],
      [order.orderId, '100', '1', 'taker'],
      [order.orderId, '101', '0.5', 'taker'],
    ]);
    expect(ex.getOrder('bob', 'BTC/USDT', { orderId: b1.orderId }).status).toBe('FILLED');
    expect(ex.getOrder('alice', 'BTC/USDT', { orderId: a2.orderId }).status).toBe('FILLED');
    expect(ex.getOrder('alice', 'BTC/USDT', { orderId: a1.orderId })).toMatchObject({
      status: 'PARTIALLY_FILLED',
      filled: '0.5',
    });
    expect(order).toMatchObject({ status: 'FILLED', filled: '2.5', quoteFilled: '250.5' });
    // The buyer locked 102 * 2.5 and paid 250.5: the price improvement is free again.
    expect(balance(ex, 'carol', 'USDT')).toEqual({
      currency: 'USDT',
      free: String(1_000_000 - 250.5),
      locked: '0',
    });
    expect(balance(ex, 'carol', 'BTC').free).toBe('102.5');
    expect(ex.depth('BTC/USDT').asks).toEqual([{ price: '101', amount: '0.5' }]);
  });

  it('earlier orders at one price fill first (FIFO within a level)', () => {
    const ex = setup();
    const first = ex.placeOrder('alice', limit('buy', '100', '1')).order;
    const second = ex.placeOrder('bob', limit('buy', '100', '1')).order;
    ex.placeOrder('carol', limit('sell', '99', '1.5'));
    expect(ex.getOrder('alice', 'BTC/USDT', { orderId: first.orderId }).status).toBe('FILLED');
    expect(ex.getOrder('bob', 'BTC/USDT', { orderId: second.orderId })).toMatchObject({
      status: 'PARTIALLY_FILLED',
      filled: '0.5',
    });
  });

  it('a partly filled GTC rests its remainder', () => {
    const ex = setup();
    ex.placeOrder('alice', limit('sell', '100', '1'));
    const { order } = ex.placeOrder('bob', limit('buy', '100', '3'));
    expect(order).toMatchObject({ status: 'PARTIALLY_FILLED', filled: '1' });
    expect(ex.depth('BTC/USDT')).toMatchObject({ bids: [{ price: '100', amount: '2' }], asks: [] });
    expect(balance(ex, 'bob', 'USDT').locked).toBe('200');
  });

  it('IOC expires its remainder and releases the lock', () => {
    const ex = setup();
    ex.placeOrder('alice', limit('sell', '100', '1'));
    const { order, fills } = ex.placeOrder('bob', limit('buy', '100', '3', { timeInForce: 'IOC' }));
    expect(order).toMatchObject({ status: 'EXPIRED', filled: '1' });
    expect(fills).toHaveLength(1);
    expect(balance(ex, 'bob', 'USDT')).toEqual({ currency: 'USDT', free: '999900', locked: '0' });
    expect(ex.depth('BTC/USDT').bids).toEqual([]);
  });

  it('FOK that cannot fill completely expires with no fills and changes nothing', () => {
    const ex = setup();
    ex.placeOrder('alice', limit('sell', '100', '1'));
    ex.placeOrder('alice', limit('sell', '105', '5'));
    const before = ex.depth('BTC/USDT');
    const { order, fills } = ex.placeOrder('bob', limit('buy', '101', '2', { timeInForce: 'FOK' }));
    expect(order).toMatchObject({ status: 'EXPIRED', filled: '0' });
    expect(fills).toEqual([]);
    expect(ex.depth('BTC/USDT')).toEqual(before);
    expect(balance(ex, 'bob', 'USDT')).toEqual({ currency: 'USDT', free: '1000000', locked: '0' });
    const full = ex.placeOrder('bob', limit('buy', '105', '2', { timeInForce: 'FOK' }));
    expect(full.order).toMatchObject({ status: 'FILLED', filled: '2', quoteFilled: '205' });
  });

  it('post-only that would cross is refused and nothing rests', () => {
    const ex = setup();
    ex.placeOrder('alice', limit('sell', '100', '1'));
    const error = rejection(() => ex.placeOrder('bob', limit('buy', '100', '1', { timeInForce: 'PO' })));
    expect(error.code).toBe('POST_ONLY_WOULD_CROSS');
    expect(ex.openOrders('bob')).toEqual([]);
    expect(balance(ex, 'bob', 'USDT').locked).toBe('0');
    const ok = ex.placeOrder('bob', limit('buy', '99.99', '1', { timeInForce: 'PO' }));
    expect(ok.order).toMatchObject({ status: 'NEW', timeInForce: 'PO' });
  });

  it('market buy by amount walks the book; the unfilled rest expires', () => {
    const ex = setup();
    ex.placeOrder('alice', limit('sell', '100', '1'));
    ex.placeOrder('alice', limit('sell', '110', '1'));
    const { order, fills } = ex.placeOrder('bob', {
      instrument: 'BTC/USDT',
      side: 'buy',
      type: 'market',
      amount: '1.5',
    });
    expect(fills.map((f) => [f.price, f.amount])).toEqual([
      ['100', '1'],
      ['110', '0.5'],
    ]);
    expect(order).toMatchObject({ status: 'FILLED', timeInForce: 'IOC', price: null, quoteFilled: '155' });
    const rest = ex.placeOrder('bob', { instrument: 'BTC/USDT', side: 'buy', type: 'market', amount: '2' });
    expect(rest.order).toMatchObject({ status: 'EXPIRED', filled: '0.5', amount: '2' });
    expect(balance(ex, 'bob', 'USDT')).toEqual({
      currency: 'USDT',
      free: String(1_000_000 - 155 - 55),
      locked: '0',
    });
  });

  it('market buy by quoteAmount spends at most that, in whole lots', () => {
    const ex = setup();
    ex.placeOrder('alice', limit('sell', '100', '1'));
    ex.placeOrder('alice', limit('sell', '300', '1'));
    const { order } = ex.placeOrder('bob', {
      instrument: 'BTC/USDT',
      side: 'buy',
      type: 'market',
      quoteAmount: '130',
    });
    // 100 for 1 BTC, then 30/300 = 0.1 BTC.
    expect(order).toMatchObject({ status: 'FILLED', amount: '1.1', filled: '1.1', quoteFilled: '130' });
    const odd = ex.placeOrder('bob', {
      instrument: 'BTC/USDT',
      side: 'buy',
      type: 'market',
      quoteAmount: '1.0005',
    });
    expect(odd.order).toMatchObject({ filled: '0.003', quoteFilled: '0.9' });
    expect(balance(ex, 'bob', 'USDT').locked).toBe('0');
  });

  it('market sell by amount and by quoteAmount', () => {
    const ex = setup();
    ex.placeOrder('alice', limit('buy', '100', '1'));
    ex.placeOrder('alice', limit('buy', '90', '5'));
    const byAmount = ex.placeOrder('bob', {
      instrument: 'BTC/USDT',
      side: 'sell',
      type: 'market',
      amount: '1.5',
    });
    expect(byAmount.order).toMatchObject({ status: 'FILLED', quoteFilled: '145' });
    const byQuote = ex.placeOrder('bob', {
      instrument: 'BTC/USDT',
      side: 'sell',
      type: 'market',
      quoteAmount: '90',
    });
    expect(byQuote.order).toMatchObject({ status: 'FILLED', filled: '1', quoteFilled: '90' });
    expect(balance(ex, 'bob', 'BTC')).toEqual({ currency: 'BTC', free: '97.5', locked: '0' });
  });

  it('market order against an empty book expires', () => {
    const ex = setup();
    const { order } = ex.placeOrder('bob', {
      instrument: 'BTC/USDT',
      side: 'buy',
      type: 'market',
      amount: '1',
    });
    expect(order.status).toBe('EXPIRED');
  });

  it('refuses orders the balance cannot cover, before anything changes', () => {
    const ex = setup();
    ex.credit('dave', 'USDT', '100');
    expect(rejection(() => ex.placeOrder('dave', limit('buy', '100', '1.001'))).code).toBe(
      'INSUFFICIENT_FUNDS',
    );
    expect(rejection(() => ex.placeOrder('dave', limit('sell', '100', '1'))).code).toBe('INSUFFICIENT_FUNDS');
    ex.placeOrder('alice', limit('sell', '100', '1'));
    ex.placeOrder('alice', limit('sell', '200', '1'));
    const marketBuy = {
      instrument: 'BTC/USDT',
      side: 'buy' as const,
      type: 'market' as const,
      amount: '1.1',
    };
    expect(rejection(() => ex.placeOrder('dave', marketBuy)).code).toBe('INSUFFICIENT_FUNDS');
    expect(ex.depth('BTC/USDT').asks).toHaveLength(2);
    expect(balance(ex, 'dave', 'USDT')).toEqual({ currency: 'USDT', free: '100', locked: '0' });
    expect(ex.placeOrder('dave', { ...marketBuy, amount: '1' }).order.status).toBe('FILLED');
  });

  it('validates tick, lot and notional with the field at fault', () => {
    const ex = setup();
    const cases: [object, string][] = [
      [limit('buy', '100.001', '1'), 'price'],
      [limit('buy', '100', '1.0001'), 'amount'],
      [limit('buy', '1', '1'), 'notional'],
      [limit('buy', '-1', '1'), 'price'],
      [limit('buy', 'abc', '1'), 'price'],
      [limit('buy', '100', '0'), 'amount'],
      [{ instrument: 'BTC/USDT', side: 'buy', type: 'limit', amount: '1' }, 'price'],
      [{ instrument: 'BTC/USDT', side: 'buy', type: 'market' }, 'amount'],
      [{ instrument: 'BTC/USDT', side: 'buy', type: 'market', amount: '1', quoteAmount: '1' }, 'quoteAmount'],
      [limit('buy', '100', '1', { timeInForce: 'GTD' }), 'timeInForce'],
    ];
    for (const [request, field] of cases) {
      const error = rejection(() => ex.placeOrder('alice', request as never));
      expect([error.code, error.field]).toEqual(['INVALID_ORDER', field]);
    }
    expect(
      rejection(() => ex.placeOrder('alice', { ...limit('buy', '1', '1'), instrument: 'X/Y' })).code,
    ).toBe('UNKNOWN_INSTRUMENT');
    expect(ex.openOrders('alice')).toEqual([]);
  });

  it('a non-power-of-ten tick is checked by division', () => {
    const ex = new PaperExchange({ instruments: [{ ...BTC, tickSize: '0.5', lotSize: '0.25' }] });
    ex.credit('a', 'USDT', '1000');
    expect(rejection(() => ex.placeOrder('a', limit('buy', '100.2', '1'))).field).toBe('price');
    expect(rejection(() => ex.placeOrder('a', limit('buy', '100.5', '0.3'))).field).toBe('amount');
    expect(ex.placeOrder('a', limit('buy', '100.5', '0.75')).order.status).toBe('NEW');
  });

  it('refuses a clientOrderId used by an open order, allows it again once closed', () => {
    const ex = setup();
    const first = ex.placeOrder('alice', limit('buy', '100', '1', { clientOrderId: 'c1' })).order;
    const error = rejection(() => ex.placeOrder('alice', limit('buy', '100', '1', { clientOrderId: 'c1' })));
    expect([error.code, error.field]).toEqual(['DUPLICATE_CLIENT_ORDER_ID', 'clientOrderId']);
    // Another account may use the same id.
    expect(ex.placeOrder('bob', limit('buy', '100', '1', { clientOrderId: 'c1' })).order.status).toBe('NEW');
    ex.cancelOrder('alice', 'BTC/USDT', { clientOrderId: 'c1' });
    const second = ex.placeOrder('alice', limit('buy', '101', '1', { clientOrderId: 'c1' })).order;
    expect(ex.getOrder('alice', 'BTC/USDT', { clientOrderId: 'c1' }).orderId).toBe(second.orderId);
    expect(ex.getOrder('alice', 'BTC/USDT', { orderId: first.orderId }).status).toBe('CANCELED');
  });
});

describe('PaperExchange cancel and replace', () => {
  it('cancel releases the lock and removes the level', () => {
    const ex = setup();
    const { order } = ex.placeOrder('alice', limit('buy', '100', '2'));
    const canceled = ex.cancelOrder('alice', 'BTC/USDT', { orderId: order.orderId });
    expect(canceled.status).toBe('CANCELED');
    expect(balance(ex, 'alice', 'USDT')).toEqual({ currency: 'USDT', free: '1000000', locked: '0' });
    expect(ex.depth('BTC/USDT').bids).toEqual([]);
    expect(rejection(() => ex.cancelOrder('alice', 'BTC/USDT', { orderId: order.orderId })).code).toBe(
      'ORDER_NOT_FOUND',
    );
  });

  it('cancel of a partly filled buy releases only what is still locked', () => {
    const ex = setup();
    const { order } = ex.placeOrder('alice', limit('buy', '100', '2'));
    ex.placeOrder('bob', limit('sell', '100', '0.5'));
    ex.cancelOrder('alice', 'BTC/USDT', { orderId: order.orderId });
    expect(balance(ex, 'alice', 'USDT')).toEqual({ currency: 'USDT', free: '999950', locked: '0' });
  });

  it('does not find orders of other accounts or other instruments', () => {
    const ex = setup();
    const { order } = ex.placeOrder('alice', limit('buy', '100', '1'));
    expect(rejection(() => ex.cancelOrder('bob', 'BTC/USDT', { orderId: order.orderId })).code).toBe(
      'ORDER_NOT_FOUND',
    );
    expect(rejection(() => ex.getOrder('alice', 'BTC/USDT', { orderId: 999 })).code).toBe('ORDER_NOT_FOUND');
    expect(rejection(() => ex.getOrder('alice', 'BTC/USDT', {})).code).toBe('INVALID_ORDER');
  });

  it('cancelReplace cancels and places in one step', () => {
    const ex = setup();
    const { order } = ex.placeOrder('alice', limit('buy', '100', '1', { clientOrderId: 'a' }));
    const { canceled, placed } = ex.cancelReplace(
      'alice',
      { clientOrderId: 'a' },
      limit('buy', '101', '2', { clientOrderId: 'a' }),
    );
    expect(canceled).toMatchObject({ orderId: order.orderId, status: 'CANCELED' });
    expect(placed.order).toMatchObject({ clientOrderId: 'a', status: 'NEW', price: '101' });
    expect(ex.depth('BTC/USDT').bids).toEqual([{ price: '101', amount: '2' }]);
    expect(balance(ex, 'alice', 'USDT').locked).toBe('202');
  });

  it('cancelReplace changes nothing when the new order is refused, or the cancel fails', () => {
    const ex = setup();
    ex.placeOrder('bob', limit('buy', '100', '1'));
    const { order } = ex.placeOrder('alice', limit('buy', '100', '1'));
    ex.placeOrder('carol', limit('buy', '100', '1'));
    const updates: DepthUpdate[] = [];
    const orders: ExchangeOrder[] = [];
    ex.events = { onDepthUpdate: (u) => updates.push(u), onOrderUpdate: (o) => orders.push(o) };
    const before = ex.depth('BTC/USDT');
    const tooBig = rejection(() =>
      ex.cancelReplace('alice', { orderId: order.orderId }, limit('buy', '100', '1e9')),
    );
    expect(tooBig.code).toBe('INVALID_ORDER');
    const broke = rejection(() =>
      ex.cancelReplace('alice', { orderId: order.orderId }, limit('buy', '100', '10001')),
    );
    expect(broke.code).toBe('INSUFFICIENT_FUNDS');
    const missing = rejection(() => ex.cancelReplace('alice', { orderId: 12345 }, limit('buy', '100', '1')));
    expect(missing.code).toBe('ORDER_NOT_FOUND');
    expect(ex.depth('BTC/USDT')).toEqual(before);
    expect(ex.getOrder('alice', 'BTC/USDT', { orderId: order.orderId }).status).toBe('NEW');
    expect(balance(ex, 'alice', 'USDT').locked).toBe('100');
    expect(updates).toEqual([]);
    expect(orders).toEqual([]);
    // Queue position kept: a seller fills bob, then alice, then carol.
    ex.credit('dave', 'BTC', '2');
    const fills = ex.placeOrder('dave', limit('sell', '100', '2')).fills;
    expect(fills.map((f) => f.price)).toEqual(['100', '100']);
    expect(ex.openOrders('carol')).toHaveLength(1);
    expect(ex.openOrders('alice')).toEqual([]);
  });
});
