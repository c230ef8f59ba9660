import type { VenueOrder } from '../venue-types.js';

/** One of venueOrderId or clientOrderId is required. */
export interface FetchOrderRequest {
  instrument: string;
  venueOrderId?: string;
  clientOrderId?: string;
}

export interface FetchOrderOperation {
  /** Rejects with VenueError NOT_FOUND when the venue has no such order. */
  fetchOrder(request: FetchOrderRequest): Promise<VenueOrder>;
}
