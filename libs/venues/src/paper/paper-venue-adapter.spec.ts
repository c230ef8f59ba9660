import { PaperExchange } from '@tm/matching';
import { describe, expect, it } from 'vitest';
import type { VenueErrorCode } from '@tm/contracts';
import { VenueError } from '../adapter/venue-error.js';
import type { BookDelta, MarketTick, MarketTrade, VenueFill, VenueOrder } from '../adapter/venue-types.js';
import { PaperVenueAdapter } from './paper-venue-adapter.js';

const SPEC = {
  symbol: 'ETH/USDT',
  base: 'ETH',
  quote: 'USDT',
  tickSize: '0.1',
  lotSize: '0.01',
  minNotional: '1',
};

function setup() {
  let now = 1_000_000;
  const exchange = new PaperExchange({
    instruments: [SPEC],
    clock: () => (now += 10),
    takerFeeRate: '0.001',
  });
  for (const account of ['alice', 'bob']) {
    exchange.credit(account, 'USDT', '10000');
    exchange.credit(account, 'ETH', '10');
  }
  const alice = new PaperVenueAdapter({ exchange, account: 'alice', clock: () => now });
  const bob = new PaperVenueAdapter({ exchange, account: 'bob' });
  return { exchange, alice, bob };
}

const limit = (side: 'buy' | 'sell', price: string, amount: string, clientOrderId: string) => ({
  instrument: 'ETH/USDT',
  side,
  kind: 'limit' as const,
  price,
  amount,
  clientOrderId,
});

async function codeOf(promise: Promise<unknown>): Promise<VenueErrorCode | 'resolved'> {
  try {
    await promise;
    return 'resolved';
  } catch (error) {
    expect(error).toBeInstanceOf(VenueError);
    return (error as VenueError).code;
  }
}

describe('PaperVenueAdapter', () => {
  it('connects, lists instruments and tells the time', async () => {
    const { alice } = setup();
    await alice.connect();
    expect(alice.venue).toBe('paper');
    expect(alice.instruments()).toEqual(['ETH/USDT']);
    await expect(alice.fetchServerTime()).resolves.toBeGreaterThan(1_000_000);
  });

  it('creates a resting limit order, finds it by either id, lists it, cancels it', async () => {
    const { alice } = setup();
    const order = await alice.createOrder(limit('buy', '100.5', '2', 'c-1'));
    expect(order).toMatchObject({
      clientOrderId: 'c-1',
      instrument: 'ETH/USDT',
      side: 'buy',
      kind: 'limit',
      timeInForce: 'GTC',
      price: '100.5',
      amount: '2',
      filled: '0',
      remaining: '2',
      averagePrice: null,
      status: 'open',
    });
    await expect(
      alice.fetchOrder({ instrument: 'ETH/USDT', venueOrderId: order.venueOrderId }),
    ).resolves.toEqual(order);
    await expect(alice.fetchOrder({ instrument: 'ETH/USDT', clientOrderId: 'c-1' })).resolves.toEqual(order);
    await expect(alice.fetchOpenOrders({})).resolves.toEqual([order]);
    await expect(alice.fetchOpenOrders({ instrument: 'ETH/USDT' })).resolves.toEqual([order]);
    const canceled = await alice.cancelOrder({ instrument: 'ETH/USDT', clientOrderId: 'c-1' });
    expect(canceled).toMatchObject({ venueOrderId: order.venueOrderId, status: 'canceled', remaining: '2' });
    await expect(alice.fetchOpenOrders({})).resolves.toEqual([]);
    await expect(
      alice.fetchOrder({ instrument: 'ETH/USDT', venueOrderId: order.venueOrderId }),
    ).resolves.toMatchObject({
      status: 'canceled',
    });
  });

  it('fills a market order against resting liquidity and reports the fills with fees', async () => {
    const { alice, bob } = setup();
    const ask = await bob.createOrder(limit('sell', '100', '1', 'ask-1'));
    const taker = await alice.createOrder({
      instrument: 'ETH/USDT',
      side: 'buy',
      kind: 'market',
      amount: '1',
      clientOrderId: 'mkt-1',
    });
    expect(taker).toMatchObject({
      kind: 'market',
      price: null,
      filled: '1',
      averagePrice: '100',
      status: 'closed',
    });
    expect(taker.timeInForce).toBe('IOC');
    const fills = await alice.fetchMyTrades({ instrument: 'ETH/USDT' });
    expect(fills).toEqual([
      {
        tradeId: expect.any(String),
        venueOrderId: taker.venueOrderId,
        clientOrderId: 'mkt-1',
        instrument: 'ETH/USDT',
        side: 'buy',
        price: '100',
        amount: '1',
        feeCost: '0.001',
        feeCurrency: 'ETH',
        liquidity: 'taker',
        tsEvent: expect.any(Number),
      },
    ]);
    const [makerFill] = await bob.fetchMyTrades({ instrument: 'ETH/USDT' });
    expect(makerFill).toMatchObject({
      tradeId: fills[0]?.tradeId,
      venueOrderId: ask.venueOrderId,
      liquidity: 'maker',
    });
    await expect(
      alice.fetchMyTrades({ instrument: 'ETH/USDT', since: (fills[0]?.tsEvent ?? 0) + 1 }),
    ).resolves.toEqual([]);
  });

  it('honours IOC, FOK and post-only', async () => {
    const { alice, bob } = setup();
    await bob.createOrder(limit('sell', '100', '1', 'ask-1'));
    const ioc = await alice.createOrder({ ...limit('buy', '100', '3', 'ioc'), timeInForce: 'IOC' });
    expect(ioc).toMatchObject({ timeInForce: 'IOC', filled: '1', remaining: '2', status: 'expired' });
    await bob.createOrder(limit('sell', '100', '1', 'ask-2'));
    const fok = await alice.createOrder({ ...limit('buy', '100', '3', 'fok'), timeInForce: 'FOK' });
    expect(fok).toMatchObject({ timeInForce: 'FOK', filled: '0', status: 'expired' });
    expect(await codeOf(alice.createOrder({ ...limit('buy', '100', '1', 'po-x'), timeInForce: 'PO' }))).toBe(
      'POST_ONLY_WOULD_CROSS',
    );
    const po = await alice.createOrder({ ...limit('buy', '99', '1', 'po'), timeInForce: 'PO' });
    expect(po).toMatchObject({ timeInForce: 'PO', status: 'open' });
  });

  it('maps every refusal to a venue error code', async () => {
    const { alice } = setup();
    expect(await codeOf(alice.createOrder(limit('buy', '100', '1000', 'big')))).toBe('INSUFFICIENT_FUNDS');
    const bad = alice.createOrder(limit('buy', '100.05', '1', 'tick'));
    await expect(bad).rejects.toMatchObject({ code: 'INVALID_ORDER', field: 'price' });
    expect(await codeOf(alice.createOrder({ ...limit('buy', '1', '1', 'x'), instrument: 'NOPE/USDT' }))).toBe(
      'INVALID_ORDER',
    );
    expect(await codeOf(alice.createOrder({ ...limit('buy', '100', '1', 'x'), price: undefined }))).toBe(
      'INVALID_ORDER',
    );
    await alice.createOrder(limit('buy', '100', '1', 'dup'));
    expect(await codeOf(alice.createOrder(limit('buy', '100', '1', 'dup')))).toBe('INVALID_ORDER');
    expect(await codeOf(alice.fetchOrder({ instrument: 'ETH/USDT', venueOrderId: '999' }))).toBe('NOT_FOUND');
    expect(await codeOf(alice.fetchOrder({ instrument: 'ETH/USDT', venueOrderId: 'abc' }))).toBe('NOT_FOUND');
    expect(await codeOf(alice.fetchOrder({ instrument: 'ETH/USDT', clientOrderId: 'never' }))).toBe(
      'NOT_FOUND',
    );
    expect(await codeOf(alice.cancelOrder({ instrument: 'ETH/USDT', venueOrderId: '999' }))).toBe(
      'NOT_FOUND',
    );
    expect(await codeOf(alice.cancelOrder({ instrument: 'ETH/USDT' }))).toBe('INVALID_ORDER');
    expect(
      await codeOf(alice.transfer({ currency: 'ETH', amount: '11', fromAccount: 'alice', toAccount: 'sub' })),
    ).toBe('INSUFFICIENT_FUNDS');
  });

  it('edits an order by cancel-replace: the old one is canceled, the new one carries the new client id', async () => {
    const { alice } = setup();
    const old = await alice.createOrder({ ...limit('sell', '120', '1', 'e-1'), timeInForce: 'PO' });
    const edited = await alice.editOrder({
      instrument: 'ETH/USDT',
      venueOrderId: old.venueOrderId,
      clientOrderId: 'e-2',
      amount: '2',
      price: '121',
    });
    expect(edited).toMatchObject({
      clientOrderId: 'e-2',
      side: 'sell',
      price: '121',
      amount: '2',
      timeInForce: 'PO',
    });
    expect(edited.venueOrderId).not.toBe(old.venueOrderId);
    await expect(
      alice.fetchOrder({ instrument: 'ETH/USDT', venueOrderId: old.venueOrderId }),
    ).resolves.toMatchObject({
      status: 'canceled',
    });
    const failed = alice.editOrder({
      instrument: 'ETH/USDT',
      venueOrderId: old.venueOrderId,
      clientOrderId: 'e-3',
      amount: '1',
      price: '121',
    });
    expect(await codeOf(failed)).toBe('NOT_FOUND');
  });

  it('reports balances with locked funds as used, and no positions', async () => {
    const { alice } = setup();
    await alice.createOrder(limit('buy', '100', '2', 'b-1'));
    const snapshot = await alice.fetchBalance();
    expect(snapshot.balances).toEqual([
      { currency: 'ETH', free: '10', used: '0', total: '10' },
      { currency: 'USDT', free: '9800', used: '200', total: '10000' },
    ]);
    expect(snapshot).toMatchObject({ freeMargin: null, leverage: null });
    await expect(alice.fetchPositions({})).resolves.toEqual([]);
  });

  it('transfers to a sub-account and reports deposit addresses and deposits', async () => {
    const { alice, exchange } = setup();
    const result = await alice.transfer({
      currency: 'USDT',
      amount: '25.5',
      fromAccount: 'alice',
      toAccount: 'alice-sub',
    });
    expect(result).toMatchObject({ currency: 'USDT', amount: '25.5', from: 'alice', to: 'alice-sub' });
    expect(result.transferId).not.toBe('');
    const sub = new PaperVenueAdapter({ exchange, account: 'alice-sub' });
    await expect(sub.fetchBalance()).resolves.toMatchObject({
      balances: [{ currency: 'USDT', free: '25.5', used: '0', total: '25.5' }],
    });
    const address = await alice.fetchDepositAddress({ currency: 'ETH' });
    expect(address.currency).toBe('ETH');
    expect(address.address).not.toBe('');
    await expect(alice.fetchDepositAddress({ currency: 'ETH' })).resolves.toEqual(address);
    const deposits = await alice.fetchDeposits({});
    expect(deposits.map((d) => [d.currency, d.amount, d.status])).toEqual([
      ['USDT', '10000', 'ok'],
      ['ETH', '10', 'ok'],
    ]);
    await expect(alice.fetchDeposits({ currency: 'ETH' })).resolves.toHaveLength(1);
    await expect(alice.fetchDeposits({ since: Number.MAX_SAFE_INTEGER })).resolves.toEqual([]);
  });
});

describe('PaperVenueAdapter instruments and simulated deposits', () => {
  it('lists the exchange’s instruments with tick, lot, minimums, all active', async () => {
    const exchange = new PaperExchange({
      instruments: [SPEC, { ...SPEC, symbol: 'BTC/USDT', base: 'BTC', tickSize: '0.010', minNotional: '0' }],
    });
    const adapter = new PaperVenueAdapter({ exchange, account: 'alice' });
    await expect(adapter.fetchInstruments()).resolves.toEqual([
      {
        symbol: 'ETH/USDT',
        base: 'ETH',
        quote: 'USDT',
        tickSize: '0.1',
        lotSize: '0.01',
        minAmount: '0.01',
        minNotional: '1',
        active: true,
      },
      {
        symbol: 'BTC/USDT',
        base: 'BTC',
        quote: 'USDT',
        tickSize: '0.01',
        lotSize: '0.01',
        minAmount: '0.01',
        minNotional: null,
        active: true,
      },
    ]);
  });

  it('a simulated deposit is pending until the confirmation delay passed, then credited once', async () => {
    let now = 5_000_000;
    const exchange = new PaperExchange({
      instruments: [SPEC],
      clock: () => now,
      depositConfirmationMs: 2_000,
    });
    const alice = new PaperVenueAdapter({ exchange, account: 'alice', clock: () => now });
    const address = await alice.fetchDepositAddress({ currency: 'USDT', network: 'TRX' });
    const usdt = async () =>
      (await alice.fetchBalance()).balances.find((b) => b.currency === 'USDT')?.total ?? '0';

    const deposit = await alice.simulateDeposit({
      currency: 'USDT',
      amount: '250.75',
      address: address.address,
      network: 'TRX',
    });
    expect(deposit).toMatchObject({
      currency: 'USDT',
      amount: '250.75',
      address: address.address,
      status: 'pending',
      tsEvent: 5_000_000,
    });
    expect(deposit.txId).toMatch(/^0x[0-9a-f]{64}$/);
    await expect(alice.fetchDeposits({ currency: 'USDT' })).resolves.toEqual([deposit]);
    expect(await usdt()).toBe('0');

    now += 1_999_999;
    expect((await alice.fetchDeposits({}))[0]?.status).toBe('pending');
    expect(await usdt()).toBe('0');

    now += 1;
    await expect(alice.fetchDeposits({})).resolves.toEqual([{ ...deposit, status: 'ok' }]);
    expect(await usdt()).toBe('250.75');
    now += 60_000_000;
    expect(await usdt()).toBe('250.75');
  });

  it('refuses a deposit to an address that is not the account’s, and a non-positive amount', async () => {
    const { alice, bob } = setup();
    const bobs = await bob.fetchDepositAddress({ currency: 'USDT' });
    const wrong = alice.simulateDeposit({ currency: 'USDT', amount: '1', address: bobs.address });
    await expect(wrong).rejects.toMatchObject({ code: 'INVALID_ORDER', field: 'address' });
    expect(await codeOf(alice.simulateDeposit({ currency: 'USDT', amount: '0' }))).toBe('INVALID_ORDER');
    await expect(alice.fetchDeposits({})).resolves.toHaveLength(2);
  });
});

describe('PaperVenueAdapter feeds', () => {
  it('streams a snapshot, then deltas with consecutive sequences that rebuild the book, trades and ticks', async () => {
    const { alice, bob, exchange } = setup();
    await bob.createOrder(limit('sell', '101', '1', 'a1'));
    await bob.createOrder(limit('buy', '99', '1', 'b1'));
    await bob.createOrder({
      instrument: 'ETH/USDT',
      side: 'buy',
      kind: 'market',
      amount: '0.5',
      clientOrderId: 'm0',
    });
    const books: BookDelta[] = [];
    const trades: MarketTrade[] = [];
    const ticks: MarketTick[] = [];
    const feed = alice.watchMarketData({
      book: (b) => books.push(b),
      trade: (t) => trades.push(t),
      tick: (t) => ticks.push(t),
    });
    await feed.subscribe('ETH/USDT');
    expect(trades.map((t) => [t.price, t.amount, t.takerSide])).toEqual([[101, 0.5, 'buy']]);
    expect(books).toHaveLength(1);
    expect(books[0]).toMatchObject({ snapshot: true, bids: [[99, 1]], asks: [[101, 0.5]] });
    expect(ticks.at(-1)).toMatchObject({ bid: 99, bidSize: 1, ask: 101, askSize: 0.5 });

    await bob.createOrder(limit('buy', '100', '2', 'b2'));
    await alice.createOrder({
      instrument: 'ETH/USDT',
      side: 'sell',
      kind: 'market',
      amount: '2.5',
      clientOrderId: 'm1',
    });
    await bob.cancelOrder({ instrument: 'ETH/USDT', clientOrderId: 'a1' });

    for (let i = 1; i < books.length; i++) {
      expect(books[i]?.snapshot).toBe(false);
      expect(books[i]?.sequence).toBeGreaterThan(books[i - 1]?.sequence ?? Infinity);
    }
    const rebuilt = { bids: new Map<number, number>(), asks: new Map<number, number>() };
    for (const book of books)
      for (const [side, levels] of [
        [rebuilt.bids, book.bids],
        [rebuilt.asks, book.asks],
      ] as const)
        for (const [price, amount] of levels) {
          if (amount === 0) side.delete(price);
          else side.set(price, amount);
        }
    const depth = exchange.depth('ETH/USDT', 100);
    expect([...rebuilt.bids].sort((a, b) => b[0] - a[0])).toEqual(
      depth.bids.map((l) => [Number(l.price), Number(l.amount)]),
    );
    expect([...rebuilt.asks].sort((a, b) => a[0] - b[0])).toEqual(
      depth.asks.map((l) => [Number(l.price), Number(l.amount)]),
    );
    expect(books.at(-1)?.sequence).toBe(depth.updateId);
    expect(trades.slice(1).map((t) => [t.price, t.amount, t.takerSide])).toEqual([
      [100, 2, 'sell'],
      [99, 0.5, 'sell'],
    ]);
    expect(ticks.at(-1)).toMatchObject({ bid: 99, bidSize: 0.5, ask: expect.any(Number) });
    expect(ticks.every((t) => t.tsInit > 0 && t.tsEvent > 0)).toBe(true);

    // A consumer that lost the book gets the whole of it again, at the current update id.
    expect(feed.resnapshot('ETH/USDT')).toBe(true);
    expect(books.at(-1)).toMatchObject({
      snapshot: true,
      sequence: depth.updateId,
      bids: depth.bids.map((l) => [Number(l.price), Number(l.amount)]),
      asks: depth.asks.map((l) => [Number(l.price), Number(l.amount)]),
    });
    expect(feed.resnapshot('BTC/USDT')).toBe(false);

    await feed.unsubscribe('ETH/USDT');
    expect(feed.resnapshot('ETH/USDT')).toBe(false);
    const seen = books.length;
    await bob.createOrder(limit('buy', '98', '1', 'b3'));
    expect(books).toHaveLength(seen);
    await feed.close();
    await expect(feed.ended).resolves.toEqual({ reason: 'closed' });
    await expect(feed.subscribe('ETH/USDT')).rejects.toMatchObject({ code: 'VENUE_UNAVAILABLE' });
  });

  it('refuses to subscribe an unknown instrument', async () => {
    const { alice } = setup();
    const feed = alice.watchMarketData({
      book: () => undefined,
      trade: () => undefined,
      tick: () => undefined,
    });
    await expect(feed.subscribe('NOPE/USDT')).rejects.toMatchObject({ code: 'INVALID_ORDER' });
    await feed.close();
  });

  it('streams its own account order updates and fills, nobody else’s', async () => {
    const { alice, bob } = setup();
    const orders: VenueOrder[] = [];
    const fills: VenueFill[] = [];
    const feed = alice.watchOwnOrders({ order: (o) => orders.push(o), fill: (f) => fills.push(f) });
    await bob.createOrder(limit('sell', '100', '1', 'bob-ask'));
    expect(orders).toEqual([]);
    await alice.createOrder(limit('buy', '100', '1.5', 'al-1'));
    expect(orders.map((o) => [o.clientOrderId, o.status, o.filled])).toEqual([
      ['al-1', 'open', '0'],
      ['al-1', 'open', '1'],
    ]);
    expect(fills).toMatchObject([{ clientOrderId: 'al-1', price: '100', amount: '1', liquidity: 'taker' }]);
    await alice.cancelOrder({ instrument: 'ETH/USDT', clientOrderId: 'al-1' });
    expect(orders.at(-1)).toMatchObject({ status: 'canceled', filled: '1', remaining: '0.5' });
    await feed.close();
    await expect(feed.ended).resolves.toEqual({ reason: 'closed' });
    await alice.createOrder(limit('buy', '90', '1', 'al-2'));
    expect(orders.at(-1)?.clientOrderId).toBe('al-1');
  });
});
