import { z } from 'zod';
import { UnifiedSymbol } from './market-data.schema.js';
import { VENUE_ERROR_CODES } from './venue-error.schema.js';

// Execution events on `tm.exec.<slot of acct:<account>>` (JetStream stream EXEC, message id = eventId).
// Named in the past tense; money is a decimal string; tsEvent is venue time, tsInit ours (microseconds).
const micros = z.number().int().nonnegative();
export const DecimalString = z.string().regex(/^-?\d+(\.\d+)?$/, 'must be a decimal string like "0.015"');
const id = z.string().min(1).max(200);

const eventBase = {
  v: z.literal(1),
  eventId: id,
  venue: id,
  account: id,
  tsEvent: micros,
  tsInit: micros,
};

export const ORDER_STATUSES = ['in_flight', 'open', 'closed', 'canceled', 'rejected', 'expired'] as const;
export const OrderStatusV1 = z.enum(ORDER_STATUSES);
export type OrderStatusV1 = z.infer<typeof OrderStatusV1>;

/** The platform's picture of one order, carried by every order event. */
export const OrderStateV1 = z.object({
  clientOrderId: id,
  venueOrderId: id.nullable(),
  instrument: UnifiedSymbol,
  side: z.enum(['buy', 'sell']),
  kind: z.enum(['limit', 'market']),
  timeInForce: z.enum(['GTC', 'IOC', 'FOK', 'PO']),
  price: DecimalString.nullable(),
  amount: DecimalString,
  filled: DecimalString,
  status: OrderStatusV1,
});
export type OrderStateV1 = z.infer<typeof OrderStateV1>;

export const FillV1 = z.object({
  tradeId: id,
  price: DecimalString,
  amount: DecimalString,
  feeCost: DecimalString.nullable(),
  feeCurrency: z.string().nullable(),
  liquidity: z.enum(['maker', 'taker']).nullable(),
});
export type FillV1 = z.infer<typeof FillV1>;

const orderEvent = <T extends string>(type: T) =>
  z.object({
    ...eventBase,
    type: z.literal(type),
    order: OrderStateV1,
    /** True when reconciliation found it, not the live feed or the call's answer. */
    reconciled: z.boolean(),
  });

/** Sent, but the venue's answer was ambiguous (timeout, 5xx, dropped ack): resolved by asking the venue. */
export const OrderSubmittedV1 = orderEvent('OrderSubmitted');
export const OrderAcceptedV1 = orderEvent('OrderAccepted');
export const OrderRejectedV1 = orderEvent('OrderRejected').extend({
  code: z.enum(VENUE_ERROR_CODES),
  reason: z.string(),
});
/** One fill, published once per tradeId. */
export const OrderFilledV1 = orderEvent('OrderFilled').extend({ fill: FillV1 });
export const OrderCanceledV1 = orderEvent('OrderCanceled');
export const OrderExpiredV1 = orderEvent('OrderExpired');

export const BalanceV1 = z.object({
  currency: z.string().min(1),
  free: DecimalString,
  used: DecimalString,
  total: DecimalString,
});
export const BalancesUpdatedV1 = z.object({
  ...eventBase,
  type: z.literal('BalancesUpdated'),
  balances: z.array(BalanceV1),
  freeMargin: DecimalString.nullable(),
  leverage: DecimalString.nullable(),
  reconciled: z.boolean(),
});
export const PositionV1 = z.object({
  instrument: UnifiedSymbol,
  side: z.enum(['long', 'short']),
  contracts: DecimalString,
  entryPrice: DecimalString.nullable(),
  unrealizedPnl: DecimalString.nullable(),
  leverage: DecimalString.nullable(),
});
export const PositionsUpdatedV1 = z.object({
  ...eventBase,
  type: z.literal('PositionsUpdated'),
  positions: z.array(PositionV1),
  reconciled: z.boolean(),
});

export const RECONCILIATION_DIFFERENCES = [
  /** A fill the platform had not seen: emitted once, flagged reconciled. */
  'missing_fill',
  /** An open order on the venue the platform does not know: adopted or canceled by policy. */
  'unknown_order',
  /** An order the platform thought open that the venue has closed: closed with the venue's status. */
  'order_closed_on_venue',
  /** The venue's order differs from the platform's (filled amount, status). */
  'order_state_differs',
  'balance_differs',
  'position_differs',
] as const;
export const ReconciliationDifferenceFoundV1 = z.object({
  ...eventBase,
  type: z.literal('ReconciliationDifferenceFound'),
  runId: id,
  difference: z.enum(RECONCILIATION_DIFFERENCES),
  /** What the platform did about it. */
  action: z.enum(['emitted', 'adopted', 'canceled', 'closed', 'updated', 'recorded']),
  subject: z.string(),
  platform: z.string().nullable(),
  venueSays: z.string().nullable(),
});
export type ReconciliationDifferenceFoundV1 = z.infer<typeof ReconciliationDifferenceFoundV1>;

export const ExecutionEventV1 = z.discriminatedUnion('type', [
  OrderSubmittedV1,
  OrderAcceptedV1,
  OrderRejectedV1,
  OrderFilledV1,
  OrderCanceledV1,
  OrderExpiredV1,
  BalancesUpdatedV1,
  PositionsUpdatedV1,
  ReconciliationDifferenceFoundV1,
]);
export type ExecutionEventV1 = z.infer<typeof ExecutionEventV1>;
export type ExecutionEventType = ExecutionEventV1['type'];
