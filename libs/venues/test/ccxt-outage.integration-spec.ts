// A venue outage (sockets dropped, reconnects refused) ends the feeds and leaves no unhandled
// rejection behind: ccxt.pro rejects internal futures nobody awaits, which would end a real process.
import { BinanceSimulator } from '@tm/exchange-simulator';
import { expectEventually } from '@tm/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CcxtVenueAdapter, type ExecutionFeed, type MarketDataFeed } from '../src/index.js';
import { SPOT_INSTRUMENTS } from '@tm/matching';

const BTC = SPOT_INSTRUMENTS['BTC/USDT'];
const TRADER = { apiKey: 'outage-key', secret: 'outage-secret', account: 'outage' };
const sink = { tick() {}, trade() {}, book() {}, order() {}, fill() {} };

describe('ccxt adapter through a venue outage', () => {
  let simulator: BinanceSimulator;
  let adapter: CcxtVenueAdapter;
  const unhandled: unknown[] = [];
  const onUnhandled = (reason: unknown) => unhandled.push(reason);

  beforeAll(async () => {
    simulator = await BinanceSimulator.start({
      instruments: [BTC],
      accounts: [{ ...TRADER, balances: { USDT: '1000' } }],
      limits: false,
    });
    adapter = new CcxtVenueAdapter({
      exchangeId: 'binance',
      apiUrl: simulator.httpUrl,
      credentials: { apiKey: TRADER.apiKey, secret: TRADER.secret },
    });
    await adapter.connect();
    process.on('unhandledRejection', onUnhandled);
  });
  afterAll(async () => {
    process.off('unhandledRejection', onUnhandled);
    await adapter.close();
    await simulator.close();
  });

  it('ends both feeds, reopens them after the outage, and rejects nothing unobserved', async () => {
    const open = async (): Promise<[MarketDataFeed, ExecutionFeed]> => {
      const market = adapter.watchMarketData(sink);
      await market.subscribe('BTC/USDT');
      return [market, adapter.watchOwnOrders(sink)];
    };
    let [market, execution] = await open();
    await expectEventually(
      () => expect(simulator.userStreamSubscribers(TRADER.account)).toBeGreaterThan(0),
      10_000,
    );
    simulator.faults.rejectWebsocketsFor(2_000);
    simulator.faults.dropWebsockets();
    expect((await market.ended).reason).toBe('disconnected');
    expect((await execution.ended).reason).toBe('disconnected');
    // Reopened while the venue still refuses websockets, as a reconnect loop would; then given up.
    const refusedMarket = adapter.watchMarketData(sink);
    const refusedExecution = adapter.watchOwnOrders(sink);
    await refusedMarket.subscribe('BTC/USDT').catch(() => undefined);
    await new Promise((resolve) => setTimeout(resolve, 2_200));
    await Promise.all([refusedMarket.close(), refusedExecution.close()]);
    [market, execution] = await open();
    await expectEventually(
      () => expect(simulator.userStreamSubscribers(TRADER.account)).toBeGreaterThan(0),
      10_000,
    );
    await market.close();
    await execution.close();
    await new Promise((resolve) => setImmediate(resolve));
    expect(unhandled).toEqual([]);
  });
});
