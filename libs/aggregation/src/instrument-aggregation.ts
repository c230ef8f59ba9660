// The state of one instrument across its sources, and the per-tick computation of its AggregateV1.
import type {
  AggregateSourceV1,
  AggregateV1,
  ArbitrageWindowV1,
  CandleV1,
  FeedComparisonV1,
  OpenArbitrageWindowV1,
  OpenCandleV1,
} from '@tm/contracts';
import type { AggregationSettings } from './aggregation.settings.js';
import type { AggregationStateV1 } from './aggregation-state.schema.js';
import { CandleSeries, type CandleState } from './candle-series.js';
import { SourceBook, type BookSide } from './source-book.js';
import { TickWindow } from './tick-window.js';

export type BookStatus = 'none' | 'trusted' | 'awaiting_snapshot';

/** What one source has told us about one instrument. Timestamps of -1 mean "none yet" (real ones are >= 0). */
export class SourceState {
  hasQuote = false;
  bid = 0;
  bidSize = 0;
  ask = 0;
  askSize = 0;
  quoteTsEvent = 0;
  quoteTsInit = 0;
  lastTickTs = -1;
  lastTradeTs = -1;
  lastBookTs = -1;
  lastSequence: number | null = null;
  bookStatus: BookStatus = 'none';
  bookTsEvent = 0;
  bookTsInit = 0;
  readonly book: SourceBook;
  window = new TickWindow();

  constructor(
    readonly source: string,
    maxBookLevels: number,
    /** Fee as a fraction (bps / 10,000). */
    readonly fee: number,
  ) {
    this.book = new SourceBook(maxBookLevels);
  }

  hasBook(): boolean {
    return this.bookStatus === 'trusted' && !this.book.isEmpty();
  }
}

interface Top {
  bid: number;
  bidSize: number;
  ask: number;
  askSize: number;
  tsEvent: number;
  tsInit: number;
}

interface PairState {
  midDelta: number;
  emaFast: number;
  emaSlow: number;
  /** Advanced by whole tick intervals, so rounding never accumulates. */
  updatedAt: number;
}

interface OpenWindow {
  buySource: string;
  sellSource: string;
  openedAt: number;
  edgeBps: number;
  bestEdgeBps: number;
  bestEdgeAt: number;
}

type ConsolidatedLevel = AggregateV1['book']['bids'][number];

/** Outputs of one tick() that are events rather than state. */
export interface TickEvents {
  closedCandles: CandleV1[];
  arbitrageWindows: ArbitrageWindowV1[];
}

const PAIR_KEY_SEPARATOR = '\n';

export class InstrumentAggregation {
  private readonly sources = new Map<string, SourceState>();
  private sourceOrder: SourceState[] = [];
  private readonly candles: CandleSeries[];
  private lastTrade: AggregateV1['lastTrade'] = null;
  private sessionTurnover = 0;
  private sessionVolume = 0;
  private readonly pairs = new Map<string, PairState>();
  private readonly windows = new Map<string, OpenWindow>();
  private consolidated: AggregateV1['book'] = { bids: [], asks: [] };
  /** Set by accepted input; time-driven changes (window expiry, candle close) are found through dueAt. */
  private dirty = true;
  private bookDirty = true;
  private dueAt = Number.POSITIVE_INFINITY;
  private lastSnapshot: AggregateV1 | undefined;
  private readonly alphaFast: number;
  private readonly alphaSlow: number;

  constructor(
    readonly instrument: string,
    private readonly settings: AggregationSettings,
  ) {
    this.candles = settings.candleIntervalsMicros.map((interval) => new CandleSeries(interval));
    this.alphaFast = 2 / (settings.emaFastPeriodTicks + 1);
    this.alphaSlow = 2 / (settings.emaSlowPeriodTicks + 1);
  }

  findSource(source: string): SourceState | undefined {
    return this.sources.get(source);
  }

  source(source: string): SourceState {
    let state = this.sources.get(source);
    if (state === undefined) {
      const fees = this.settings.feesBps;
      const feeBps = Object.hasOwn(fees, source) ? (fees[source] as number) : this.settings.defaultFeeBps;
      state = new SourceState(source, this.settings.maxBookLevels, feeBps / 10_000);
      this.sources.set(source, state);
      this.sourceOrder = [...this.sources.values()].sort((a, b) => compareStrings(a.source, b.source));
    }
    return state;
  }

  /** An accepted tick; an older tick than the current quote counts for rate and latency but does not replace it. */
  applyTick(
    s: SourceState,
    bid: number,
    bidSize: number,
    ask: number,
    askSize: number,
    tsEvent: number,
    tsInit: number,
  ): void {
    s.window.push(tsInit, tsInit - tsEvent);
    if (tsEvent > s.lastTickTs) s.lastTickTs = tsEvent;
    if (!s.hasQuote || tsEvent >= s.quoteTsEvent) {
      s.hasQuote = true;
      s.bid = bid;
      s.bidSize = bidSize;
      s.ask = ask;
      s.askSize = askSize;
      s.quoteTsEvent = tsEvent;
      s.quoteTsInit = tsInit;
      this.bookDirty = true;
    }
    this.dirty = true;
  }

  /** An accepted trade; returns false when it was late for at least one interval's candle. */
  applyTrade(s: SourceState, price: number, amount: number, tsEvent: number, closedThrough: number): boolean {
    if (tsEvent > s.lastTradeTs) s.lastTradeTs = tsEvent;
    let inTime = true;
    for (const series of this.candles) {
      if (!series.add(price, amount, tsEvent, closedThrough)) inTime = false;
    }
    if (this.lastTrade === null || tsEvent >= this.lastTrade.tsEvent) {
      this.lastTrade = { price, amount, source: s.source, tsEvent };
    }
    this.sessionTurnover += price * amount;
    this.sessionVolume += amount;
    this.dirty = true;
    return inTime;
  }

  /** Marks that a source's book (or its trust) changed. */
  touchBook(): void {
    this.dirty = true;
    this.bookDirty = true;
  }

  needsCompute(now: number): boolean {
    return this.dirty || now >= this.dueAt;
  }

  snapshot(): AggregateV1 | undefined {
    return this.lastSnapshot;
  }

  /** Recomputes the aggregate at tick time `now`, appending closed candles and arbitrage windows to `events`. */
  compute(now: number, events: TickEvents): AggregateV1 {
    const settings = this.settings;
    const cutoff = now - settings.tickRateWindowMicros;
    const windowSeconds = settings.tickRateWindowMicros / 1_000_000;
    let dueAt = Number.POSITIVE_INFINITY;

    for (const series of this.candles) {
      for (const c of series.closeUntil(now))
        events.closedCandles.push(this.closedCandle(series.intervalMicros, c));
      const end = series.nextEnd();
      if (end !== null && end < dueAt) dueAt = end;
    }

    if (this.bookDirty) {
      this.consolidated = this.mergeBooks();
      this.bookDirty = false;
    }

    const sources: AggregateSourceV1[] = [];
    const tops: { state: SourceState; top: Top; mid: number | null; latency: number | null }[] = [];
    for (const s of this.sourceOrder) {
      s.window.evict(cutoff);
      const oldest = s.window.oldest();
      if (oldest !== null && oldest + settings.tickRateWindowMicros < dueAt) {
        dueAt = oldest + settings.tickRateWindowMicros;
      }
      const latency = s.window.meanLatency();
      const top = topOf(s);
      if (top === null) {
        // A book-only source whose book was refused stays listed, quoting nothing, until its next snapshot.
        if (s.bookStatus === 'awaiting_snapshot') {
          sources.push({
            ...NO_QUOTE,
            source: s.source,
            tsEvent: s.bookTsEvent,
            tsInit: s.bookTsInit,
            ticksPerSec: s.window.count / windowSeconds,
            receiveLatencyMicros: latency,
            book: s.bookStatus,
          });
        }
        continue;
      }
      const mid = top.bid > 0 && top.ask > 0 ? (top.bid + top.ask) / 2 : null;
      tops.push({ state: s, top, mid, latency });
      sources.push({
        source: s.source,
        bid: top.bid,
        bidSize: top.bidSize,
        ask: top.ask,
        askSize: top.askSize,
        mid,
        tsEvent: top.tsEvent,
        tsInit: top.tsInit,
        ticksPerSec: s.window.count / windowSeconds,
        receiveLatencyMicros: latency,
        book: s.bookStatus,
      });
    }

    const comparisons = this.compareFeeds(now, tops);
    const arbitrage = this.evaluateArbitrage(now, tops, events);

    const smallest = this.candles[0] as CandleSeries;
    const current = smallest.latest();
    const candles: OpenCandleV1[] = [];
    for (const series of this.candles) {
      for (const c of series.open) candles.push(openCandle(series.intervalMicros, c));
    }
    const book = this.consolidated;
    const snapshot: AggregateV1 = {
      v: 1,
      instrument: this.instrument,
      tsInit: now,
      sources,
      book,
      bestBid: bestOf(book.bids[0]),
      bestAsk: bestOf(book.asks[0]),
      lastTrade: this.lastTrade,
      vwap: {
        candle: current === undefined ? null : current.turnover / current.volume,
        candleIntervalMicros: smallest.intervalMicros,
        session: this.sessionVolume > 0 ? this.sessionTurnover / this.sessionVolume : null,
      },
      candles,
      comparisons,
      arbitrage,
    };
    this.dirty = false;
    this.dueAt = dueAt;
    this.lastSnapshot = snapshot;
    return snapshot;
  }

  private closedCandle(intervalMicros: number, c: CandleState): CandleV1 {
    return { v: 1, instrument: this.instrument, ...openCandle(intervalMicros, c) };
  }

  /** Each source contributes its trusted book, or else its tick quote as one level per side. */
  private mergeBooks(): AggregateV1['book'] {
    const bidInputs: MergeInput[] = [];
    const askInputs: MergeInput[] = [];
    for (const s of this.sourceOrder) {
      if (s.hasBook()) {
        bidInputs.push(sideInput(s.source, s.book.bids));
        askInputs.push(sideInput(s.source, s.book.asks));
      } else if (s.hasQuote) {
        if (s.bid > 0) bidInputs.push({ source: s.source, prices: [s.bid], sizes: [s.bidSize] });
        if (s.ask > 0) askInputs.push({ source: s.source, prices: [s.ask], sizes: [s.askSize] });
      }
    }
    const depth = this.settings.maxConsolidatedLevels;
    return { bids: mergeSide(bidInputs, true, depth), asks: mergeSide(askInputs, false, depth) };
  }

  private compareFeeds(
    now: number,
    tops: readonly { state: SourceState; mid: number | null; latency: number | null }[],
  ): FeedComparisonV1[] {
    const comparisons: FeedComparisonV1[] = [];
    const seen = new Set<string>();
    const interval = this.settings.tickIntervalMicros;
    for (let i = 0; i < tops.length; i++) {
      const a = tops[i] as (typeof tops)[number];
      if (a.mid === null) continue;
      for (let j = i + 1; j < tops.length; j++) {
        const b = tops[j] as (typeof tops)[number];
        if (b.mid === null) continue;
        const key = a.state.source + PAIR_KEY_SEPARATOR + b.state.source;
        const delta = a.mid - b.mid;
        let pair = this.pairs.get(key);
        if (pair === undefined) {
          pair = { midDelta: delta, emaFast: delta, emaSlow: delta, updatedAt: now };
          this.pairs.set(key, pair);
        } else {
          // The instrument was not recomputed between updates, so the old delta held for the skipped steps.
          const steps = Math.round((now - pair.updatedAt) / interval);
          if (steps > 0) {
            pair.emaFast = stepEma(pair.emaFast, pair.midDelta, delta, steps, this.alphaFast);
            pair.emaSlow = stepEma(pair.emaSlow, pair.midDelta, delta, steps, this.alphaSlow);
            pair.updatedAt += steps * interval;
          }
          pair.midDelta = delta;
        }
        seen.add(key);
        comparisons.push({
          sourceA: a.state.source,
          sourceB: b.state.source,
          midDelta: delta,
          emaFast: pair.emaFast,
          emaSlow: pair.emaSlow,
          receiveLatencyDiffMicros: a.latency === null || b.latency === null ? null : a.latency - b.latency,
        });
      }
    }
    // A pair that lost a mid restarts its averages when it comes back.
    for (const key of [...this.pairs.keys()]) if (!seen.has(key)) this.pairs.delete(key);
    return comparisons;
  }

  private evaluateArbitrage(
    now: number,
    tops: readonly { state: SourceState; top: Top }[],
    events: TickEvents,
  ): OpenArbitrageWindowV1[] {
    const crossing = new Map<string, number>();
    for (const sell of tops) {
      if (sell.top.bid <= 0) continue;
      const proceeds = sell.top.bid * (1 - sell.state.fee);
      for (const buy of tops) {
        if (buy === sell || buy.top.ask <= 0) continue;
        const cost = buy.top.ask * (1 + buy.state.fee);
        if (proceeds > cost) {
          crossing.set(
            buy.state.source + PAIR_KEY_SEPARATOR + sell.state.source,
            (proceeds / cost - 1) * 10_000,
          );
        }
      }
    }
    for (const key of [...this.windows.keys()].sort(compareStrings)) {
      if (crossing.has(key)) continue;
      const w = this.windows.get(key) as OpenWindow;
      this.windows.delete(key);
      events.arbitrageWindows.push({
        v: 1,
        instrument: this.instrument,
        buySource: w.buySource,
        sellSource: w.sellSource,
        openedAt: w.openedAt,
        closedAt: now,
        durationMicros: now - w.openedAt,
        bestEdgeBps: w.bestEdgeBps,
        bestEdgeAt: w.bestEdgeAt,
      });
    }
    const open: OpenArbitrageWindowV1[] = [];
    for (const key of [...crossing.keys()].sort(compareStrings)) {
      const edge = crossing.get(key) as number;
      let w = this.windows.get(key);
      if (w === undefined) {
        const [buySource, sellSource] = key.split(PAIR_KEY_SEPARATOR) as [string, string];
        w = { buySource, sellSource, openedAt: now, edgeBps: edge, bestEdgeBps: edge, bestEdgeAt: now };
        this.windows.set(key, w);
      } else {
        w.edgeBps = edge;
        if (edge > w.bestEdgeBps) {
          w.bestEdgeBps = edge;
          w.bestEdgeAt = now;
        }
      }
      open.push({ ...w });
    }
    return open;
  }

  exportState(): AggregationStateV1 {
    return {
      v: 1,
      instrument: this.instrument,
      sources: this.sourceOrder.map((s) => ({
        source: s.source,
        quote: s.hasQuote
          ? {
              bid: s.bid,
              bidSize: s.bidSize,
              ask: s.ask,
              askSize: s.askSize,
              tsEvent: s.quoteTsEvent,
              tsInit: s.quoteTsInit,
            }
          : null,
        lastTsEvent: {
          tick: s.lastTickTs < 0 ? null : s.lastTickTs,
          trade: s.lastTradeTs < 0 ? null : s.lastTradeTs,
          book: s.lastBookTs < 0 ? null : s.lastBookTs,
        },
        lastSequence: s.lastSequence,
        book: {
          status: s.bookStatus,
          tsEvent: s.bookTsEvent,
          tsInit: s.bookTsInit,
          bids: s.book.bids.levels(),
          asks: s.book.asks.levels(),
        },
        window: s.window.export(),
      })),
      candles: this.candles.map((series) => ({
        intervalMicros: series.intervalMicros,
        open: series.open.map((c) => ({ ...c })),
      })),
      lastTrade: this.lastTrade === null ? null : { ...this.lastTrade },
      session: { turnover: this.sessionTurnover, volume: this.sessionVolume },
      pairs: [...this.pairs.entries()]
        .sort(([a], [b]) => compareStrings(a, b))
        .map(([key, p]) => {
          const [sourceA, sourceB] = key.split(PAIR_KEY_SEPARATOR) as [string, string];
          return { sourceA, sourceB, ...p };
        }),
      arbitrage: [...this.windows.entries()]
        .sort(([a], [b]) => compareStrings(a, b))
        .map(([, w]) => ({ ...w })),
    };
  }

  /** Rebuilds from an exported state; books come back trusted only when asked (deltas may have been missed since). */
  static fromState(
    state: AggregationStateV1,
    settings: AggregationSettings,
    trustBooks: boolean,
  ): InstrumentAggregation {
    const agg = new InstrumentAggregation(state.instrument, settings);
    for (const saved of state.sources) {
      const s = agg.source(saved.source);
      if (saved.quote !== null) {
        s.hasQuote = true;
        s.bid = saved.quote.bid;
        s.bidSize = saved.quote.bidSize;
        s.ask = saved.quote.ask;
        s.askSize = saved.quote.askSize;
        s.quoteTsEvent = saved.quote.tsEvent;
        s.quoteTsInit = saved.quote.tsInit;
      }
      s.lastTickTs = saved.lastTsEvent.tick ?? -1;
      s.lastTradeTs = saved.lastTsEvent.trade ?? -1;
      s.lastBookTs = saved.lastTsEvent.book ?? -1;
      s.bookTsEvent = saved.book.tsEvent;
      s.bookTsInit = saved.book.tsInit;
      if (saved.book.status === 'trusted' && trustBooks) {
        s.book.apply(saved.book.bids, saved.book.asks);
        s.bookStatus = s.book.isCrossed() ? 'awaiting_snapshot' : 'trusted';
        if (s.bookStatus !== 'trusted') s.book.clear();
        s.lastSequence = saved.lastSequence;
      } else {
        s.bookStatus = saved.book.status === 'none' ? 'none' : 'awaiting_snapshot';
      }
      s.window = TickWindow.from(saved.window);
    }
    for (const saved of state.candles) {
      const series = agg.candles.find((c) => c.intervalMicros === saved.intervalMicros);
      if (series === undefined) continue;
      for (const c of [...saved.open].sort((a, b) => a.start - b.start)) {
        if (c.start % series.intervalMicros === 0) series.open.push({ ...c });
      }
    }
    agg.lastTrade = state.lastTrade === null ? null : { ...state.lastTrade };
    agg.sessionTurnover = state.session.turnover;
    agg.sessionVolume = state.session.volume;
    for (const p of state.pairs) {
      agg.pairs.set(p.sourceA + PAIR_KEY_SEPARATOR + p.sourceB, {
        midDelta: p.midDelta,
        emaFast: p.emaFast,
        emaSlow: p.emaSlow,
        updatedAt: p.updatedAt,
      });
    }
    for (const w of state.arbitrage)
      agg.windows.set(w.buySource + PAIR_KEY_SEPARATOR + w.sellSource, { ...w });
    return agg;
  }
}

interface MergeInput {
  source: string;
  prices: readonly number[];
  sizes: readonly number[];
}

function sideInput(source: string, side: BookSide): MergeInput {
  return { source, prices: side.prices, sizes: side.sizes };
}

/** k-way merge of sorted per-source sides; inputs come in source order, so each level's sources are sorted. */
function mergeSide(inputs: readonly MergeInput[], descending: boolean, depth: number): ConsolidatedLevel[] {
  const cursor = new Array<number>(inputs.length).fill(0);
  const levels: ConsolidatedLevel[] = [];
  while (levels.length < depth) {
    let best = Number.NaN;
    for (let i = 0; i < inputs.length; i++) {
      const input = inputs[i] as MergeInput;
      const at = cursor[i] as number;
      if (at >= input.prices.length) continue;
      const price = input.prices[at] as number;
      if (Number.isNaN(best) || (descending ? price > best : price < best)) best = price;
    }
    if (Number.isNaN(best)) break;
    let size = 0;
    const sources: { source: string; size: number }[] = [];
    for (let i = 0; i < inputs.length; i++) {
      const input = inputs[i] as MergeInput;
      const at = cursor[i] as number;
      if (at < input.prices.length && input.prices[at] === best) {
        const levelSize = input.sizes[at] as number;
        sources.push({ source: input.source, size: levelSize });
        size += levelSize;
        cursor[i] = at + 1;
      }
    }
    levels.push({ price: best, size, sources });
  }
  return levels;
}

function bestOf(level: ConsolidatedLevel | undefined): AggregateV1['bestBid'] {
  if (level === undefined) return null;
  let top = level.sources[0] as { source: string; size: number };
  for (const s of level.sources) if (s.size > top.size) top = s;
  return { price: level.price, size: level.size, source: top.source };
}

const NO_QUOTE = { bid: 0, bidSize: 0, ask: 0, askSize: 0, mid: null } as const;

function topOf(s: SourceState): Top | null {
  if (s.hasQuote) {
    return {
      bid: s.bid,
      bidSize: s.bidSize,
      ask: s.ask,
      askSize: s.askSize,
      tsEvent: s.quoteTsEvent,
      tsInit: s.quoteTsInit,
    };
  }
  if (!s.hasBook()) return null;
  const { bids, asks } = s.book;
  return {
    bid: bids.length > 0 ? (bids.prices[0] as number) : 0,
    bidSize: bids.length > 0 ? (bids.sizes[0] as number) : 0,
    ask: asks.length > 0 ? (asks.prices[0] as number) : 0,
    askSize: asks.length > 0 ? (asks.sizes[0] as number) : 0,
    tsEvent: s.bookTsEvent,
    tsInit: s.bookTsInit,
  };
}

function openCandle(intervalMicros: number, c: CandleState): OpenCandleV1 {
  return {
    intervalMicros,
    start: c.start,
    open: c.open,
    high: c.high,
    low: c.low,
    close: c.close,
    volume: c.volume,
    trades: c.trades,
  };
}

/** `steps` EMA steps: the first steps - 1 at the previous delta (closed form), the last at the new one. */
export function stepEma(ema: number, previous: number, next: number, steps: number, alpha: number): number {
  const caughtUp = steps > 1 ? previous + (ema - previous) * Math.pow(1 - alpha, steps - 1) : ema;
  return caughtUp + alpha * (next - caughtUp);
}

/** Code-unit order, independent of locale. */
export function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
