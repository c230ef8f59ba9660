import { Decimal } from 'decimal.js';
import { describe, expect, it } from 'vitest';

import { MarketMaker } from './market-maker.js';
import { PaperExchange } from './paper-exchange.js';
import { SPOT_INSTRUMENTS } from './spot-instruments.js';

const SPEC = SPOT_INSTRUMENTS['BTC/USDT'];

function run(seed: number, steps: number, options: { tradeProbability?: number } = {}) {
  let now = 0;
  const exchange = new PaperExchange({ instruments: [SPEC], clock: () => (now += 1000) });
  const maker = new MarketMaker(exchange, { instrument: 'BTC/USDT', startMid: '60000', seed, ...options });
  for (let i = 0; i < steps; i += 1) maker.step();
  return { exchange, maker };
}

describe('MarketMaker', () => {
  it('keeps a two-sided ladder with the configured spread', () => {
    const { exchange } = run(1, 1, { tradeProbability: 0 });
    const depth = exchange.depth('BTC/USDT');
    expect(depth.bids).toHaveLength(10);
    expect(depth.asks).toHaveLength(10);
    const [bid, ask] = [depth.bids[0], depth.asks[0]];
    expect(new Decimal(ask?.price ?? 0).sub(bid?.price ?? 0).toString()).toBe('0.02');
    for (const level of [...depth.bids, ...depth.asks]) {
      expect(new Decimal(level.price).mul(level.amount).gte(5)).toBe(true);
    }
  });

  it('moves, trades now and then, and stays two-sided over many steps', () => {
    const { exchange, maker } = run(7, 500);
    const depth = exchange.depth('BTC/USDT');
    expect(depth.bids.length).toBeGreaterThanOrEqual(9);
    expect(depth.asks.length).toBeGreaterThanOrEqual(9);
    expect(new Decimal(depth.bids[0]?.price ?? 0).lt(depth.asks[0]?.price ?? 0)).toBe(true);
    const trades = exchange.publicTrades('BTC/USDT', 1000);
    expect(trades.length).toBeGreaterThan(100);
    expect(new Set(trades.map((t) => t.takerSide))).toEqual(new Set(['buy', 'sell']));
    expect(maker.midPrice()).not.toBe('60000');
  });

  it('is deterministic for a seed', () => {
    const a = run(42, 300);
    const b = run(42, 300);
    const c = run(43, 300);
    expect(b.exchange.depth('BTC/USDT')).toEqual(a.exchange.depth('BTC/USDT'));
    expect(b.exchange.publicTrades('BTC/USDT', 1000)).toEqual(a.exchange.publicTrades('BTC/USDT', 1000));
    expect(c.exchange.depth('BTC/USDT')).not.toEqual(a.exchange.depth('BTC/USDT'));
  });

  it('never runs out of funds, even when users take its quotes over and over', () => {
    let now = 0;
    const exchange = new PaperExchange({ instruments: [SPEC], clock: () => (now += 1000) });
    const maker = new MarketMaker(exchange, {
      instrument: 'BTC/USDT',
      startMid: '100',
      seed: 3,
      volatilityBps: 50,
      tradeProbability: 1,
    });
    exchange.credit('whale', 'USDT', '1000000000');
    exchange.credit('whale', 'BTC', '1000000');
    for (let i = 0; i < 1000; i += 1) {
      maker.step();
      const side = i % 2 === 0 ? 'buy' : 'sell';
      exchange.placeOrder('whale', { instrument: 'BTC/USDT', side, type: 'market', amount: '0.5' });
    }
    expect(exchange.depth('BTC/USDT').bids.length).toBeGreaterThan(0);
    expect(exchange.depth('BTC/USDT').asks.length).toBeGreaterThan(0);
    for (const b of exchange.balances('__market_maker__')) expect(new Decimal(b.free).gte(0)).toBe(true);
  });

  it('fills a user order that crosses its quotes', () => {
    const { exchange } = run(5, 1, { tradeProbability: 0 });
    exchange.credit('user', 'USDT', '100000');
    const ask = exchange.depth('BTC/USDT').asks[0];
    const { order } = exchange.placeOrder('user', {
      instrument: 'BTC/USDT',
      side: 'buy',
      type: 'limit',
      price: ask?.price ?? '0',
      amount: ask?.amount ?? '0',
    });
    expect(order.status).toBe('FILLED');
  });

  it('refuses an unknown instrument', () => {
    const exchange = new PaperExchange({ instruments: [SPEC] });
    expect(() => new MarketMaker(exchange, { instrument: 'X/Y', startMid: '1', seed: 1 })).toThrow(/unknown/);
  });
});
