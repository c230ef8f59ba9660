import type { BookDelta, MarketTick, MarketTrade } from '../venue-types.js';

export interface MarketDataSink {
  tick(t: MarketTick): void;
  trade(t: MarketTrade): void;
  book(b: BookDelta): void;
}

/** Why a feed ended; the session reconnects by opening a new feed. */
export interface FeedEnd {
  reason: string;
  error?: unknown;
}

export interface MarketDataFeed {
  /**
   * Start streaming an instrument; on subscribe it first emits recent REST trades (gap fill; the
   * service dedupes by tradeId) and a book snapshot (snapshot: true).
   */
  subscribe(instrument: string): Promise<void>;
  unsubscribe(instrument: string): Promise<void>;
  /**
   * Emits the instrument's current book again as a snapshot, for a consumer that lost it (an aggregator
   * that took the slot over). False when the instrument is not streamed or has no book yet.
   */
  resnapshot(instrument: string): boolean;
  /**
   * Resolves once when the feed is dead (socket dropped, sequence gap, idle, closed): the session
   * reconnects by opening a new feed. Never rejects.
   */
  readonly ended: Promise<FeedEnd>;
  close(): Promise<void>;
}

export interface WatchMarketDataOperation {
  watchMarketData(sink: MarketDataSink): MarketDataFeed;
}
