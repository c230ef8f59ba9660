import type { VenueOrder } from '../venue-types.js';

export interface FetchOpenOrdersRequest {
  /** All instruments when absent. */
  instrument?: string;
}

export interface FetchOpenOrdersOperation {
  fetchOpenOrders(request: FetchOpenOrdersRequest): Promise<VenueOrder[]>;
}
