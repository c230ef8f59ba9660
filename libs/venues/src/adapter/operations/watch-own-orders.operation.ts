import type { VenueFill, VenueOrder } from '../venue-types.js';
import type { FeedEnd } from './watch-market-data.operation.js';

/** Order updates and fills as the venue pushes them; a fill may arrive twice (dedupe by tradeId). */
export interface ExecutionSink {
  order(o: VenueOrder): void;
  fill(f: VenueFill): void;
}

export interface ExecutionFeed {
  /** Resolves once when the feed is dead; never rejects. */
  readonly ended: Promise<FeedEnd>;
  close(): Promise<void>;
}

export interface WatchOwnOrdersOperation {
  watchOwnOrders(sink: ExecutionSink): ExecutionFeed;
}
