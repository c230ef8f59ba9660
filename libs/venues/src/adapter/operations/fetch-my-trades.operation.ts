import type { VenueFill } from '../venue-types.js';

export interface FetchMyTradesRequest {
  instrument: string;
  /** Micros; fills at or after this time. */
  since?: number;
  limit?: number;
}

export interface FetchMyTradesOperation {
  /** Oldest first. */
  fetchMyTrades(request: FetchMyTradesRequest): Promise<VenueFill[]>;
}
