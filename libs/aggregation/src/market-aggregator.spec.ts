import { describe, expect, it } from 'vitest';
import { AggregateV1, ArbitrageWindowV1 } from '@tm/contracts';
import { AggregationError } from './aggregation.error.js';
import { book, INSTRUMENT, tick, trade } from './aggregation.spec-helper.js';
import { MarketAggregator } from './market-aggregator.js';

function only(snapshots: AggregateV1[]): AggregateV1 {
  expect(snapshots).toHaveLength(1);
  return AggregateV1.parse(snapshots[0]);
}

describe('MarketAggregator consolidated book', () => {
  it('merges the books of two sources and the tick quote of a third; each level knows its sources', () => {
    const agg = new MarketAggregator();
    const ok = { ok: true };
    expect(
      agg.ingestBook(
        book(
          'alpha',
          true,
          [
            [100, 1],
            [99, 2],
          ],
          [
            [101, 1],
            [102, 2],
          ],
          1_000,
        ),
      ),
    ).toEqual(ok);
    expect(
      agg.ingestBook(
        book(
          'beta',
          true,
          [
            [100, 3],
            [98, 1],
          ],
          [
            [101.5, 1],
            [102, 1],
          ],
          1_000,
        ),
      ),
    ).toEqual(ok);
    expect(agg.ingestTick(tick('gamma', 99.5, 101, 1_000, { bidSize: 4, askSize: 2 }))).toEqual(ok);

    const snap = only(agg.tick(100_000).snapshots);
    expect(snap.book.bids).toEqual([
      {
        price: 100,
        size: 4,
        sources: [
          { source: 'alpha', size: 1 },
          { source: 'beta', size: 3 },
        ],
      },
      { price: 99.5, size: 4, sources: [{ source: 'gamma', size: 4 }] },
      { price: 99, size: 2, sources: [{ source: 'alpha', size: 2 }] },
      { price: 98, size: 1, sources: [{ source: 'beta', size: 1 }] },
    ]);
    expect(snap.book.asks).toEqual([
      {
        price: 101,
        size: 3,
        sources: [
          { source: 'alpha', size: 1 },
          { source: 'gamma', size: 2 },
        ],
      },
      { price: 101.5, size: 1, sources: [{ source: 'beta', size: 1 }] },
      {
        price: 102,
        size: 3,
        sources: [
          { source: 'alpha', size: 2 },
          { source: 'beta', size: 1 },
        ],
      },
    ]);
    expect(snap.bestBid).toEqual({ price: 100, size: 4, source: 'beta' });
    expect(snap.bestAsk).toEqual({ price: 101, size: 3, source: 'gamma' });
    expect(snap.sources.map((s) => [s.source, s.bid, s.ask, s.mid, s.book])).toEqual([
      ['alpha', 100, 101, 100.5, 'trusted'],
      ['beta', 100, 101.5, 100.75, 'trusted'],
      ['gamma', 99.5, 101, 100.25, 'none'],
    ]);
    expect(agg.snapshot(INSTRUMENT)).toEqual(snap);

    // A delta moves one source's levels only; nothing changed means no snapshot at the next tick.
    expect(agg.tick(200_000).snapshots).toEqual([]);
    agg.ingestBook(book('beta', false, [[100, 0]], [], 250_000));
    const next = only(agg.tick(300_000).snapshots);
    expect(next.book.bids[0]).toEqual({ price: 100, size: 1, sources: [{ source: 'alpha', size: 1 }] });
    expect(next.bestBid).toEqual({ price: 100, size: 1, source: 'alpha' });
  });

  it('caps each source book and the consolidated book at their configured depth', () => {
    const agg = new MarketAggregator({ maxBookLevels: 2, maxConsolidatedLevels: 3 });
    agg.ingestBook(
      book(
        'a',
        true,
        [
          [10, 1],
          [9, 1],
          [8, 1],
        ],
        [],
        0,
      ),
    );
    agg.ingestBook(
      book(
        'b',
        true,
        [
          [9.5, 1],
          [8.5, 1],
          [7.5, 1],
        ],
        [],
        0,
      ),
    );
    const snap = only(agg.tick(0).snapshots);
    expect(snap.book.bids.map((l) => l.price)).toEqual([10, 9.5, 9]);
  });
});

describe('MarketAggregator tick rates and feed comparisons', () => {
  it('counts ticks per source over the rolling window and expires them as time passes', () => {
    const agg = new MarketAggregator({ tickRateWindowMicros: 1_000_000 });
    for (let i = 0; i < 10; i++) {
      const ts = i * 100_000;
      agg.ingestTick(tick('a', 100, 101, ts, { tsEvent: ts, tsInit: ts + 2_000 }));
      if (i % 2 === 0) agg.ingestTick(tick('b', 100, 101, ts, { tsEvent: ts, tsInit: ts + 5_000 }));
    }
    const first = only(agg.tick(910_000).snapshots);
    expect(first.sources.map((s) => [s.source, s.ticksPerSec, s.receiveLatencyMicros])).toEqual([
      ['a', 10, 2_000],
      ['b', 5, 5_000],
    ]);
    expect(first.comparisons).toEqual([
      { sourceA: 'a', sourceB: 'b', midDelta: 0, emaFast: 0, emaSlow: 0, receiveLatencyDiffMicros: -3_000 },
    ]);
    // Nothing leaves the window before tsInit + window: no recomputation.
    expect(agg.tick(1_000_000).snapshots).toEqual([]);
    // a's first tick (tsInit 2,000) and b's first (5,000) leave at 1,002,000 and 1,005,000.
    expect(only(agg.tick(1_002_000).snapshots).sources.map((s) => s.ticksPerSec)).toEqual([9, 5]);
    expect(only(agg.tick(1_005_000).snapshots).sources.map((s) => s.ticksPerSec)).toEqual([9, 4]);
    const quiet = only(agg.tick(2_000_000).snapshots);
    expect(quiet.sources.map((s) => [s.ticksPerSec, s.receiveLatencyMicros])).toEqual([
      [0, null],
      [0, null],
    ]);
    expect(quiet.comparisons[0]?.receiveLatencyDiffMicros).toBeNull();
    // Idle now: no more snapshots until input arrives.
    expect(agg.tick(5_000_000).snapshots).toEqual([]);
  });

  it('steps the mid-delta EMAs once per tick interval, catching up ticks where nothing changed', () => {
    const agg = new MarketAggregator({ emaFastPeriodTicks: 3, emaSlowPeriodTicks: 9 });
    agg.ingestTick(tick('a', 101, 103, 50_000));
    agg.ingestTick(tick('b', 99, 101, 50_000));
    const c1 = only(agg.tick(100_000).snapshots).comparisons;
    expect(c1).toEqual([
      { sourceA: 'a', sourceB: 'b', midDelta: 2, emaFast: 2, emaSlow: 2, receiveLatencyDiffMicros: 0 },
    ]);
    agg.ingestTick(tick('a', 103, 105, 150_000));
    const c2 = only(agg.tick(200_000).snapshots).comparisons[0];
    expect(c2?.midDelta).toBe(4);
    expect(c2?.emaFast).toBeCloseTo(3, 12); // 2 + 0.5 * (4 - 2)
    expect(c2?.emaSlow).toBeCloseTo(2.4, 12); // 2 + 0.2 * (4 - 2)
    for (const now of [300_000, 400_000, 500_000]) expect(agg.tick(now).snapshots).toEqual([]);
    agg.ingestTick(tick('a', 99, 101, 550_000));
    const c6 = only(agg.tick(600_000).snapshots).comparisons[0];

    // By hand: one step per 100 ms tick; the delta was 4 at ticks 3..5 and 0 at tick 6.
    let fast = 2;
    let slow = 2;
    for (const delta of [4, 4, 4, 4, 0]) {
      fast += 0.5 * (delta - fast);
      slow += 0.2 * (delta - slow);
    }
    expect(c6?.midDelta).toBe(0);
    expect(c6?.emaFast).toBeCloseTo(fast, 12);
    expect(c6?.emaSlow).toBeCloseTo(slow, 12);
    expect(fast).toBeCloseTo(1.9375, 12);
  });

  it('compares every pair of sources, sorted', () => {
    const agg = new MarketAggregator();
    agg.ingestTick(tick('c', 100, 102, 0));
    agg.ingestTick(tick('a', 101, 103, 0));
    agg.ingestTick(tick('b', 98, 100, 0));
    const pairs = only(agg.tick(0).snapshots).comparisons.map((c) => [c.sourceA, c.sourceB, c.midDelta]);
    expect(pairs).toEqual([
      ['a', 'b', 3],
      ['a', 'c', 1],
      ['b', 'c', -2],
    ]);
  });
});

describe('MarketAggregator arbitrage windows', () => {
  it('opens when one bid exceeds another ask, tracks the best edge and emits the window on close', () => {
    const agg = new MarketAggregator();
    agg.ingestTick(tick('a', 101, 102, 50_000));
    agg.ingestTick(tick('b', 99, 100, 50_000));
    const t1 = agg.tick(100_000);
    const open1 = only(t1.snapshots).arbitrage;
    expect(open1).toHaveLength(1);
    expect(open1[0]).toMatchObject({
      buySource: 'b',
      sellSource: 'a',
      openedAt: 100_000,
      bestEdgeAt: 100_000,
    });
    expect(open1[0]?.edgeBps).toBeCloseTo(100, 9);

    agg.ingestTick(tick('a', 101.5, 102, 150_000));
    expect(only(agg.tick(200_000).snapshots).arbitrage[0]?.bestEdgeBps).toBeCloseTo(150, 9);
    agg.ingestTick(tick('a', 100.5, 102, 250_000));
    const open3 = only(agg.tick(300_000).snapshots).arbitrage[0];
    expect(open3?.edgeBps).toBeCloseTo(50, 9);
    expect(open3?.bestEdgeAt).toBe(200_000);

    agg.ingestTick(tick('a', 99.9, 102, 350_000));
    const t4 = agg.tick(400_000);
    expect(only(t4.snapshots).arbitrage).toEqual([]);
    expect(t4.arbitrageWindows).toHaveLength(1);
    const closed = ArbitrageWindowV1.parse(t4.arbitrageWindows[0]);
    expect(closed).toMatchObject({
      v: 1,
      instrument: INSTRUMENT,
      buySource: 'b',
      sellSource: 'a',
      openedAt: 100_000,
      closedAt: 400_000,
      durationMicros: 300_000,
      bestEdgeAt: 200_000,
    });
    expect(closed.bestEdgeBps).toBeCloseTo(150, 9);
    expect(t1.arbitrageWindows).toEqual([]);
  });

  it('applies fees on both legs: a cross smaller than the fees opens no window', () => {
    const withFees = new MarketAggregator({ feesBps: { a: 60, b: 50 } });
    withFees.ingestTick(tick('a', 101, 102, 0));
    withFees.ingestTick(tick('b', 99, 100, 0));
    expect(only(withFees.tick(0).snapshots).arbitrage).toEqual([]);

    const lowFees = new MarketAggregator({ feesBps: { a: 10 }, defaultFeeBps: 10 });
    lowFees.ingestTick(tick('a', 101, 102, 0));
    lowFees.ingestTick(tick('b', 99, 100, 0));
    const [window] = only(lowFees.tick(0).snapshots).arbitrage;
    expect(window?.edgeBps).toBeCloseTo(((101 * 0.999) / (100 * 1.001) - 1) * 10_000, 9);
  });
});

describe('MarketAggregator bad input', () => {
  function seeded(settings: ConstructorParameters<typeof MarketAggregator>[0] = {}): MarketAggregator {
    const agg = new MarketAggregator({ instruments: [INSTRUMENT], ...settings });
    agg.ingestBook(book('a', true, [[100, 1]], [[101, 1]], 9_900_000, { sequence: 10 }));
    agg.ingestTick(tick('b', 99, 102, 9_900_000));
    agg.ingestTrade(trade('b', 100, 1, 9_900_000));
    agg.tick(10_000_000);
    return agg;
  }

  it('rejects each bad input with its reason and field, counts it per source, and changes nothing', () => {
    const agg = seeded();
    const before = JSON.stringify(agg.exportState(INSTRUMENT));
    const cases = [
      [agg.ingestTick(tick('b', 101, 100, 9_950_000)), 'crossed_book', 'bid'],
      [agg.ingestTick(tick('b', 100, 100, 9_950_000)), 'crossed_book', 'bid'],
      [agg.ingestTick(tick('b', 99, 102, 9_950_000, { bidSize: -1 })), 'negative_value', 'bidSize'],
      [agg.ingestTick(tick('b', Number.NaN, 102, 9_950_000)), 'not_finite', 'bid'],
      [agg.ingestTick(tick('b', 99, Number.POSITIVE_INFINITY, 9_950_000)), 'not_finite', 'ask'],
      [agg.ingestTick(tick('b', 99, 102, 4_000_000)), 'stale_timestamp', 'tsEvent'],
      [
        agg.ingestTick(tick('b', 99, 102, 9_950_000, { instrument: 'ETH/USDT' })),
        'unknown_instrument',
        'instrument',
      ],
      [agg.ingestTrade(trade('b', -1, 1, 9_950_000)), 'negative_value', 'price'],
      [agg.ingestTrade(trade('b', 100, 0, 9_950_000)), 'non_positive', 'amount'],
      [agg.ingestTrade(trade('b', 100, 1, Number.NaN)), 'not_finite', 'tsEvent'],
      [agg.ingestTrade(trade('b', 100, 1, 4_000_000)), 'stale_timestamp', 'tsEvent'],
      [agg.ingestBook(book('a', false, [[100, -2]], [], 9_950_000)), 'negative_value', 'bids[0].size'],
      [agg.ingestBook(book('a', false, [], [[Number.NaN, 1]], 9_950_000)), 'not_finite', 'asks[0].price'],
      [
        agg.ingestBook(book('a', false, [[100, 2]], [], 9_950_000, { sequence: 10 })),
        'stale_sequence',
        'sequence',
      ],
      [
        agg.ingestBook(book('a', false, [[100, 2]], [], 4_000_000, { sequence: 11 })),
        'stale_timestamp',
        'tsEvent',
      ],
      [agg.ingestBook(book('b', false, [[99, 1]], [], 9_950_000)), 'book_awaiting_snapshot', 'snapshot'],
    ] as const;
    for (const [result, reason, field] of cases) expect(result).toEqual({ ok: false, reason, field });
    expect(JSON.stringify(agg.exportState(INSTRUMENT))).toBe(before);
    expect(agg.exportState('ETH/USDT')).toBeUndefined();
    expect(agg.tick(10_100_000).snapshots).toEqual([]);
    expect(agg.rejections()).toEqual({
      a: { negative_value: 1, not_finite: 1, stale_sequence: 1, stale_timestamp: 1 },
      b: {
        book_awaiting_snapshot: 1,
        crossed_book: 2,
        negative_value: 2,
        non_positive: 1,
        not_finite: 3,
        stale_timestamp: 2,
        unknown_instrument: 1,
      },
    });
  });

  it('treats input older than the source last accepted one by more than staleAfter as stale', () => {
    const agg = new MarketAggregator({ staleAfterMicros: 1_000_000 });
    expect(agg.ingestTick(tick('a', 1, 2, 12_000_000)).ok).toBe(true);
    agg.tick(10_000_000);
    // Within staleAfter of the last tick() but more than 1 s older than a's last accepted tick.
    expect(agg.ingestTick(tick('a', 1, 2, 10_500_000))).toEqual({
      ok: false,
      reason: 'stale_timestamp',
      field: 'tsEvent',
    });
    // Older than the source's last but within the limit: accepted, without replacing the newer quote.
    expect(agg.ingestTick(tick('a', 1.5, 2, 11_500_000)).ok).toBe(true);
    expect(agg.ingestTick(tick('other', 1, 2, 10_500_000)).ok).toBe(true);
    const snap = only(agg.tick(10_100_000).snapshots);
    expect(snap.sources.map((s) => [s.source, s.bid, s.tsEvent, s.ticksPerSec])).toEqual([
      ['a', 1, 12_000_000, 0.2],
      ['other', 1, 10_500_000, 0.1],
    ]);
  });

  it('drops a source book that a delta crossed until its next snapshot; other sources are untouched', () => {
    const agg = seeded();
    agg.ingestBook(book('c', true, [[99.5, 1]], [[101.5, 1]], 9_950_000));
    expect(agg.ingestBook(book('a', false, [[101.2, 1]], [], 9_960_000, { sequence: 11 }))).toEqual({
      ok: false,
      reason: 'crossed_book',
      field: 'bids',
    });
    const snap = only(agg.tick(10_100_000).snapshots);
    // 'a' stays listed, quoting nothing, so a dashboard shows why its levels are gone.
    expect(snap.sources.map((s) => [s.source, s.book, s.bid, s.ask, s.mid])).toEqual([
      ['a', 'awaiting_snapshot', 0, 0, null],
      ['b', 'none', expect.any(Number), expect.any(Number), expect.any(Number)],
      ['c', 'trusted', expect.any(Number), expect.any(Number), expect.any(Number)],
    ]);
    expect(snap.book.bids.flatMap((l) => l.sources.map((s) => s.source))).toEqual(['c', 'b']);
    expect(snap.book.asks.map((l) => [l.price, l.sources.map((s) => s.source)])).toEqual([
      [101.5, ['c']],
      [102, ['b']],
    ]);
    expect(agg.ingestBook(book('a', false, [[99, 1]], [], 9_970_000, { sequence: 12 }))).toMatchObject({
      reason: 'book_awaiting_snapshot',
    });
    expect(agg.ingestBook(book('a', true, [[100, 5]], [[100, 1]], 9_970_000))).toMatchObject({
      reason: 'crossed_book',
    });
    expect(agg.ingestBook(book('a', true, [[100, 5]], [[101, 1]], 9_980_000, { sequence: 20 })).ok).toBe(
      true,
    );
    const back = only(agg.tick(10_200_000).snapshots);
    expect(back.bestBid).toEqual({ price: 100, size: 5, source: 'a' });
    expect(back.sources[0]).toMatchObject({ source: 'a', book: 'trusted' });
  });

  it('refuses invalid settings and tick times', () => {
    expect(() => new MarketAggregator({ candleIntervalsMicros: [] })).toThrow(AggregationError);
    expect(() => new MarketAggregator({ feesBps: { a: -1 } })).toThrow(/feesBps/);
    expect(() => new MarketAggregator().tick(Number.NaN)).toThrow(AggregationError);
  });
});

describe('MarketAggregator export and import', () => {
  function feed(agg: MarketAggregator, base: number): void {
    agg.ingestBook(
      book('a', base === 0, [[100, 1 + base]], [[101, 1]], 900_000 + base, { sequence: 5 + base }),
    );
    agg.ingestTick(tick('b', 101.5, 102, 900_000 + base, { tsInit: 905_000 + base }));
    agg.ingestTick(tick('c', 99, 100.5, 900_000 + base, { tsInit: 903_000 + base }));
    agg.ingestTrade(trade('b', 101 + base / 1_000_000, 0.5, 950_000 + base));
    agg.ingestTrade(trade('c', 100, 2, 1_050_000 + base));
  }

  it('rebuilds a state that gives the same next snapshot and events', () => {
    const original = new MarketAggregator();
    feed(original, 0);
    original.tick(1_000_000);
    original.ingestTick(tick('b', 101.7, 102, 1_100_000));
    original.tick(1_100_000);
    const saved = JSON.parse(JSON.stringify(original.exportState(INSTRUMENT))) as unknown;

    const moved = new MarketAggregator();
    moved.importState(INSTRUMENT, saved, { trustBooks: true });
    expect(moved.exportState(INSTRUMENT)).toEqual(saved);
    for (const agg of [original, moved]) feed(agg, 300_000);
    const a = original.tick(2_000_000);
    const b = moved.tick(2_000_000);
    expect(JSON.stringify(b)).toBe(JSON.stringify(a));
    expect(a.closedCandles.length).toBeGreaterThan(0);
    expect(only(a.snapshots).arbitrage.length).toBeGreaterThan(0);
    expect(only(a.snapshots).comparisons).toHaveLength(3);
  });

  it('by default waits for a fresh book snapshot, since deltas may have been missed', () => {
    const original = new MarketAggregator();
    feed(original, 0);
    original.tick(1_000_000);
    const moved = new MarketAggregator();
    moved.importState(INSTRUMENT, original.exportState(INSTRUMENT));
    expect(moved.ingestBook(book('a', false, [[100, 3]], [], 1_100_000, { sequence: 9 }))).toMatchObject({
      reason: 'book_awaiting_snapshot',
    });
    const snap = only(moved.tick(1_100_000).snapshots);
    expect(snap.sources.map((s) => [s.source, s.book])).toEqual([
      ['a', 'awaiting_snapshot'],
      ['b', 'none'],
      ['c', 'none'],
    ]);
    expect(snap.book.bids.flatMap((l) => l.sources.map((s) => s.source))).not.toContain('a');
    expect(snap.candles.length).toBeGreaterThan(0);
  });

  it('refuses a state for another instrument or one that does not parse', () => {
    const agg = new MarketAggregator();
    agg.ingestTick(tick('a', 1, 2, 0));
    const state = agg.exportState(INSTRUMENT);
    expect(() => agg.importState('ETH/USDT', state)).toThrow(AggregationError);
    expect(() => agg.importState(INSTRUMENT, { v: 2 })).toThrow(AggregationError);
  });
});
