import type { TradeV1 } from '@tm/contracts';
import { describe, expect, it } from 'vitest';
import { CandleV1 } from '@tm/contracts';
import { INSTRUMENT, seededRandom, trade } from './aggregation.spec-helper.js';
import { MarketAggregator } from './market-aggregator.js';

const SECOND = 1_000_000;
const HOUR = 3_600 * SECOND;

/** The naive reference: group every trade by aligned bucket, order each group by tsEvent (stable), fold. */
function referenceCandles(trades: readonly TradeV1[], intervals: readonly number[]): CandleV1[] {
  const candles: CandleV1[] = [];
  for (const interval of intervals) {
    const buckets = new Map<number, TradeV1[]>();
    for (const t of trades) {
      const start = Math.floor(t.tsEvent / interval) * interval;
      buckets.set(start, [...(buckets.get(start) ?? []), t]);
    }
    for (const start of [...buckets.keys()].sort((a, b) => a - b)) {
      const inArrival = buckets.get(start) as TradeV1[];
      const byTime = [...inArrival].sort((a, b) => a.tsEvent - b.tsEvent);
      candles.push({
        v: 1,
        instrument: INSTRUMENT,
        intervalMicros: interval,
        start,
        open: (byTime[0] as TradeV1).price,
        high: Math.max(...inArrival.map((t) => t.price)),
        low: Math.min(...inArrival.map((t) => t.price)),
        close: (byTime[byTime.length - 1] as TradeV1).price,
        volume: inArrival.reduce((sum, t) => sum + t.amount, 0),
        trades: inArrival.length,
      });
    }
  }
  return candles;
}

describe('MarketAggregator candles', () => {
  it('match a naive reference over a seeded trade stream, for 1 s, 1 m and 1 h', () => {
    const random = seededRandom(42);
    const agg = new MarketAggregator();
    const sources = ['alpha', 'beta', 'gamma'];
    const t0 = 1_700_000_123_456_789;
    const end = t0 + 2.5 * HOUR;
    const trades: TradeV1[] = [];
    const emitted: CandleV1[] = [];
    let clock = t0;
    let nextTick = t0;
    let price = 30_000;
    while (clock < end) {
      clock += 1 + Math.floor(random() * 1.5 * SECOND);
      // The tick() clock trails the feed by 0.5 s and a trade is at most 0.3 s behind: none is late for its candle.
      while (nextTick <= clock - 500_000) {
        const out = agg.tick(nextTick);
        emitted.push(...out.closedCandles);
        nextTick += 100_000;
      }
      price = Math.max(1, price + (random() - 0.5) * 20);
      const t = trade(sources[Math.floor(random() * 3)] as string, price, 0.001 + random() * 2, 0, {
        tsEvent: clock - Math.floor(random() * 300_000),
        tsInit: clock,
      });
      expect(agg.ingestTrade(t)).toEqual({ ok: true });
      trades.push(t);
    }
    emitted.push(...agg.tick(end + 2 * HOUR).closedCandles);

    for (const c of emitted) CandleV1.parse(c);
    const byIntervalThenStart = (a: CandleV1, b: CandleV1) =>
      a.intervalMicros - b.intervalMicros || a.start - b.start;
    const expected = referenceCandles(trades, [SECOND, 60 * SECOND, HOUR]);
    expect([...emitted].sort(byIntervalThenStart)).toEqual(expected);
    const perInterval = (interval: number) => expected.filter((c) => c.intervalMicros === interval).length;
    expect(perInterval(HOUR)).toBe(3);
    expect(perInterval(60 * SECOND)).toBe(151);
    // Gaps of up to 1.5 s leave empty seconds, and an empty interval produces no candle.
    expect(perInterval(SECOND)).toBeLessThan(2.5 * 3_600);
    expect(agg.lateCandleTrades()).toEqual({});

    const snap = agg.snapshot(INSTRUMENT);
    const turnover = trades.reduce((sum, t) => sum + t.price * t.amount, 0);
    const volume = trades.reduce((sum, t) => sum + t.amount, 0);
    expect(snap?.vwap.session).toBe(turnover / volume);
    expect(snap?.candles).toEqual([]);
    expect(snap?.vwap.candle).toBeNull();
  });

  it('shows open candles and the candle VWAP; a trade for an already closed candle skips only that interval', () => {
    const agg = new MarketAggregator();
    agg.ingestTrade(trade('a', 100, 1, 200_000));
    agg.ingestTrade(trade('b', 110, 3, 700_000));
    const open = agg.tick(900_000).snapshots[0];
    expect(open?.candles).toEqual([
      { intervalMicros: SECOND, start: 0, open: 100, high: 110, low: 100, close: 110, volume: 4, trades: 2 },
      {
        intervalMicros: 60 * SECOND,
        start: 0,
        open: 100,
        high: 110,
        low: 100,
        close: 110,
        volume: 4,
        trades: 2,
      },
      { intervalMicros: HOUR, start: 0, open: 100, high: 110, low: 100, close: 110, volume: 4, trades: 2 },
    ]);
    expect(open?.vwap).toEqual({ candle: 107.5, candleIntervalMicros: SECOND, session: 107.5 });

    const closing = agg.tick(1_000_000);
    expect(closing.closedCandles.map((c) => [c.intervalMicros, c.start, c.close])).toEqual([
      [SECOND, 0, 110],
    ]);
    expect(closing.snapshots[0]?.vwap.candle).toBeNull();
    // Late for the closed 1 s candle (not reopened), still in time for 1 m and 1 h.
    expect(agg.ingestTrade(trade('a', 90, 1, 990_000)).ok).toBe(true);
    expect(agg.lateCandleTrades()).toEqual({ a: 1 });
    const after = agg.tick(1_100_000);
    expect(after.closedCandles).toEqual([]);
    expect(after.snapshots[0]?.candles.map((c) => [c.intervalMicros, c.low, c.trades])).toEqual([
      [60 * SECOND, 90, 3],
      [HOUR, 90, 3],
    ]);
    expect(after.snapshots[0]?.lastTrade).toEqual({ price: 90, amount: 1, source: 'a', tsEvent: 990_000 });
    // The last trade is the one with the latest tsEvent, whatever the arrival order.
    agg.ingestTrade(trade('c', 95, 1, 980_000));
    expect(agg.tick(1_200_000).snapshots[0]?.lastTrade?.tsEvent).toBe(990_000);
  });
});
