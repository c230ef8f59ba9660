// The engine's mutable record of one order: decimals inside, links into its price level while resting.
import type { BalanceEntry } from './account-ledger.js';
import { Dec, str } from './decimal.js';
import type { ExchangeOrder, ExchangeOrderStatus, Side, TimeInForce } from './exchange-types.js';
import type { PriceLevel } from './order-book.js';

export interface OrderState {
  orderId: number;
  clientOrderId: string;
  account: string;
  instrument: string;
  side: Side;
  type: 'limit' | 'market';
  timeInForce: TimeInForce;
  price: Dec | null;
  priceText: string | null;
  amount: Dec;
  filled: Dec;
  quoteFilled: Dec;
  /** amount - filled, kept to avoid recomputing on every match. */
  remaining: Dec;
  status: ExchangeOrderStatus;
  createdAt: number;
  updatedAt: number;
  /** What this order still holds locked: quote for a buy, base for a sell. */
  locked: Dec;
  /** The balances it pays from (quote for buy, base for sell) and receives into. */
  payEntry: BalanceEntry;
  receiveEntry: BalanceEntry;
  level: PriceLevel | null;
  prev: OrderState | null;
  next: OrderState | null;
}

export function isOpen(status: ExchangeOrderStatus): boolean {
  return status === 'NEW' || status === 'PARTIALLY_FILLED';
}

export function orderView(order: OrderState): ExchangeOrder {
  return {
    orderId: order.orderId,
    clientOrderId: order.clientOrderId,
    account: order.account,
    instrument: order.instrument,
    side: order.side,
    type: order.type,
    timeInForce: order.timeInForce,
    price: order.priceText,
    amount: str(order.amount),
    filled: str(order.filled),
    quoteFilled: str(order.quoteFilled),
    status: order.status,
    createdAt: order.createdAt,
    updatedAt: order.updatedAt,
  };
}
