// What the aggregator publishes: `tm.md.agg.<slot>` snapshots, closed candles and arbitrage windows (stream MD).
import { z } from 'zod';
import { UnifiedSymbol } from './market-data.schema.js';

const finite = z.number().refine(Number.isFinite, 'must be a finite number');
const micros = z.number().int().nonnegative();

const instrument = UnifiedSymbol;
const source = z.string().min(1);

/** A closed OHLCV candle (JetStream, for the persister). Open/close are the trades with the lowest/highest tsEvent. */
export const CandleV1 = z.object({
  v: z.literal(1),
  instrument,
  intervalMicros: micros.positive(),
  /** Aligned to the interval: start % intervalMicros === 0. */
  start: micros,
  open: finite.positive(),
  high: finite.positive(),
  low: finite.positive(),
  close: finite.positive(),
  /** Sum of trade amounts. */
  volume: finite.positive(),
  trades: z.number().int().positive(),
});
export type CandleV1 = z.infer<typeof CandleV1>;

/** A closed arbitrage window: buy at `buySource`'s ask, sell at `sellSource`'s bid, both after fees. */
export const ArbitrageWindowV1 = z.object({
  v: z.literal(1),
  instrument,
  buySource: source,
  sellSource: source,
  /** tick() times at which the cross was first seen and first seen gone. */
  openedAt: micros,
  closedAt: micros,
  durationMicros: micros,
  /** (bid * (1 - feeSell) / (ask * (1 + feeBuy)) - 1) * 10,000, the best over the window, and when. */
  bestEdgeBps: finite.positive(),
  bestEdgeAt: micros,
});
export type ArbitrageWindowV1 = z.infer<typeof ArbitrageWindowV1>;

const levelSource = z.object({ source, size: finite.nonnegative() });
const consolidatedLevel = z.object({
  price: finite.nonnegative(),
  /** Sum of the sources' sizes at this price. */
  size: finite.nonnegative(),
  /** Sorted by source. */
  sources: z.array(levelSource),
});
const best = z.object({ price: finite.nonnegative(), size: finite.nonnegative(), source }).nullable();

export const AggregateSourceV1 = z.object({
  source,
  /** Top of book: the latest tick; a source that sends no ticks uses its book's best levels. 0 = no quote on that side. */
  bid: finite.nonnegative(),
  bidSize: finite.nonnegative(),
  ask: finite.nonnegative(),
  askSize: finite.nonnegative(),
  /** (bid + ask) / 2, null when a side is missing. */
  mid: finite.nullable(),
  tsEvent: micros,
  tsInit: micros,
  /** Ticks whose tsInit is in (now - window, now], per second. */
  ticksPerSec: finite.nonnegative(),
  /** Mean tsInit - tsEvent of those ticks; null when there are none. */
  receiveLatencyMicros: finite.nullable(),
  /** `none`: never sent a book; `awaiting_snapshot`: its book was crossed and is ignored until its next snapshot. */
  book: z.enum(['none', 'trusted', 'awaiting_snapshot']),
});
export type AggregateSourceV1 = z.infer<typeof AggregateSourceV1>;

export const OpenCandleV1 = CandleV1.omit({ v: true, instrument: true });
export type OpenCandleV1 = z.infer<typeof OpenCandleV1>;

export const FeedComparisonV1 = z.object({
  /** sourceA < sourceB (string order). */
  sourceA: source,
  sourceB: source,
  /** midA - midB now, and its EMAs stepped once per tick interval. */
  midDelta: finite,
  emaFast: finite,
  emaSlow: finite,
  /** Mean receive latency of A minus that of B over the tick-rate window; null if either has no ticks in it. */
  receiveLatencyDiffMicros: finite.nullable(),
});
export type FeedComparisonV1 = z.infer<typeof FeedComparisonV1>;

export const OpenArbitrageWindowV1 = z.object({
  buySource: source,
  sellSource: source,
  openedAt: micros,
  edgeBps: finite.positive(),
  bestEdgeBps: finite.positive(),
  bestEdgeAt: micros,
});
export type OpenArbitrageWindowV1 = z.infer<typeof OpenArbitrageWindowV1>;

/** The state of one instrument at one tick() (`tm.md.agg.<slot>` and the request/reply answer). */
export const AggregateV1 = z.object({
  v: z.literal(1),
  instrument,
  /** The tick() time this snapshot was computed at. */
  tsInit: micros,
  /** Sorted by source. */
  sources: z.array(AggregateSourceV1),
  /** Bids descending, asks ascending; may be crossed across sources (that is an arbitrage). */
  book: z.object({ bids: z.array(consolidatedLevel), asks: z.array(consolidatedLevel) }),
  /** Top of the consolidated book; `source` is the level's largest contributor (ties: first by name). */
  bestBid: best,
  bestAsk: best,
  lastTrade: z
    .object({ price: finite.positive(), amount: finite.positive(), source, tsEvent: micros })
    .nullable(),
  vwap: z.object({
    /** Over the latest open candle of the smallest interval; null when it has no trades. */
    candle: finite.nullable(),
    candleIntervalMicros: micros.positive(),
    /** Over every trade since this instrument's state began (kept across export/import). */
    session: finite.nullable(),
  }),
  /** Open candles, by interval then start. */
  candles: z.array(OpenCandleV1),
  /** Every pair of sources that both have a mid, sorted by (sourceA, sourceB). */
  comparisons: z.array(FeedComparisonV1),
  /** Sorted by (buySource, sellSource). */
  arbitrage: z.array(OpenArbitrageWindowV1),
});
export type AggregateV1 = z.infer<typeof AggregateV1>;

/** `tm.md.snapshot.<slot of instrument>` request: the owner answers `replyEnvelope(AggregateV1)`. */
export const AggregateSnapshotRequestV1 = z.object({ v: z.literal(1), instrument });
export type AggregateSnapshotRequestV1 = z.infer<typeof AggregateSnapshotRequestV1>;
