// Every adapter operation through CcxtVenueAdapter (real ccxt.pro binance) against the Binance
// simulator on 127.0.0.1.
import { BinanceSimulator } from '@tm/exchange-simulator';
import { SPOT_INSTRUMENTS, type InstrumentSpec } from '@tm/matching';
import { expectEventually } from '@tm/testing';
import {
  CcxtVenueAdapter,
  VenueError,
  type BookDelta,
  type FeedEnd,
  type MarketTick,
  type MarketTrade,
  type VenueFill,
  type VenueOrder,
} from '../src/index.js';
import type { VenueErrorCode } from '@tm/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const INSTRUMENTS: InstrumentSpec[] = [SPOT_INSTRUMENTS['BTC/USDT'], SPOT_INSTRUMENTS['ETH/USDT']];
const TRADER = { apiKey: 'trader-key', secret: 'trader-secret', account: 'trader' };
const MAKER = { apiKey: 'maker-key', secret: 'maker-secret', account: 'maker' };
const SUB = 'sub1@sim.local';

function adapterFor(simulator: BinanceSimulator, who: typeof TRADER, extra: { timeoutMs?: number } = {}) {
  return new CcxtVenueAdapter({
    exchangeId: 'binance',
    apiUrl: simulator.httpUrl,
    credentials: { apiKey: who.apiKey, secret: who.secret },
    accountId: who.account,
    ...extra,
  });
}

async function codeOf(promise: Promise<unknown>): Promise<VenueErrorCode | 'resolved'> {
  try {
    await promise;
    return 'resolved';
  } catch (error) {
    expect(error).toBeInstanceOf(VenueError);
    return (error as VenueError).code;
  }
}

let sequence = 0;
const cid = (tag: string) => `it-${tag}-${++sequence}`;

function applyBook(book: { bids: Map<number, number>; asks: Map<number, number> }, delta: BookDelta): void {
  if (delta.snapshot) {
    book.bids.clear();
    book.asks.clear();
  }
  for (const [side, levels] of [
    [book.bids, delta.bids],
    [book.asks, delta.asks],
  ] as const)
    for (const [price, amount] of levels) {
      if (amount === 0) side.delete(price);
      else side.set(price, amount);
    }
}

describe('CcxtVenueAdapter against the Binance simulator', () => {
  let simulator: BinanceSimulator;
  let trader: CcxtVenueAdapter;
  let maker: CcxtVenueAdapter;

  beforeAll(async () => {
    simulator = await BinanceSimulator.start({
      instruments: INSTRUMENTS,
      accounts: [
        { ...TRADER, balances: { USDT: '100000', BTC: '2' }, subAccounts: [SUB] },
        { ...MAKER, balances: { USDT: '1000000', BTC: '100', ETH: '1000' } },
      ],
      limits: false,
      tickerIntervalMs: 100,
    });
    trader = adapterFor(simulator, TRADER);
    maker = adapterFor(simulator, MAKER);
    await Promise.all([trader.connect(), maker.connect()]);
    await maker.createOrder({
      instrument: 'BTC/USDT',
      side: 'sell',
      kind: 'limit',
      amount: '1',
      price: '60100',
      clientOrderId: cid('ask'),
    });
    await maker.createOrder({
      instrument: 'BTC/USDT',
      side: 'buy',
      kind: 'limit',
      amount: '1',
      price: '59900',
      clientOrderId: cid('bid'),
    });
  });

  afterAll(async () => {
    await Promise.all([trader?.close(), maker?.close()]);
    await simulator?.close();
  });

  it('connects with one exchangeInfo, lists instruments and reads the server clock', async () => {
    expect(trader.instruments()).toEqual(expect.arrayContaining(['BTC/USDT', 'ETH/USDT']));
    const time = await trader.fetchServerTime();
    expect(Math.abs(time - Date.now() * 1000)).toBeLessThan(60_000_000);
    expect(simulator.stats().byPath['GET /api/v3/exchangeInfo']).toBe(2);
  });

  it('creates a limit order, finds it by either id, lists it and cancels it by client id', async () => {
    const clientOrderId = cid('gtc');
    const order = await trader.createOrder({
      instrument: 'BTC/USDT',
      side: 'buy',
      kind: 'limit',
      amount: '0.01234',
      price: '50000.5',
      clientOrderId,
    });
    expect(order).toMatchObject({
      clientOrderId,
      instrument: 'BTC/USDT',
      side: 'buy',
      kind: 'limit',
      timeInForce: 'GTC',
      price: '50000.5',
      amount: '0.01234',
      filled: '0',
      remaining: '0.01234',
      status: 'open',
    });
    const byId = await trader.fetchOrder({ instrument: 'BTC/USDT', venueOrderId: order.venueOrderId });
    expect(byId).toMatchObject({ venueOrderId: order.venueOrderId, clientOrderId, status: 'open' });
    const byClient = await trader.fetchOrder({ instrument: 'BTC/USDT', clientOrderId });
    expect(byClient.venueOrderId).toBe(order.venueOrderId);
    expect((await trader.fetchOpenOrders({ instrument: 'BTC/USDT' })).map((o) => o.venueOrderId)).toContain(
      order.venueOrderId,
    );
    expect((await trader.fetchOpenOrders({})).map((o) => o.venueOrderId)).toContain(order.venueOrderId);
    const canceled = await trader.cancelOrder({ instrument: 'BTC/USDT', clientOrderId });
    expect(canceled).toMatchObject({ venueOrderId: order.venueOrderId, status: 'canceled' });
    await expect(
      trader.fetchOrder({ instrument: 'BTC/USDT', venueOrderId: order.venueOrderId }),
    ).resolves.toMatchObject({ status: 'canceled' });
  });

  it('fills a market order and reports the fill with decimal strings', async () => {
    const clientOrderId = cid('mkt');
    const order = await trader.createOrder({
      instrument: 'BTC/USDT',
      side: 'buy',
      kind: 'market',
      amount: '0.001',
      clientOrderId,
    });
    expect(order).toMatchObject({
      kind: 'market',
      price: null,
      filled: '0.001',
      status: 'closed',
      averagePrice: '60100',
    });
    const fills = await trader.fetchMyTrades({ instrument: 'BTC/USDT' });
    expect(fills.at(-1)).toMatchObject({
      venueOrderId: order.venueOrderId,
      instrument: 'BTC/USDT',
      side: 'buy',
      price: '60100',
      amount: '0.001',
      liquidity: 'taker',
    });
    const since = (fills.at(-1)?.tsEvent ?? 0) + 1000;
    await expect(trader.fetchMyTrades({ instrument: 'BTC/USDT', since })).resolves.toEqual([]);
  });

  it('honours IOC, FOK and post-only', async () => {
    const ioc = await trader.createOrder({
      instrument: 'BTC/USDT',
      side: 'sell',
      kind: 'limit',
      amount: '0.002',
      price: '59000',
      timeInForce: 'IOC',
      clientOrderId: cid('ioc'),
    });
    expect(ioc).toMatchObject({ timeInForce: 'IOC', filled: '0.002', status: 'closed' });
    const fok = await trader.createOrder({
      instrument: 'BTC/USDT',
      side: 'sell',
      kind: 'limit',
      amount: '1.5',
      price: '59900',
      timeInForce: 'FOK',
      clientOrderId: cid('fok'),
    });
    expect(fok).toMatchObject({ timeInForce: 'FOK', filled: '0', status: 'expired' });
    const crossing = trader.createOrder({
      instrument: 'BTC/USDT',
      side: 'buy',
      kind: 'limit',
      amount: '0.001',
      price: '60100',
      timeInForce: 'PO',
      clientOrderId: cid('po-x'),
    });
    expect(await codeOf(crossing)).toBe('POST_ONLY_WOULD_CROSS');
    const po = await trader.createOrder({
      instrument: 'BTC/USDT',
      side: 'buy',
      kind: 'limit',
      amount: '0.001',
      price: '55000',
      timeInForce: 'PO',
      clientOrderId: cid('po'),
    });
    expect(po).toMatchObject({ timeInForce: 'PO', status: 'open' });
    await trader.cancelOrder({ instrument: 'BTC/USDT', venueOrderId: po.venueOrderId });
  });

  it('maps the venue refusals to error codes', async () => {
    const order = (over: object) =>
      trader.createOrder({
        instrument: 'BTC/USDT',
        side: 'buy',
        kind: 'limit',
        amount: '0.001',
        price: '50000',
        clientOrderId: cid('e'),
        ...over,
      });
    expect(await codeOf(order({ amount: '100' }))).toBe('INSUFFICIENT_FUNDS');
    // Off the tick or lot: refused before ccxt would round it to something the caller did not ask for.
    await expect(order({ price: '50000.001' })).rejects.toMatchObject({
      code: 'INVALID_ORDER',
      field: 'price',
    });
    await expect(order({ amount: '0.000011' })).rejects.toMatchObject({
      code: 'INVALID_ORDER',
      field: 'amount',
    });
    expect(await codeOf(order({ amount: '0.00001' }))).toBe('INVALID_ORDER'); // NOTIONAL, from the venue
    expect(await codeOf(order({ instrument: 'NOPE/USDT' }))).toBe('INVALID_ORDER');
    expect(await codeOf(trader.fetchOrder({ instrument: 'BTC/USDT', venueOrderId: '987654321' }))).toBe(
      'NOT_FOUND',
    );
    expect(await codeOf(trader.fetchOrder({ instrument: 'BTC/USDT', clientOrderId: 'never-sent' }))).toBe(
      'NOT_FOUND',
    );
    expect(await codeOf(trader.cancelOrder({ instrument: 'BTC/USDT', venueOrderId: '987654321' }))).toBe(
      'NOT_FOUND',
    );
  });

  it('edits an order by cancel-replace', async () => {
    const old = await trader.createOrder({
      instrument: 'BTC/USDT',
      side: 'buy',
      kind: 'limit',
      amount: '0.001',
      price: '50000',
      clientOrderId: cid('edit'),
    });
    const clientOrderId = cid('edited');
    const edited = await trader.editOrder({
      instrument: 'BTC/USDT',
      venueOrderId: old.venueOrderId,
      clientOrderId,
      amount: '0.002',
      price: '50001',
    });
    expect(edited).toMatchObject({
      clientOrderId,
      side: 'buy',
      price: '50001',
      amount: '0.002',
      status: 'open',
    });
    expect(edited.venueOrderId).not.toBe(old.venueOrderId);
    await expect(
      trader.fetchOrder({ instrument: 'BTC/USDT', venueOrderId: old.venueOrderId }),
    ).resolves.toMatchObject({ status: 'canceled' });
    await trader.cancelOrder({ instrument: 'BTC/USDT', venueOrderId: edited.venueOrderId });
  });

  it('reads balances as decimal strings and no positions on spot', async () => {
    const snapshot = await trader.fetchBalance();
    const usdt = snapshot.balances.find((b) => b.currency === 'USDT');
    const engine = simulator.exchange.balances('trader').find((b) => b.currency === 'USDT');
    expect(usdt).toEqual({
      currency: 'USDT',
      free: engine?.free,
      used: engine?.locked,
      total: expect.any(String),
    });
    expect(snapshot.balances.every((b) => /^\d+(\.\d+)?$/.test(b.total))).toBe(true);
    await expect(trader.fetchPositions({})).resolves.toEqual([]);
  });

  it('moves funds to a sub-account through the raw universal-transfer endpoint', async () => {
    const result = await trader.transfer({
      currency: 'USDT',
      amount: '12.5',
      fromAccount: 'trader',
      toAccount: SUB,
    });
    expect(result).toMatchObject({ currency: 'USDT', amount: '12.5', from: 'trader', to: SUB });
    expect(result.transferId).not.toBe('');
    expect(simulator.exchange.balances(SUB).find((b) => b.currency === 'USDT')?.free).toBe('12.5');
    const back = await trader.transfer({
      currency: 'USDT',
      amount: '2.5',
      fromAccount: SUB,
      toAccount: 'trader',
    });
    expect(back.from).toBe(SUB);
    expect(simulator.exchange.balances(SUB).find((b) => b.currency === 'USDT')?.free).toBe('10');
    expect(
      await codeOf(
        trader.transfer({ currency: 'USDT', amount: '1000', fromAccount: SUB, toAccount: 'trader' }),
      ),
    ).toBe('INSUFFICIENT_FUNDS');
  });

  it('reads a deposit address and the deposit history', async () => {
    const address = await trader.fetchDepositAddress({ currency: 'BTC' });
    expect(address.currency).toBe('BTC');
    expect(address.address).not.toBe('');
    await expect(trader.fetchDepositAddress({ currency: 'BTC' })).resolves.toEqual(address);
    const deposits = await trader.fetchDeposits({ currency: 'USDT' });
    expect(deposits).toContainEqual(
      expect.objectContaining({ currency: 'USDT', amount: '100000', status: 'ok' }),
    );
  });

  it('makes an order whose answer was lost AMBIGUOUS, and fetchOrder finds it', async () => {
    simulator.faults.errorAfterAcceptNext(1, 503);
    const clientOrderId = cid('amb');
    const lost = trader.createOrder({
      instrument: 'BTC/USDT',
      side: 'buy',
      kind: 'limit',
      amount: '0.001',
      price: '50000',
      clientOrderId,
    });
    expect(await codeOf(lost)).toBe('AMBIGUOUS');
    await expect(trader.fetchOrder({ instrument: 'BTC/USDT', clientOrderId })).resolves.toMatchObject({
      status: 'open',
    });
    await trader.cancelOrder({ instrument: 'BTC/USDT', clientOrderId });

    const quick = adapterFor(simulator, TRADER, { timeoutMs: 300 });
    await quick.connect();
    simulator.faults.timeoutAfterAcceptNext(1, 5_000);
    const timedOut = cid('timeout');
    expect(
      await codeOf(
        quick.createOrder({
          instrument: 'BTC/USDT',
          side: 'buy',
          kind: 'limit',
          amount: '0.001',
          price: '50000',
          clientOrderId: timedOut,
        }),
      ),
    ).toBe('AMBIGUOUS');
    await expect(
      trader.fetchOrder({ instrument: 'BTC/USDT', clientOrderId: timedOut }),
    ).resolves.toMatchObject({ status: 'open' });
    await trader.cancelOrder({ instrument: 'BTC/USDT', clientOrderId: timedOut });
    simulator.faults.failNext(1, { status: 503 });
    expect(await codeOf(quick.fetchBalance())).toBe('VENUE_UNAVAILABLE');
    await quick.close();
  });

  it('streams a book that rebuilds the venue book, trades and ticks; a dropped socket ends the feed', async () => {
    const books: BookDelta[] = [];
    const trades: MarketTrade[] = [];
    const ticks: MarketTick[] = [];
    const feed = trader.watchMarketData({
      book: (b) => books.push(b),
      trade: (t) => trades.push(t),
      tick: (t) => ticks.push(t),
    });
    await expect(feed.subscribe('NOPE/USDT')).rejects.toMatchObject({ code: 'INVALID_ORDER' });
    await feed.subscribe('BTC/USDT');
    expect(books[0]).toMatchObject({ instrument: 'BTC/USDT', snapshot: true });
    expect(books[0]?.sequence).toEqual(expect.any(Number));
    expect(trades.length).toBeGreaterThan(0);
    await expectEventually(() => expect(simulator.streamSubscribers('btcusdt@trade')).toBe(1), 5_000);
    await expectEventually(() => expect(simulator.streamSubscribers('btcusdt@depth@100ms')).toBe(1), 5_000);

    await maker.createOrder({
      instrument: 'BTC/USDT',
      side: 'sell',
      kind: 'limit',
      amount: '0.5',
      price: '60200',
      clientOrderId: cid('md'),
    });
    const taker = await trader.createOrder({
      instrument: 'BTC/USDT',
      side: 'buy',
      kind: 'market',
      amount: '0.003',
      clientOrderId: cid('md-t'),
    });
    const [fill] = (await trader.fetchMyTrades({ instrument: 'BTC/USDT' })).filter(
      (f) => f.venueOrderId === taker.venueOrderId,
    );
    await expectEventually(() => expect(trades.map((t) => t.tradeId)).toContain(fill?.tradeId), 5_000);
    expect(new Set(trades.map((t) => t.tradeId)).size).toBe(trades.length);
    await expectEventually(async () => {
      const rebuilt = { bids: new Map<number, number>(), asks: new Map<number, number>() };
      for (const delta of books) applyBook(rebuilt, delta);
      const rest = await maker.exchanges.data.fetchOrderBook('BTC/USDT', 1000);
      expect([...rebuilt.asks].sort((a, b) => a[0] - b[0])).toEqual(rest.asks.map(([p, a]) => [p, a]));
      expect([...rebuilt.bids].sort((a, b) => b[0] - a[0])).toEqual(rest.bids.map(([p, a]) => [p, a]));
    }, 5_000);
    await expectEventually(
      () => expect(ticks.at(-1)).toMatchObject({ instrument: 'BTC/USDT', bid: 59900, ask: 60100 }),
      5_000,
    );

    simulator.faults.dropWebsockets();
    const end = await feed.ended;
    expect(end.reason).toBe('disconnected');
    await feed.close();
  });

  it('ends the market data feed on a depth sequence gap', async () => {
    const feed = trader.watchMarketData({
      book: () => undefined,
      trade: () => undefined,
      tick: () => undefined,
    });
    await feed.subscribe('ETH/USDT');
    let end: FeedEnd | undefined;
    void feed.ended.then((e) => (end = e));
    // A gap that lands before ccxt's own REST snapshot is legitimately absorbed by it: inject until one lands after.
    let price = 3100;
    await expectEventually(async () => {
      if (end === undefined) {
        simulator.faults.depthGapNext('ETH/USDT');
        await maker.createOrder({
          instrument: 'ETH/USDT',
          side: 'sell',
          kind: 'limit',
          amount: '0.01',
          price: String((price += 1)),
          clientOrderId: cid('gap'),
        });
      }
      expect(end?.reason).toBe('sequence gap');
    }, 10_000);
  });

  it('streams its own order updates and fills; a dropped socket ends the feed', async () => {
    const orders: VenueOrder[] = [];
    const fills: VenueFill[] = [];
    const feed = trader.watchOwnOrders({ order: (o) => orders.push(o), fill: (f) => fills.push(f) });
    await feed.ready;
    await expectEventually(() => expect(simulator.userStreamSubscribers('trader')).toBeGreaterThan(0), 5_000);
    const clientOrderId = cid('own');
    const order = await trader.createOrder({
      instrument: 'BTC/USDT',
      side: 'buy',
      kind: 'limit',
      amount: '0.004',
      price: '60100',
      clientOrderId,
    });
    await expectEventually(() => {
      expect(orders.filter((o) => o.clientOrderId === clientOrderId).at(-1)).toMatchObject({
        status: 'closed',
        filled: '0.004',
      });
      expect(fills.filter((f) => f.venueOrderId === order.venueOrderId)).toEqual([
        expect.objectContaining({
          clientOrderId,
          price: '60100',
          amount: '0.004',
          side: 'buy',
          liquidity: 'taker',
        }),
      ]);
    }, 5_000);
    simulator.faults.dropWebsockets();
    await expect(feed.ended).resolves.toMatchObject({ reason: 'disconnected' });
  });
});

describe('CcxtVenueAdapter polling where the venue has no websocket', () => {
  it('polls ticks, trades, the book and its own orders over REST', async () => {
    const simulator = await BinanceSimulator.start({
      instruments: INSTRUMENTS,
      accounts: [
        { ...TRADER, balances: { USDT: '100000' } },
        { ...MAKER, balances: { USDT: '1000000', BTC: '100' } },
      ],
      limits: false,
    });
    const polling = new CcxtVenueAdapter({
      exchangeId: 'binance',
      apiUrl: simulator.httpUrl,
      credentials: { apiKey: TRADER.apiKey, secret: TRADER.secret },
      pollIntervalMs: 20,
    });
    const maker = adapterFor(simulator, MAKER);
    const { data, execution } = polling.exchanges;
    for (const capability of ['watchBidsAsks', 'watchTicker', 'watchTrades', 'watchOrderBook'])
      (data.has as Record<string, unknown>)[capability] = false;
    for (const capability of ['watchOrders', 'watchMyTrades'])
      (execution.has as Record<string, unknown>)[capability] = false;
    try {
      await Promise.all([polling.connect(), maker.connect()]);
      await maker.createOrder({
        instrument: 'BTC/USDT',
        side: 'sell',
        kind: 'limit',
        amount: '1',
        price: '60100',
        clientOrderId: cid('p-ask'),
      });
      await maker.createOrder({
        instrument: 'BTC/USDT',
        side: 'buy',
        kind: 'limit',
        amount: '1',
        price: '59900',
        clientOrderId: cid('p-bid'),
      });
      const books: BookDelta[] = [];
      const trades: MarketTrade[] = [];
      const ticks: MarketTick[] = [];
      const orders: VenueOrder[] = [];
      const fills: VenueFill[] = [];
      const feed = polling.watchMarketData({
        book: (b) => books.push(b),
        trade: (t) => trades.push(t),
        tick: (t) => ticks.push(t),
      });
      const own = polling.watchOwnOrders({ order: (o) => orders.push(o), fill: (f) => fills.push(f) });
      await feed.subscribe('BTC/USDT');
      const resting = await polling.createOrder({
        instrument: 'BTC/USDT',
        side: 'buy',
        kind: 'limit',
        amount: '0.01',
        price: '59950',
        clientOrderId: cid('p-rest'),
      });
      await expectEventually(
        () => expect(orders.map((o) => o.venueOrderId)).toContain(resting.venueOrderId),
        5_000,
      );
      await maker.createOrder({
        instrument: 'BTC/USDT',
        side: 'sell',
        kind: 'limit',
        amount: '0.5',
        price: '60050',
        clientOrderId: cid('p-ask2'),
      });
      await maker.createOrder({
        instrument: 'BTC/USDT',
        side: 'sell',
        kind: 'market',
        amount: '0.02',
        clientOrderId: cid('p-hit'),
      });
      await expectEventually(() => {
        expect(trades.length).toBeGreaterThan(0);
        expect(ticks.at(-1)).toMatchObject({ bid: 59900, ask: 60050 });
        const rebuilt = { bids: new Map<number, number>(), asks: new Map<number, number>() };
        for (const delta of books) applyBook(rebuilt, delta);
        expect(rebuilt.asks.get(60050)).toBe(0.5);
        expect(orders.filter((o) => o.venueOrderId === resting.venueOrderId).at(-1)).toMatchObject({
          status: 'closed',
          filled: '0.01',
        });
        expect(fills).toEqual([
          expect.objectContaining({ venueOrderId: resting.venueOrderId, price: '59950', amount: '0.01' }),
        ]);
      }, 5_000);
      await Promise.all([feed.close(), own.close()]);
      await expect(feed.ended).resolves.toEqual({ reason: 'closed' });
      await expect(own.ended).resolves.toEqual({ reason: 'closed' });
    } finally {
      await Promise.all([polling.close(), maker.close()]);
      await simulator.close();
    }
  });
});

describe('CcxtVenueAdapter under the simulator rate limits', () => {
  it('reports RATE_LIMITED with the venue Retry-After', async () => {
    const simulator = await BinanceSimulator.start({
      instruments: INSTRUMENTS,
      accounts: [{ ...TRADER, balances: { USDT: '1000' } }],
      limits: { requestWeightPerMinute: 30, banAfter429s: 100 },
    });
    const adapter = adapterFor(simulator, TRADER);
    try {
      await adapter.connect();
      let error: unknown;
      for (let i = 0; i < 20 && error === undefined; i++)
        await adapter.fetchBalance().catch((e: unknown) => (error = e));
      expect(error).toBeInstanceOf(VenueError);
      expect(error).toMatchObject({ code: 'RATE_LIMITED', retryAfterMs: expect.any(Number) });
    } finally {
      await adapter.close();
      await simulator.close();
    }
  });
});
