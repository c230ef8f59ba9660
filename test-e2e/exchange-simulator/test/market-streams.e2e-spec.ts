import { expectEventually } from '@tm/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { BinanceSimulator } from '../src/index.js';
import { binanceClient, MAKER, startSimulator, TRADER, type BinanceClient } from './simulator-fixture.js';
import { WsProbe } from './ws-probe.js';

describe('exchange simulator: market streams through ccxt.pro binance', () => {
  let simulator: BinanceSimulator;
  let trader: BinanceClient;
  let maker: BinanceClient;
  let watcher: BinanceClient;

  beforeAll(async () => {
    simulator = await startSimulator({ tickerIntervalMs: 100 });
    trader = binanceClient(simulator, TRADER);
    maker = binanceClient(simulator, MAKER);
    watcher = binanceClient(simulator, TRADER);
    await Promise.all([trader.loadMarkets(), maker.loadMarkets(), watcher.loadMarkets()]);
    await maker.createOrder('BTC/USDT', 'limit', 'sell', 1, 60_100);
    await maker.createOrder('BTC/USDT', 'limit', 'buy', 1, 59_900);
  });

  afterAll(async () => {
    await Promise.all([trader.close(), maker.close(), watcher.close()]);
    await simulator.close();
  });

  it('streams trades with the ids REST reports', async () => {
    const watching = watcher.watchTrades('BTC/USDT');
    await expectEventually(() => expect(simulator.streamSubscribers('btcusdt@trade')).toBe(1));
    await trader.createOrder('BTC/USDT', 'market', 'buy', 0.01);
    const streamed = await watching;
    const rest = await trader.fetchTrades('BTC/USDT');
    expect(streamed.at(-1)).toMatchObject({ price: 60_100, amount: 0.01, side: 'buy', symbol: 'BTC/USDT' });
    expect(streamed.at(-1)?.id).toBe(rest.at(-1)?.id);
  });

  it('keeps a ccxt order book in step with the REST book (consecutive U/u)', async () => {
    let book = await watcher.watchOrderBook('BTC/USDT');
    for (let i = 0; i < 5; i += 1) {
      await maker.createOrder('BTC/USDT', 'limit', 'sell', 0.1, 60_200 + i * 10);
      await maker.createOrder('BTC/USDT', 'limit', 'buy', 0.1, 59_800 - i * 10);
    }
    await trader.createOrder('BTC/USDT', 'market', 'sell', 0.05);
    const rest = await trader.fetchOrderBook('BTC/USDT', 1000);
    while ((book.nonce ?? 0) < (rest.nonce ?? 0)) book = await watcher.watchOrderBook('BTC/USDT');
    expect(book.nonce).toBe(rest.nonce);
    expect(book.bids.slice(0, 10)).toEqual(rest.bids.slice(0, 10));
    expect(book.asks.slice(0, 10)).toEqual(rest.asks.slice(0, 10));
  });

  it('streams the 24h ticker (name: ticker, with bid/ask) and the mini ticker (ccxt default)', async () => {
    const mini = await watcher.watchTicker('BTC/USDT');
    expect(mini).toMatchObject({ symbol: 'BTC/USDT', last: 59_900 });
    const full = await watcher.watchTicker('ETH/USDT', { name: 'ticker' });
    expect(full.symbol).toBe('ETH/USDT');
    const btc = await watcher.watchTicker('BTC/USDT', { name: 'ticker' });
    expect(btc).toMatchObject({ symbol: 'BTC/USDT', last: 59_900, bid: 59_900, ask: 60_100 });
  });

  it('serves raw and combined streams with SUBSCRIBE/UNSUBSCRIBE acks and error answers', async () => {
    const combined = await WsProbe.open(
      `${simulator.wsUrl}/stream/stream?streams=btcusdt@trade/btcusdt@bookTicker`,
    );
    const raw = await WsProbe.open(`${simulator.wsUrl}/stream/ws`);
    try {
      raw.send({ method: 'SUBSCRIBE', params: ['ethusdt@trade', 'ethusdt@depth@100ms'], id: 7 });
      expect(await raw.next((m) => m.id === 7)).toEqual({ result: null, id: 7 });
      raw.send({ method: 'LIST_SUBSCRIPTIONS', id: 8 });
      expect(await raw.next((m) => m.id === 8)).toEqual({
        result: ['ethusdt@trade', 'ethusdt@depth@100ms'],
        id: 8,
      });
      raw.send({ method: 'SUBSCRIBE', params: ['nope@trade'], id: 9 });
      expect(await raw.next((m) => m.id === 9)).toMatchObject({ error: { code: 2 }, id: 9 });
      raw.send('{not json');
      expect(await raw.next((m) => m.id === null)).toMatchObject({ error: { code: 3 } });

      await maker.createOrder('ETH/USDT', 'limit', 'sell', 1, 3_000);
      await trader.createOrder('ETH/USDT', 'market', 'buy', 0.5);
      await trader.createOrder('BTC/USDT', 'market', 'buy', 0.01);
      const ethTrade = await raw.next((m) => m.e === 'trade');
      expect(ethTrade).toMatchObject({ s: 'ETHUSDT', p: '3000.00000000', q: '0.50000000', m: false });
      const depth = await raw.next<{ U: number; u: number; s: string }>((m) => m.e === 'depthUpdate');
      expect(depth.s).toBe('ETHUSDT');
      expect(depth.u).toBeGreaterThanOrEqual(depth.U);

      const wrapped = await combined.next((m) => m.stream === 'btcusdt@trade');
      expect(wrapped.data).toMatchObject({ e: 'trade', s: 'BTCUSDT' });
      const bookTicker = await combined.next<{ data: Record<string, unknown> }>(
        (m) => m.stream === 'btcusdt@bookTicker',
      );
      expect(bookTicker.data).toMatchObject({ s: 'BTCUSDT', a: expect.any(String), b: expect.any(String) });

      raw.send({ method: 'UNSUBSCRIBE', params: ['ethusdt@trade'], id: 10 });
      expect(await raw.next((m) => m.id === 10)).toEqual({ result: null, id: 10 });
      const tradesBefore = raw.messages.filter((m) => (m as { e?: string }).e === 'trade').length;
      await trader.createOrder('ETH/USDT', 'market', 'buy', 0.1);
      await raw.next((m) => m.e === 'depthUpdate' && (m.u as number) > depth.u);
      expect(raw.messages.filter((m) => (m as { e?: string }).e === 'trade')).toHaveLength(tradesBefore);
    } finally {
      combined.close();
      raw.close();
    }
  });
});
