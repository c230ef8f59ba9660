import { describe, expect, it } from 'vitest';
import { AggregateV1, ArbitrageWindowV1, CandleV1 } from '@tm/contracts';
import { book, seededRandom, tick, trade } from './aggregation.spec-helper.js';
import { MarketAggregator, type IngestResult, type TickOutput } from './market-aggregator.js';

const INSTRUMENTS = ['BTC/USDT', 'ETH/USDT', 'SOL/USDT', 'XRP/USDT'];
const SOURCES = ['binance', 'fix:lp1', 'paper'];

/** A seeded mixed stream (ticks, trades, books, some bad input) through one aggregator; every output kept. */
function run(seed: number): { results: IngestResult[]; ticks: TickOutput[]; rejections: unknown } {
  const random = seededRandom(seed);
  const agg = new MarketAggregator({ instruments: INSTRUMENTS.slice(0, 3), feesBps: { binance: 2 } });
  const results: IngestResult[] = [];
  const ticks: TickOutput[] = [];
  const mids = INSTRUMENTS.map((_, i) => 100 * (i + 1));
  let clock = 1_000_000;
  for (let n = 0; n < 20_000; n++) {
    clock += Math.floor(random() * 2_000);
    if (n % 50 === 0) ticks.push(agg.tick(clock));
    const i = Math.floor(random() * INSTRUMENTS.length);
    const instrument = INSTRUMENTS[i] as string;
    const source = SOURCES[Math.floor(random() * SOURCES.length)] as string;
    mids[i] = (mids[i] as number) * (1 + (random() - 0.5) * 0.002);
    const mid = (mids[i] as number) * (1 + (random() - 0.5) * 0.004);
    const spread = mid * 0.0005;
    const ts = clock - Math.floor(random() * 1_000);
    const kind = random();
    const bad = random() < 0.03;
    if (kind < 0.6) {
      const bid = bad ? mid + spread : mid - spread;
      results.push(
        agg.ingestTick(tick(source, bid, mid + spread, ts, { instrument, bidSize: random() * 5 })),
      );
    } else if (kind < 0.8) {
      results.push(agg.ingestTrade(trade(source, bad ? Number.NaN : mid, random(), ts, { instrument })));
    } else {
      const levels = (side: number) =>
        Array.from(
          { length: 5 },
          (_, k) => [mid + side * (spread + k * spread), Math.floor(random() * 3)] as [number, number],
        );
      const bids = levels(-1);
      const asks = bad ? [[mid - 2 * spread, 1] as [number, number]] : levels(1);
      results.push(agg.ingestBook(book(source, random() < 0.2, bids, asks, ts, { instrument })));
    }
  }
  ticks.push(agg.tick(clock + 4_000_000_000));
  return { results, ticks, rejections: agg.rejections() };
}

describe('MarketAggregator determinism', () => {
  it('gives byte-identical outputs for the same input sequence', () => {
    const first = JSON.stringify(run(7));
    const second = JSON.stringify(run(7));
    expect(second).toBe(first);
    expect(JSON.stringify(run(8))).not.toBe(first);

    const { results, ticks, rejections } = JSON.parse(first) as ReturnType<typeof run>;
    for (const out of ticks) {
      for (const s of out.snapshots) AggregateV1.parse(s);
      for (const c of out.closedCandles) CandleV1.parse(c);
      for (const w of out.arbitrageWindows) ArbitrageWindowV1.parse(w);
    }
    const reasons = new Set(results.flatMap((r) => (r.ok ? [] : [r.reason])));
    expect([...reasons].sort()).toEqual([
      'book_awaiting_snapshot',
      'crossed_book',
      'not_finite',
      'unknown_instrument',
    ]);
    expect(Object.keys(rejections as object)).toEqual(SOURCES);
    expect(ticks.some((t) => t.arbitrageWindows.length > 0)).toBe(true);
    expect(ticks.some((t) => t.closedCandles.length > 0)).toBe(true);
  });
});
