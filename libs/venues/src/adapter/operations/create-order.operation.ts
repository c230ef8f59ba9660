import type { OrderKind, OrderSide, TimeInForce, VenueOrder } from '../venue-types.js';

export interface CreateOrderRequest {
  instrument: string;
  side: OrderSide;
  kind: OrderKind;
  /** Base quantity, decimal string. */
  amount: string;
  /** Limit price, decimal string; required for limit orders. */
  price?: string;
  /** Default GTC for limit orders; market orders are always IOC. */
  timeInForce?: TimeInForce;
  /** Deterministic id from the caller, so a retry re-sends the same one. */
  clientOrderId: string;
}

export interface CreateOrderOperation {
  createOrder(request: CreateOrderRequest): Promise<VenueOrder>;
}
