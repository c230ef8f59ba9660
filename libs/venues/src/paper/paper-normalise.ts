import type {
  Balance,
  Deposit,
  ExchangeFill,
  ExchangeOrder,
  ExchangeOrderStatus,
  InstrumentSpec,
} from '@tm/matching';
import { Decimal } from 'decimal.js';
import type {
  VenueBalance,
  VenueDeposit,
  VenueFill,
  VenueInstrument,
  VenueOrder,
  VenueOrderStatus,
} from '../adapter/venue-types.js';

const STATUS: Record<ExchangeOrderStatus, VenueOrderStatus> = {
  NEW: 'open',
  PARTIALLY_FILLED: 'open',
  FILLED: 'closed',
  CANCELED: 'canceled',
  EXPIRED: 'expired',
  REJECTED: 'rejected',
};

export function paperOrder(order: ExchangeOrder): VenueOrder {
  const filled = new Decimal(order.filled);
  return {
    venueOrderId: String(order.orderId),
    clientOrderId: order.clientOrderId,
    instrument: order.instrument,
    side: order.side,
    kind: order.type,
    timeInForce: order.timeInForce,
    price: order.type === 'market' ? null : order.price,
    amount: order.amount,
    filled: order.filled,
    remaining: Decimal.max(new Decimal(order.amount).minus(filled), 0).toFixed(),
    averagePrice: filled.isZero() ? null : new Decimal(order.quoteFilled).div(filled).toFixed(),
    status: STATUS[order.status],
    tsEvent: order.updatedAt,
  };
}

export function paperFill(fill: ExchangeFill): VenueFill {
  return {
    tradeId: String(fill.tradeId),
    venueOrderId: String(fill.orderId),
    clientOrderId: fill.clientOrderId,
    instrument: fill.instrument,
    side: fill.side,
    price: fill.price,
    amount: fill.amount,
    feeCost: fill.fee,
    feeCurrency: fill.feeCurrency,
    liquidity: fill.liquidity,
    tsEvent: fill.time,
  };
}

export function paperBalance(balance: Balance): VenueBalance {
  return {
    currency: balance.currency,
    free: balance.free,
    used: balance.locked,
    total: new Decimal(balance.free).plus(balance.locked).toFixed(),
  };
}

export function paperDeposit(deposit: Deposit): VenueDeposit {
  return {
    depositId: deposit.depositId,
    currency: deposit.currency,
    amount: deposit.amount,
    address: deposit.address,
    txId: deposit.txId,
    status: deposit.status,
    tsEvent: deposit.time,
  };
}

/** The paper exchange always trades what it lists; its smallest amount is one lot. */
export function paperInstrument(spec: InstrumentSpec): VenueInstrument {
  const lotSize = new Decimal(spec.lotSize).toFixed();
  const minNotional = new Decimal(spec.minNotional);
  return {
    symbol: spec.symbol,
    base: spec.base,
    quote: spec.quote,
    tickSize: new Decimal(spec.tickSize).toFixed(),
    lotSize,
    minAmount: lotSize,
    minNotional: minNotional.isZero() ? null : minNotional.toFixed(),
    active: true,
  };
}
