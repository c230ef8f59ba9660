// A trade the stream never delivers (printed between the REST gap fill and the moment the venue's
// stream subscription took effect) still reaches the sink, through the second gap fill.
import { BinanceSimulator } from '@tm/exchange-simulator';
import { expectEventually } from '@tm/testing';
import type { Trade } from 'ccxt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CcxtVenueAdapter, type MarketTrade } from '../src/index.js';
import { SPOT_INSTRUMENTS } from '@tm/matching';

const BTC = SPOT_INSTRUMENTS['BTC/USDT'];
const MAKER = { apiKey: 'refill-key', secret: 'refill-secret', account: 'refill-maker' };

describe('ccxt market data gap fill', () => {
  let simulator: BinanceSimulator;
  let adapter: CcxtVenueAdapter;

  beforeAll(async () => {
    simulator = await BinanceSimulator.start({
      instruments: [BTC],
      accounts: [{ ...MAKER, balances: { USDT: '1000000', BTC: '100' } }],
      limits: false,
    });
    adapter = new CcxtVenueAdapter({ exchangeId: 'binance', apiUrl: simulator.httpUrl });
    await adapter.connect();
  });
  afterAll(async () => {
    await adapter.close();
    await simulator.close();
  });

  it('delivers a trade the stream missed right after subscribing', async () => {
    const data = adapter.exchanges.data;
    const watchTrades = data.watchTrades.bind(data);
    let streamed = 0;
    // The stream loses every trade it carries: only the gap fills can deliver them.
    data.watchTrades = async (...args: Parameters<typeof data.watchTrades>): Promise<Trade[]> => {
      streamed += (await watchTrades(...args)).length;
      return [];
    };
    const trades: MarketTrade[] = [];
    const feed = adapter.watchMarketData({
      tick: () => undefined,
      book: () => undefined,
      trade: (t) => trades.push(t),
    });
    await feed.subscribe('BTC/USDT');
    simulator.exchange.placeOrder(MAKER.account, {
      instrument: 'BTC/USDT',
      side: 'sell',
      type: 'limit',
      price: '100.00',
      amount: '0.1',
    });
    const { fills } = simulator.exchange.placeOrder(MAKER.account, {
      instrument: 'BTC/USDT',
      side: 'buy',
      type: 'market',
      amount: '0.1',
    });
    await expectEventually(() => expect(streamed).toBeGreaterThan(0), 10_000);
    await expectEventually(
      () => expect(trades.map((t) => t.tradeId)).toEqual([String(fills[0]?.tradeId)]),
      10_000,
    );
    await feed.close();
  });
});
