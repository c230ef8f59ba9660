import type { VenueOrder } from '../venue-types.js';

/** One of venueOrderId or clientOrderId is required. */
export interface CancelOrderRequest {
  instrument: string;
  venueOrderId?: string;
  clientOrderId?: string;
}

export interface CancelOrderOperation {
  cancelOrder(request: CancelOrderRequest): Promise<VenueOrder>;
}
