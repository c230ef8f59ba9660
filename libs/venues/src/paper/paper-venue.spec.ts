import { expectEventually } from '@tm/testing';
import { describe, expect, it } from 'vitest';
import type { MarketTick, MarketTrade } from '../adapter/venue-types.js';
import { DEFAULT_PAPER_INSTRUMENTS, PaperVenue } from './paper-venue.js';

describe('PaperVenue', () => {
  it('starts with a two-sided book around each default mid and funds each account once', async () => {
    const venue = new PaperVenue();
    expect(venue.exchange.instruments().map((i) => i.symbol)).toEqual(['BTC/USDT', 'ETH/USDT', 'SOL/USDT']);
    for (const instrument of DEFAULT_PAPER_INSTRUMENTS) {
      const { bid, ask } = venue.exchange.ticker(instrument.symbol);
      const mid = Number(instrument.startMid);
      expect(Number(bid)).toBeGreaterThan(mid * 0.99);
      expect(Number(ask)).toBeLessThan(mid * 1.01);
      expect(Number(ask)).toBeGreaterThan(Number(bid));
    }
    const adapter = venue.adapter('user-1');
    venue.adapter('user-1');
    const balance = await adapter.fetchBalance();
    expect(balance.balances.find((b) => b.currency === 'USDT')).toEqual({
      currency: 'USDT',
      free: '100000',
      used: '0',
      total: '100000',
    });
    expect(adapter.venue).toBe('paper');
  });

  it('lets an account trade against the market maker', async () => {
    const venue = new PaperVenue({ startingBalances: { USDT: '1000' }, seed: 7 });
    const adapter = venue.adapter('user-2');
    const order = await adapter.createOrder({
      instrument: 'SOL/USDT',
      side: 'buy',
      kind: 'market',
      amount: '1',
      clientOrderId: 'buy-sol',
    });
    expect(order).toMatchObject({ status: 'closed', filled: '1' });
    const balances = (await adapter.fetchBalance()).balances;
    expect(balances.find((b) => b.currency === 'SOL')?.total).toBe('1');
  });

  it('drives live ticks and trades from its step timer until stopped', async () => {
    const venue = new PaperVenue({
      stepIntervalMs: 5,
      marketMaker: { tradeProbability: 1 },
      instruments: [DEFAULT_PAPER_INSTRUMENTS[1] as (typeof DEFAULT_PAPER_INSTRUMENTS)[number]],
    });
    const ticks: MarketTick[] = [];
    const trades: MarketTrade[] = [];
    const feed = venue.adapter('watcher').watchMarketData({
      tick: (t) => ticks.push(t),
      trade: (t) => trades.push(t),
      book: () => undefined,
    });
    await feed.subscribe('ETH/USDT');
    const first = trades.length;
    venue.start();
    venue.start();
    expect(venue.running).toBe(true);
    await expectEventually(() => {
      expect(trades.length).toBeGreaterThan(first + 3);
      expect(ticks.length).toBeGreaterThan(3);
    }, 5_000);
    venue.stop();
    expect(venue.running).toBe(false);
    await feed.close();
  });
});
