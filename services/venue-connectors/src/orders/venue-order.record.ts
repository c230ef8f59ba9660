import type { OrderOriginV1, OrderStateV1, OrderStatusV1 } from '@tm/contracts';
import type { VenueOrder } from '@tm/venues';

/** A row of `venue_orders`: the platform's picture of one order on one venue account. */
export interface VenueOrderRecord extends OrderStateV1 {
  venue: string;
  account: string;
  origin: OrderOriginV1 | null;
  sentAt: Date | null;
}

export interface VenueOrderRow {
  venue: string;
  account: string;
  client_order_id: string;
  venue_order_id: string | null;
  instrument: string;
  side: 'buy' | 'sell';
  kind: 'limit' | 'market';
  time_in_force: 'GTC' | 'IOC' | 'FOK' | 'PO';
  price: string | null;
  amount: string;
  filled: string;
  status: OrderStatusV1;
  origin: OrderOriginV1 | null;
  sent_at: Date | null;
}

export const LIVE_STATUSES: readonly OrderStatusV1[] = ['in_flight', 'open'];

/** numeric comes back from pg as text with trailing zeros; normalise so "1.50000000" reads "1.5". */
export function decimalText(value: string): string {
  if (!value.includes('.')) return value;
  const trimmed = value.replace(/0+$/, '').replace(/\.$/, '');
  return trimmed === '' || trimmed === '-' ? '0' : trimmed;
}

export function recordOfRow(row: VenueOrderRow): VenueOrderRecord {
  return {
    venue: row.venue,
    account: row.account,
    clientOrderId: row.client_order_id,
    venueOrderId: row.venue_order_id,
    instrument: row.instrument,
    side: row.side,
    kind: row.kind,
    timeInForce: row.time_in_force,
    price: row.price === null ? null : decimalText(row.price),
    amount: decimalText(row.amount),
    filled: decimalText(row.filled),
    status: row.status,
    origin: row.origin,
    sentAt: row.sent_at,
  };
}

export function orderStateOf(record: VenueOrderRecord): OrderStateV1 {
  return {
    clientOrderId: record.clientOrderId,
    venueOrderId: record.venueOrderId,
    instrument: record.instrument,
    side: record.side,
    kind: record.kind,
    timeInForce: record.timeInForce,
    price: record.price,
    amount: record.amount,
    filled: record.filled,
    status: record.status,
  };
}

/** What the venue says about an order, in the platform's shape (for orders it does not keep). */
export function orderStateOfVenue(order: VenueOrder): OrderStateV1 {
  return {
    clientOrderId: order.clientOrderId,
    venueOrderId: order.venueOrderId,
    instrument: order.instrument,
    side: order.side,
    kind: order.kind,
    timeInForce: order.timeInForce,
    price: order.price,
    amount: order.amount,
    filled: order.filled,
    status: order.status,
  };
}
