import type { VenueOrder } from '../venue-types.js';

/** Cancel-replace: the venue cancels venueOrderId and places a new order with clientOrderId. */
export interface EditOrderRequest {
  instrument: string;
  venueOrderId: string;
  /** The new order's client id. */
  clientOrderId: string;
  amount: string;
  price: string;
}

export interface EditOrderOperation {
  /** Resolves to the new order. */
  editOrder(request: EditOrderRequest): Promise<VenueOrder>;
}
