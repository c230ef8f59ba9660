// The aggregation core: validates and ingests market data, and computes every instrument's state at tick().
import type { BookDeltaV1, TickV1, TradeV1 } from '@tm/contracts';
import type { AggregateV1, ArbitrageWindowV1, CandleV1 } from '@tm/contracts';
import { AggregationError, AggregationErrorCode } from './aggregation.error.js';
import { resolveAggregationSettings, type AggregationSettings } from './aggregation.settings.js';
import { AggregationStateV1 } from './aggregation-state.schema.js';
import { compareStrings, InstrumentAggregation, type SourceState } from './instrument-aggregation.js';
import type { BookLevel } from './source-book.js';

/** Why an input was refused, checked in this order. */
export const REJECTION_REASONS = [
  'unknown_instrument',
  'not_finite',
  'negative_value',
  /** A trade price or amount of 0. */
  'non_positive',
  /** A book delta whose sequence is not above the last applied one. */
  'stale_sequence',
  'stale_timestamp',
  /** A book delta for a source without a trusted book (never snapshotted, or reset after a cross). */
  'book_awaiting_snapshot',
  /** A tick with bid >= ask, a book snapshot or delta that leaves the source's book crossed or locked. */
  'crossed_book',
] as const;
export type RejectionReason = (typeof REJECTION_REASONS)[number];

export type IngestResult = { ok: true } | { ok: false; reason: RejectionReason; field: string };

/** What one tick() produced: snapshots of the instruments recomputed, and the events that happened. */
export interface TickOutput {
  tsInit: number;
  /** By instrument. */
  snapshots: AggregateV1[];
  /** By instrument, interval, start. */
  closedCandles: CandleV1[];
  /** By instrument, buySource, sellSource. */
  arbitrageWindows: ArbitrageWindowV1[];
}

export interface ImportOptions {
  /** Take the saved books as current; false (default) waits for each source's next snapshot. */
  trustBooks?: boolean;
}

const ACCEPTED: IngestResult = Object.freeze({ ok: true });
const TICK_FIELDS = ['bid', 'bidSize', 'ask', 'askSize', 'tsEvent', 'tsInit'] as const;
const TRADE_FIELDS = ['price', 'amount', 'tsEvent', 'tsInit'] as const;

export class MarketAggregator {
  readonly settings: AggregationSettings;
  private readonly instrumentStates = new Map<string, InstrumentAggregation>();
  private instrumentOrder: InstrumentAggregation[] = [];
  private readonly allowList: ReadonlySet<string> | null;
  private readonly rejectionCounts = new Map<string, Map<RejectionReason, number>>();
  private readonly lateTrades = new Map<string, number>();
  private lastTickNow = Number.NEGATIVE_INFINITY;

  constructor(settings: Partial<AggregationSettings> = {}) {
    this.settings = resolveAggregationSettings(settings);
    this.allowList = this.settings.instruments === null ? null : new Set(this.settings.instruments);
  }

  ingestTick(t: TickV1): IngestResult {
    if (this.allowList !== null && !this.allowList.has(t.instrument)) {
      return this.reject(t.source, 'unknown_instrument', 'instrument');
    }
    for (const field of TICK_FIELDS) {
      const problem = numberProblem(t[field]);
      if (problem !== null) return this.reject(t.source, problem, field);
    }
    const state = this.instrumentStates.get(t.instrument);
    const known = state?.findSource(t.source);
    if (this.isStale(t.tsEvent, known === undefined ? -1 : known.lastTickTs)) {
      return this.reject(t.source, 'stale_timestamp', 'tsEvent');
    }
    if (t.bid > 0 && t.ask > 0 && t.bid >= t.ask) return this.reject(t.source, 'crossed_book', 'bid');
    const agg = state ?? this.createInstrument(t.instrument);
    agg.applyTick(known ?? agg.source(t.source), t.bid, t.bidSize, t.ask, t.askSize, t.tsEvent, t.tsInit);
    return ACCEPTED;
  }

  ingestTrade(t: TradeV1): IngestResult {
    if (this.allowList !== null && !this.allowList.has(t.instrument)) {
      return this.reject(t.source, 'unknown_instrument', 'instrument');
    }
    for (const field of TRADE_FIELDS) {
      const problem = numberProblem(t[field]);
      if (problem !== null) return this.reject(t.source, problem, field);
    }
    if (t.price === 0) return this.reject(t.source, 'non_positive', 'price');
    if (t.amount === 0) return this.reject(t.source, 'non_positive', 'amount');
    const state = this.instrumentStates.get(t.instrument);
    const known = state?.findSource(t.source);
    if (this.isStale(t.tsEvent, known === undefined ? -1 : known.lastTradeTs)) {
      return this.reject(t.source, 'stale_timestamp', 'tsEvent');
    }
    const agg = state ?? this.createInstrument(t.instrument);
    if (!agg.applyTrade(known ?? agg.source(t.source), t.price, t.amount, t.tsEvent, this.lastTickNow)) {
      this.lateTrades.set(t.source, (this.lateTrades.get(t.source) ?? 0) + 1);
    }
    return ACCEPTED;
  }

  /**
   * A snapshot replaces the source's book, a delta changes it (size 0 removes a level). Input that would leave the
   * book crossed is refused, and the source's book is then dropped until its next snapshot: the one exception to
   * "a rejected input changes nothing", since a venue's book that crossed cannot be trusted.
   */
  ingestBook(b: BookDeltaV1): IngestResult {
    if (this.allowList !== null && !this.allowList.has(b.instrument)) {
      return this.reject(b.source, 'unknown_instrument', 'instrument');
    }
    const levelProblem = checkLevels(b.bids, 'bids') ?? checkLevels(b.asks, 'asks');
    if (levelProblem !== null) return this.reject(b.source, levelProblem.reason, levelProblem.field);
    for (const field of ['tsEvent', 'tsInit'] as const) {
      const problem = numberProblem(b[field]);
      if (problem !== null) return this.reject(b.source, problem, field);
    }
    if (b.sequence !== null) {
      const problem = numberProblem(b.sequence);
      if (problem !== null) return this.reject(b.source, problem, 'sequence');
    }
    const state = this.instrumentStates.get(b.instrument);
    const known = state?.findSource(b.source);
    if (
      !b.snapshot &&
      b.sequence !== null &&
      known !== undefined &&
      known.bookStatus === 'trusted' &&
      known.lastSequence !== null &&
      b.sequence <= known.lastSequence
    ) {
      return this.reject(b.source, 'stale_sequence', 'sequence');
    }
    if (this.isStale(b.tsEvent, known === undefined ? -1 : known.lastBookTs)) {
      return this.reject(b.source, 'stale_timestamp', 'tsEvent');
    }

    if (b.snapshot) {
      if (snapshotCrossed(b.bids, b.asks)) {
        if (state !== undefined && known !== undefined) this.distrustBook(state, known);
        return this.reject(b.source, 'crossed_book', 'bids');
      }
      const agg = state ?? this.createInstrument(b.instrument);
      const s = known ?? agg.source(b.source);
      s.book.clear();
      s.book.apply(b.bids, b.asks);
      s.bookStatus = 'trusted';
      s.lastSequence = b.sequence;
      this.bookApplied(agg, s, b);
      return ACCEPTED;
    }

    if (state === undefined || known === undefined || known.bookStatus !== 'trusted') {
      return this.reject(b.source, 'book_awaiting_snapshot', 'snapshot');
    }
    known.book.apply(b.bids, b.asks);
    if (known.book.isCrossed()) {
      this.distrustBook(state, known);
      return this.reject(b.source, 'crossed_book', 'bids');
    }
    if (b.sequence !== null) known.lastSequence = b.sequence;
    this.bookApplied(state, known, b);
    return ACCEPTED;
  }

  /**
   * Recomputes, at tick time `nowMicros`, every instrument that took input since its last computation or whose
   * time-driven state moved (a tick left the rate window, a candle ended); others keep their last snapshot.
   * A time before the previous tick() is taken as the previous tick() time (the state never runs backwards).
   */
  tick(nowMicros: number): TickOutput {
    if (!Number.isFinite(nowMicros) || nowMicros < 0) {
      throw new AggregationError(
        AggregationErrorCode.InvalidTickTime,
        `tick time ${nowMicros} is not a finite micros value`,
      );
    }
    const now = Math.max(nowMicros, this.lastTickNow);
    this.lastTickNow = now;
    const output: TickOutput = { tsInit: now, snapshots: [], closedCandles: [], arbitrageWindows: [] };
    for (const agg of this.instrumentOrder) {
      if (agg.needsCompute(now)) output.snapshots.push(agg.compute(now, output));
    }
    return output;
  }

  /** The last computed state of an instrument (undefined before its first tick()). */
  snapshot(instrument: string): AggregateV1 | undefined {
    return this.instrumentStates.get(instrument)?.snapshot();
  }

  /** Instruments held, sorted. */
  instruments(): string[] {
    return this.instrumentOrder.map((agg) => agg.instrument);
  }

  /** Forgets an instrument (its slot moved away); its open arbitrage windows are dropped, not emitted. */
  removeInstrument(instrument: string): boolean {
    if (!this.instrumentStates.delete(instrument)) return false;
    this.instrumentOrder = this.instrumentOrder.filter((agg) => agg.instrument !== instrument);
    return true;
  }

  exportState(instrument: string): AggregationStateV1 | undefined {
    return this.instrumentStates.get(instrument)?.exportState();
  }

  /** Replaces the instrument's state with a saved one (validated; throws AggregationError); recomputed at the next tick(). */
  importState(instrument: string, state: unknown, options: ImportOptions = {}): void {
    const parsed = AggregationStateV1.safeParse(state);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new AggregationError(
        AggregationErrorCode.InvalidState,
        `invalid aggregation state at ${issue?.path.join('.') ?? '?'}: ${issue?.message ?? 'invalid'}`,
      );
    }
    if (parsed.data.instrument !== instrument) {
      throw new AggregationError(
        AggregationErrorCode.InvalidState,
        `state is for ${parsed.data.instrument}, not ${instrument}`,
      );
    }
    if (this.allowList !== null && !this.allowList.has(instrument)) {
      throw new AggregationError(
        AggregationErrorCode.InvalidState,
        `${instrument} is not an allowed instrument`,
      );
    }
    const agg = InstrumentAggregation.fromState(parsed.data, this.settings, options.trustBooks ?? false);
    this.removeInstrument(instrument);
    this.addInstrument(agg);
  }

  /** Rejections per source and reason, both sorted. */
  rejections(): Record<string, Partial<Record<RejectionReason, number>>> {
    const result: Record<string, Partial<Record<RejectionReason, number>>> = {};
    for (const source of [...this.rejectionCounts.keys()].sort(compareStrings)) {
      const counts = this.rejectionCounts.get(source) as Map<RejectionReason, number>;
      const bySource: Partial<Record<RejectionReason, number>> = {};
      for (const reason of [...counts.keys()].sort(compareStrings)) bySource[reason] = counts.get(reason);
      result[source] = bySource;
    }
    return result;
  }

  /** Accepted trades that were too late for at least one interval's candle (it had closed), per source. */
  lateCandleTrades(): Record<string, number> {
    const result: Record<string, number> = {};
    for (const source of [...this.lateTrades.keys()].sort(compareStrings))
      result[source] = this.lateTrades.get(source) as number;
    return result;
  }

  private isStale(tsEvent: number, lastAccepted: number): boolean {
    const limit = this.settings.staleAfterMicros;
    return (lastAccepted >= 0 && tsEvent < lastAccepted - limit) || tsEvent < this.lastTickNow - limit;
  }

  private bookApplied(agg: InstrumentAggregation, s: SourceState, b: BookDeltaV1): void {
    if (b.tsEvent > s.lastBookTs) s.lastBookTs = b.tsEvent;
    s.bookTsEvent = b.tsEvent;
    s.bookTsInit = b.tsInit;
    agg.touchBook();
  }

  private distrustBook(agg: InstrumentAggregation, s: SourceState): void {
    s.book.clear();
    if (s.bookStatus === 'trusted') {
      s.bookStatus = 'awaiting_snapshot';
      agg.touchBook();
    }
  }

  private createInstrument(instrument: string): InstrumentAggregation {
    const agg = new InstrumentAggregation(instrument, this.settings);
    this.addInstrument(agg);
    return agg;
  }

  private addInstrument(agg: InstrumentAggregation): void {
    this.instrumentStates.set(agg.instrument, agg);
    this.instrumentOrder = [...this.instrumentStates.values()].sort((a, b) =>
      compareStrings(a.instrument, b.instrument),
    );
  }

  private reject(source: string, reason: RejectionReason, field: string): IngestResult {
    let counts = this.rejectionCounts.get(source);
    if (counts === undefined) {
      counts = new Map();
      this.rejectionCounts.set(source, counts);
    }
    counts.set(reason, (counts.get(reason) ?? 0) + 1);
    return { ok: false, reason, field };
  }
}

function numberProblem(value: unknown): 'not_finite' | 'negative_value' | null {
  if (typeof value !== 'number' || !Number.isFinite(value)) return 'not_finite';
  return value < 0 ? 'negative_value' : null;
}

function checkLevels(
  levels: readonly BookLevel[],
  side: 'bids' | 'asks',
): { reason: 'not_finite' | 'negative_value'; field: string } | null {
  for (let i = 0; i < levels.length; i++) {
    const level = levels[i] as BookLevel;
    const priceProblem = numberProblem(level[0]);
    if (priceProblem !== null) return { reason: priceProblem, field: `${side}[${i}].price` };
    const sizeProblem = numberProblem(level[1]);
    if (sizeProblem !== null) return { reason: sizeProblem, field: `${side}[${i}].size` };
  }
  return null;
}

/** Best bid (highest price with size) >= best ask (lowest), without building the book. */
function snapshotCrossed(bids: readonly BookLevel[], asks: readonly BookLevel[]): boolean {
  let bestBid = Number.NEGATIVE_INFINITY;
  let bestAsk = Number.POSITIVE_INFINITY;
  for (const [price, size] of bids) if (size > 0 && price > bestBid) bestBid = price;
  for (const [price, size] of asks) if (size > 0 && price < bestAsk) bestAsk = price;
  return bestBid >= bestAsk;
}
