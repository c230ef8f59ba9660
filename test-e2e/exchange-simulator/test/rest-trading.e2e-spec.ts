import ccxt from 'ccxt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { BinanceSimulator } from '../src/index.js';
import {
  binanceClient,
  type BinanceClient,
  idOf,
  MAKER,
  startSimulator,
  TRADER,
} from './simulator-fixture.js';

describe('exchange simulator: REST trading through ccxt binance', () => {
  let simulator: BinanceSimulator;
  let trader: BinanceClient;
  let maker: BinanceClient;

  beforeAll(async () => {
    simulator = await startSimulator();
    trader = binanceClient(simulator, TRADER);
    maker = binanceClient(simulator, MAKER);
    await Promise.all([trader.loadMarkets(), maker.loadMarkets()]);
  });

  afterAll(async () => {
    await Promise.all([trader.close(), maker.close()]);
    await simulator.close();
  });

  it('loads the markets from exchangeInfo alone, with precision and limits from the filters', () => {
    const market = trader.market('BTC/USDT');
    expect(market.id).toBe('BTCUSDT');
    expect(market.spot).toBe(true);
    expect(market.precision.price).toBe(0.01);
    expect(market.precision.amount).toBe(0.00001);
    expect(market.limits.cost?.min).toBe(5);
    expect([...trader.symbols].sort()).toEqual(['BTC/USDT', 'ETH/USDT']);
    expect(simulator.stats().byPath['GET /api/v3/exchangeInfo']).toBe(2);
  });

  it('serves the book, ticker and recent trades that the orders made', async () => {
    await maker.createOrder('BTC/USDT', 'limit', 'sell', 0.5, 60_010);
    await maker.createOrder('BTC/USDT', 'limit', 'buy', 0.5, 59_990);
    const taken = await trader.createOrder('BTC/USDT', 'market', 'buy', 0.1);
    expect(taken.status).toBe('closed');
    expect(taken.filled).toBe(0.1);
    expect(taken.average).toBe(60_010);
    expect(taken.trades).toHaveLength(1);

    const book = await trader.fetchOrderBook('BTC/USDT', 5);
    expect(book.asks[0]).toEqual([60_010, 0.4]);
    expect(book.bids[0]).toEqual([59_990, 0.5]);
    expect(book.nonce).toBeGreaterThan(0);

    const ticker = await trader.fetchTicker('BTC/USDT');
    expect(ticker.last).toBe(60_010);
    expect(ticker.bid).toBe(59_990);
    expect(ticker.ask).toBe(60_010);
    expect(ticker.baseVolume).toBe(0.1);

    const trades = await trader.fetchTrades('BTC/USDT');
    expect(trades.at(-1)).toMatchObject({ price: 60_010, amount: 0.1, side: 'buy' });
  });

  it('reports balances with the locked part of open orders', async () => {
    const order = await trader.createOrder('BTC/USDT', 'limit', 'buy', 0.01, 50_000);
    const balance = await trader.fetchBalance();
    expect(balance.USDT?.used).toBe(500);
    expect(balance.BTC?.total).toBe(2.1);
    await trader.cancelOrder(idOf(order), 'BTC/USDT');
    const after = await trader.fetchBalance();
    expect(after.USDT?.used).toBe(0);
  });

  it('places, finds and cancels a limit order by id and by client order id', async () => {
    const order = await trader.createOrder('BTC/USDT', 'limit', 'buy', 0.01, 55_000, {
      clientOrderId: 'my-order-1',
    });
    expect(order.status).toBe('open');
    expect(order.clientOrderId).toBe('my-order-1');

    const byId = await trader.fetchOrder(idOf(order), 'BTC/USDT');
    expect(byId).toMatchObject({ id: order.id, status: 'open', price: 55_000, amount: 0.01, type: 'limit' });
    const byClientId = await trader.fetchOrder('', 'BTC/USDT', { origClientOrderId: 'my-order-1' });
    expect(byClientId.id).toBe(order.id);

    const open = await trader.fetchOpenOrders('BTC/USDT');
    expect(open.map((o) => o.id)).toContain(order.id);

    const canceled = await trader.cancelOrder(idOf(order), 'BTC/USDT');
    expect(canceled.status).toBe('canceled');
    expect(canceled.info.origClientOrderId).toBe('my-order-1');
    expect((await trader.fetchOrder(idOf(order), 'BTC/USDT')).status).toBe('canceled');
    await expect(trader.cancelOrder(idOf(order), 'BTC/USDT')).rejects.toBeInstanceOf(ccxt.OrderNotFound);
    await expect(trader.fetchOrder('999999', 'BTC/USDT')).rejects.toBeInstanceOf(ccxt.OrderNotFound);
  });

  it('rejects a crossing post-only order as OrderImmediatelyFillable and rests a passive one', async () => {
    await expect(
      trader.createOrder('BTC/USDT', 'limit', 'buy', 0.01, 60_010, { postOnly: true }),
    ).rejects.toBeInstanceOf(ccxt.OrderImmediatelyFillable);
    const passive = await trader.createOrder('BTC/USDT', 'limit', 'buy', 0.01, 59_000, { postOnly: true });
    expect(passive.status).toBe('open');
    expect(passive.postOnly).toBe(true);
    await trader.cancelOrder(idOf(passive), 'BTC/USDT');
  });

  it('expires the unfilled rest of IOC and the whole of an unfillable FOK', async () => {
    const ioc = await trader.createOrder('BTC/USDT', 'limit', 'buy', 1, 60_010, { timeInForce: 'IOC' });
    expect(ioc.status).toBe('expired');
    expect(ioc.filled).toBe(0.4);
    expect(ioc.timeInForce).toBe('IOC');

    await maker.createOrder('BTC/USDT', 'limit', 'sell', 0.2, 60_020);
    const fok = await trader.createOrder('BTC/USDT', 'limit', 'buy', 1, 60_020, { timeInForce: 'FOK' });
    expect(fok.status).toBe('expired');
    expect(fok.filled).toBe(0);
    const fokFilled = await trader.createOrder('BTC/USDT', 'limit', 'buy', 0.2, 60_020, {
      timeInForce: 'FOK',
    });
    expect(fokFilled.status).toBe('closed');
  });

  it('lists own trades with fees, sides and maker/taker', async () => {
    const trades = await trader.fetchMyTrades('BTC/USDT');
    expect(trades.length).toBeGreaterThanOrEqual(3);
    for (const trade of trades) {
      expect(trade.side).toBe('buy');
      expect(trade.takerOrMaker).toBe('taker');
      expect(trade.fee?.currency).toBeDefined();
    }
    const makerTrades = await maker.fetchMyTrades('BTC/USDT');
    expect(makerTrades.every((t) => t.takerOrMaker === 'maker' && t.side === 'sell')).toBe(true);
  });

  it('edits an order with cancelReplace: the old one is canceled, a new id rests', async () => {
    const order = await trader.createOrder('ETH/USDT', 'limit', 'buy', 1, 2_000);
    const edited = await trader.editOrder(idOf(order), 'ETH/USDT', 'limit', 'buy', 2, 2_100, {
      clientOrderId: 'edit-2',
    });
    expect(edited.id).not.toBe(order.id);
    expect(edited).toMatchObject({ status: 'open', amount: 2, price: 2_100, clientOrderId: 'edit-2' });
    expect((await trader.fetchOrder(idOf(order), 'ETH/USDT')).status).toBe('canceled');
    await expect(trader.editOrder(idOf(order), 'ETH/USDT', 'limit', 'buy', 1, 2_000)).rejects.toBeInstanceOf(
      ccxt.ExchangeError,
    );
    await trader.cancelOrder(idOf(edited), 'ETH/USDT');
  });

  it('maps insufficient balance to InsufficientFunds and filter failures to InvalidOrder/BadRequest', async () => {
    await expect(trader.createOrder('BTC/USDT', 'limit', 'buy', 10, 59_000)).rejects.toBeInstanceOf(
      ccxt.InsufficientFunds,
    );
    await expect(trader.createOrder('ETH/USDT', 'limit', 'sell', 1, 3_000)).rejects.toBeInstanceOf(
      ccxt.InsufficientFunds,
    );
    // Below minNotional: ccxt maps -1013 NOTIONAL by code to BadRequest.
    await expect(trader.createOrder('BTC/USDT', 'limit', 'buy', 0.00001, 50_000)).rejects.toBeInstanceOf(
      ccxt.BadRequest,
    );
    await expect(
      trader.fetchOrder('1', 'BTC/USDT', { origClientOrderId: 'never-sent' }),
    ).rejects.toBeInstanceOf(ccxt.OrderNotFound);
  });

  it('places a market buy by quote amount (quoteOrderQty)', async () => {
    await maker.createOrder('ETH/USDT', 'limit', 'sell', 1, 3_000);
    const order = await trader.createOrder(
      'ETH/USDT',
      'market',
      'buy',
      undefined as unknown as number,
      undefined,
      {
        cost: 300,
      },
    );
    expect(order.status).toBe('closed');
    expect(order.filled).toBe(0.1);
    expect(order.cost).toBe(300);
  });
});
