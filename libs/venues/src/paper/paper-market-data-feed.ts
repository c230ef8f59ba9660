// Market data from the paper exchange's own events: book deltas (sequence = update id), public
// trades, and a tick whenever the best bid or ask changed.
import type { DepthLevel, DepthUpdate, PaperExchange, PublicTrade } from '@tm/matching';
import type {
  FeedEnd,
  MarketDataFeed,
  MarketDataSink,
} from '../adapter/operations/watch-market-data.operation.js';
import { VenueError } from '../adapter/venue-error.js';
import { nowMicros } from '../adapter/venue-types.js';
import { PaperEventHub } from './paper-event-hub.js';
import { mapPaperError } from './paper-error-map.js';

interface Top {
  bid: string | null;
  bidSize: string;
  ask: string | null;
  askSize: string;
}

export interface PaperMarketDataOptions {
  /** Levels in the subscribe snapshot, default 1000. */
  bookDepth?: number;
  /** Recent trades replayed on subscribe, default 100. */
  recentTrades?: number;
}

export class PaperMarketDataFeed implements MarketDataFeed {
  readonly ended: Promise<FeedEnd>;
  private resolveEnded: (end: FeedEnd) => void = () => undefined;
  private readonly subscribed = new Map<string, Top>();
  private readonly detach: () => void;
  private closed = false;

  constructor(
    private readonly exchange: PaperExchange,
    private readonly sink: MarketDataSink,
    private readonly options: PaperMarketDataOptions = {},
  ) {
    this.ended = new Promise((resolve) => (this.resolveEnded = resolve));
    this.detach = PaperEventHub.for(exchange).add({
      trade: (trade) => this.onTrade(trade),
      depth: (update) => this.onDepth(update),
    });
  }

  async subscribe(instrument: string): Promise<void> {
    if (this.closed) throw new VenueError('VENUE_UNAVAILABLE', 'paper: the market data feed has ended');
    if (this.subscribed.has(instrument)) return;
    try {
      const trades = this.exchange.publicTrades(instrument, this.options.recentTrades ?? 100);
      const depth = this.exchange.depth(instrument, this.options.bookDepth ?? 1000);
      // Synchronous from here on: no engine event can slip between the snapshot and the deltas.
      for (const trade of trades) this.emitTrade(trade);
      const tsInit = this.emitSnapshot(instrument, depth);
      const top = topOf(depth.bids[0], depth.asks[0]);
      this.subscribed.set(instrument, top);
      this.emitTick(instrument, top, tsInit);
    } catch (error) {
      throw mapPaperError(error, 'paper subscribe');
    }
  }

  resnapshot(instrument: string): boolean {
    if (this.closed || !this.subscribed.has(instrument)) return false;
    this.emitSnapshot(instrument, this.exchange.depth(instrument, this.options.bookDepth ?? 1000));
    return true;
  }

  async unsubscribe(instrument: string): Promise<void> {
    this.subscribed.delete(instrument);
  }

  /** The whole book as a snapshot at its update id; returns the time it was stamped with. */
  private emitSnapshot(instrument: string, depth: ReturnType<PaperExchange['depth']>): number {
    const tsInit = nowMicros();
    this.sink.book({
      instrument,
      snapshot: true,
      bids: levels(depth.bids),
      asks: levels(depth.asks),
      sequence: depth.updateId,
      tsEvent: tsInit,
      tsInit,
    });
    return tsInit;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.subscribed.clear();
    this.detach();
    this.resolveEnded({ reason: 'closed' });
  }

  private onTrade(trade: PublicTrade): void {
    if (this.subscribed.has(trade.instrument)) this.emitTrade(trade);
  }

  private onDepth(update: DepthUpdate): void {
    const previous = this.subscribed.get(update.instrument);
    if (previous === undefined) return;
    this.sink.book({
      instrument: update.instrument,
      snapshot: false,
      bids: levels(update.bids),
      asks: levels(update.asks),
      sequence: update.lastUpdateId,
      tsEvent: update.time,
      tsInit: nowMicros(),
    });
    const depth = this.exchange.depth(update.instrument, 1);
    const top = topOf(depth.bids[0], depth.asks[0]);
    if (
      top.bid === previous.bid &&
      top.ask === previous.ask &&
      top.bidSize === previous.bidSize &&
      top.askSize === previous.askSize
    )
      return;
    this.subscribed.set(update.instrument, top);
    this.emitTick(update.instrument, top, update.time);
  }

  private emitTrade(trade: PublicTrade): void {
    this.sink.trade({
      instrument: trade.instrument,
      tradeId: String(trade.tradeId),
      price: Number(trade.price),
      amount: Number(trade.amount),
      takerSide: trade.takerSide,
      tsEvent: trade.time,
      tsInit: nowMicros(),
    });
  }

  /** A tick needs both sides; an empty side emits nothing. */
  private emitTick(instrument: string, top: Top, tsEvent: number): void {
    if (top.bid === null || top.ask === null) return;
    this.sink.tick({
      instrument,
      bid: Number(top.bid),
      bidSize: Number(top.bidSize),
      ask: Number(top.ask),
      askSize: Number(top.askSize),
      tsEvent,
      tsInit: nowMicros(),
    });
  }
}

function topOf(bid: DepthLevel | undefined, ask: DepthLevel | undefined): Top {
  return {
    bid: bid?.price ?? null,
    bidSize: bid?.amount ?? '0',
    ask: ask?.price ?? null,
    askSize: ask?.amount ?? '0',
  };
}

function levels(side: DepthLevel[]): [number, number][] {
  return side.map((level) => [Number(level.price), Number(level.amount)]);
}
