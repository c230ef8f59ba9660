import type { BinanceSimulator } from '@tm/exchange-simulator';
import { expectEventually } from '@tm/testing';
import { CcxtVenueAdapter, type CcxtThrottle } from '@tm/venues';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { SessionHarness } from './session-harness.js';
import { startBinance, TRADER } from './simulated-binance.js';

// Binance's weights (depth 5, trades 25, ticker 2) in one-second windows, so a sustained run shows in
// seconds: 800 weight per second, three 429s in a window and the IP is banned (418).
const LIMITS = {
  requestWeightPerMinute: 800,
  weightWindowMs: 1_000,
  banAfter429s: 3,
  banMs: 60_000,
  ordersPer10s: 1_000,
};
// 30 messages/s of market data stays under 800 weight/s whatever the mix (30 × 25 = 750).
const DATA_PER_SECOND = 30;
const FLOOD_MS = 6_000;
const ORDERS = 20;

/** A venue that must be polled over REST as fast as the budget lets it: a flood of market-data requests. */
function pollingAdapter(simulator: BinanceSimulator, throttle?: CcxtThrottle): CcxtVenueAdapter {
  const adapter = new CcxtVenueAdapter({
    exchangeId: 'binance',
    credentials: { apiKey: TRADER.apiKey, secret: TRADER.secret },
    apiUrl: simulator.httpUrl,
    enableRateLimit: false,
    pollIntervalMs: 0,
    ...(throttle ? { throttle } : {}),
  });
  for (const capability of ['watchBidsAsks', 'watchTicker', 'watchTrades', 'watchOrderBook'])
    (adapter.exchanges.data.has as Record<string, unknown>)[capability] = false;
  return adapter;
}

const sink = { tick: () => undefined, trade: () => undefined, book: () => undefined };

describe('a sustained flood of market-data requests (ccxt against the simulator)', () => {
  let harness: SessionHarness;
  let simulator: BinanceSimulator;
  let control: BinanceSimulator;

  beforeAll(async () => {
    harness = await SessionHarness.open(inject('natsUrl'), inject('databaseUrl'), {
      budget: { dataPerSecond: DATA_PER_SECOND },
    });
    simulator = await startBinance({ limits: LIMITS });
    control = await startBinance({ limits: LIMITS });
  });
  afterAll(async () => {
    await harness.close();
    await simulator.close();
    await control.close();
  });

  it('runs into the venue limit when nothing budgets it (the control)', async () => {
    const adapter = pollingAdapter(control);
    await adapter.connect();
    const feed = adapter.watchMarketData(sink);
    await feed.subscribe('BTC/USDT').catch(() => undefined);
    await expectEventually(() => expect(control.stats().status429).toBeGreaterThan(0), 10_000);
    await feed.close();
    await adapter.close();
  });

  it('keeps under the venue limits on the data budget while every cancel goes out', async () => {
    const t = await harness.session({ venue: 'binance', account: TRADER.account }, (hooks) =>
      pollingAdapter(simulator, hooks),
    );
    await t.adapter.connect();
    const feed = t.adapter.watchMarketData(sink);
    await Promise.all([feed.subscribe('BTC/USDT'), feed.subscribe('ETH/USDT')]);
    const floodStarted = simulator.stats().requests;
    const placed = [];
    for (let i = 0; i < ORDERS; i += 1) {
      placed.push(
        await t.session.desk.create({
          v: 1,
          origin: { flowId: 'flood', step: i, child: 0 },
          instrument: 'BTC/USDT',
          side: 'buy',
          kind: 'limit',
          amount: '0.001',
          price: (5_000 + i).toFixed(2),
        }),
      );
    }
    const canceled = await Promise.all(
      placed.map((order) =>
        t.session.desk.cancel({ v: 1, instrument: 'BTC/USDT', clientOrderId: order.clientOrderId }),
      ),
    );
    expect(canceled.map((order) => order.status)).toEqual(placed.map(() => 'canceled'));
    expect(simulator.exchange.openOrders(TRADER.account)).toEqual([]);
    // The flood goes on for a sustained run; the budget keeps it under the venue's limit throughout.
    await new Promise((resolve) => setTimeout(resolve, FLOOD_MS));
    await feed.close();
    const stats = simulator.stats();
    expect(stats.requests - floodStarted).toBeGreaterThan(DATA_PER_SECOND * (FLOOD_MS / 1_000) * 0.5);
    expect({ status429: stats.status429, status418: stats.status418 }).toEqual({
      status429: 0,
      status418: 0,
    });
    const budget = t.budget.stats();
    expect(budget.data.throttled).toBeGreaterThan(0);
    expect(budget.execution.granted).toBeGreaterThanOrEqual(ORDERS * 2);
  }, 60_000);
});
