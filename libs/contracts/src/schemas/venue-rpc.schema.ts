import { z } from 'zod';
import { LIFECYCLE_STATES } from '../lifecycle-states.js';
import { BalanceV1, DecimalString, FillV1, OrderStateV1, PositionV1 } from './execution.schema.js';
import { UnifiedSymbol } from './market-data.schema.js';

// Venue RPC, `tm.venue.<venue>.<account>.<op>` (request/reply, queue group venue-connectors): what the
// flow engine calls. Each op has a request schema and a result schema; errors come as ReplyErrorV1 with
// one of VENUE_ERROR_CODES (or INVALID_PAYLOAD / UNAVAILABLE / NOT_FOUND for an unknown venue account).
const micros = z.number().int().nonnegative();
const positive = DecimalString.refine((value) => Number(value) > 0, 'must be greater than 0');
const token = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'must be 1–64 letters, digits, _ or -');

/**
 * Who asks for an order: the flow, its step and the child order within the step. The client order id is
 * derived from these alone, so a retry of the same step re-sends the same id and the venue dedupes it.
 */
export const OrderOriginV1 = z.object({
  flowId: token,
  step: z.number().int().nonnegative(),
  child: z.number().int().nonnegative(),
});
export type OrderOriginV1 = z.infer<typeof OrderOriginV1>;

const orderRef = {
  instrument: UnifiedSymbol,
  clientOrderId: z.string().min(1).max(64).optional(),
  venueOrderId: z.string().min(1).max(64).optional(),
};
const needsRef = (value: { clientOrderId?: string; venueOrderId?: string }) =>
  value.clientOrderId !== undefined || value.venueOrderId !== undefined;
const refMessage = { message: 'clientOrderId or venueOrderId is required', path: ['clientOrderId'] };

export const CreateOrderRequestV1 = z
  .object({
    v: z.literal(1),
    origin: OrderOriginV1,
    instrument: UnifiedSymbol,
    side: z.enum(['buy', 'sell']),
    kind: z.enum(['limit', 'market']),
    amount: positive,
    price: positive.optional(),
    timeInForce: z.enum(['GTC', 'IOC', 'FOK', 'PO']).optional(),
  })
  .refine((r) => r.kind === 'market' || r.price !== undefined, {
    message: 'a limit order needs a price',
    path: ['price'],
  })
  .refine((r) => r.kind === 'limit' || r.price === undefined, {
    message: 'a market order takes no price',
    path: ['price'],
  });
export type CreateOrderRequestV1 = z.infer<typeof CreateOrderRequestV1>;

export const CancelOrderRequestV1 = z.object({ v: z.literal(1), ...orderRef }).refine(needsRef, refMessage);
export const FetchOrderRequestV1 = CancelOrderRequestV1;
export const EditOrderRequestV1 = z.object({
  v: z.literal(1),
  /** The origin of the replacement order: its client order id is derived from it. */
  origin: OrderOriginV1,
  instrument: UnifiedSymbol,
  clientOrderId: z.string().min(1).max(64),
  amount: positive,
  price: positive,
});
export const FetchOpenOrdersRequestV1 = z.object({ v: z.literal(1), instrument: UnifiedSymbol.optional() });
export const FetchMyTradesRequestV1 = z.object({
  v: z.literal(1),
  instrument: UnifiedSymbol,
  since: micros.optional(),
  limit: z.number().int().min(1).max(1000).optional(),
});
export const EmptyRequestV1 = z.object({ v: z.literal(1) });
export const TransferRequestV1 = z.object({
  v: z.literal(1),
  origin: OrderOriginV1,
  currency: z.string().min(1).max(20),
  amount: positive,
  fromAccount: z.string().min(1).max(120),
  toAccount: z.string().min(1).max(120),
});
export const FetchDepositAddressRequestV1 = z.object({
  v: z.literal(1),
  currency: z.string().min(1).max(20),
  network: z.string().min(1).max(40).optional(),
});
export const FetchDepositsRequestV1 = z.object({
  v: z.literal(1),
  currency: z.string().min(1).max(20).optional(),
  since: micros.optional(),
});
/** Paper venues only: a deposit arriving from outside, `pending` until the venue's confirmation delay passed. */
export const SimulateDepositRequestV1 = z.object({
  v: z.literal(1),
  currency: z.string().min(1).max(20),
  amount: positive,
  /** One of the account's deposit addresses (from fetch-deposit-address); default: the currency's default. */
  address: z.string().min(1).max(200).optional(),
  network: z.string().min(1).max(40).optional(),
});

export const OrderListV1 = z.object({ orders: z.array(OrderStateV1) });
export const VenueFillV1 = FillV1.extend({
  clientOrderId: z.string().nullable(),
  venueOrderId: z.string(),
  instrument: UnifiedSymbol,
  side: z.enum(['buy', 'sell']),
  tsEvent: micros,
});
export const FillListV1 = z.object({ fills: z.array(VenueFillV1) });
export const BalanceSnapshotV1 = z.object({
  balances: z.array(BalanceV1),
  freeMargin: DecimalString.nullable(),
  leverage: DecimalString.nullable(),
  tsEvent: micros,
});
export const PositionListV1 = z.object({ positions: z.array(PositionV1) });
export const TransferResultV1 = z.object({
  transferId: z.string(),
  currency: z.string(),
  amount: DecimalString,
  from: z.string(),
  to: z.string(),
  tsEvent: micros,
});
export const DepositAddressV1 = z.object({
  currency: z.string(),
  address: z.string(),
  tag: z.string().nullable(),
  network: z.string().nullable(),
});
export const DepositV1 = z.object({
  depositId: z.string(),
  currency: z.string(),
  amount: DecimalString,
  address: z.string().nullable(),
  txId: z.string().nullable(),
  status: z.enum(['pending', 'ok', 'failed']),
  tsEvent: micros,
});
export type DepositV1 = z.infer<typeof DepositV1>;
export const DepositListV1 = z.object({ deposits: z.array(DepositV1) });

/** One instrument's trading rules, as the venue states them. */
export const InstrumentSpecV1 = z.object({
  symbol: UnifiedSymbol,
  base: z.string(),
  quote: z.string(),
  /** Price increment as a decimal string, null when the venue has no fixed grid. */
  tickSize: DecimalString.nullable(),
  /** Amount increment, null when none. */
  lotSize: DecimalString.nullable(),
  minAmount: DecimalString.nullable(),
  /** Minimum price*amount, null when none. */
  minNotional: DecimalString.nullable(),
  /** False when the venue lists it but does not trade it now. */
  active: z.boolean(),
});
export type InstrumentSpecV1 = z.infer<typeof InstrumentSpecV1>;
export const InstrumentListV1 = z.object({ instruments: z.array(InstrumentSpecV1) });
export type InstrumentListV1 = z.infer<typeof InstrumentListV1>;

/** A venue session's diagnostics: why it is not Running, how it connects, what it has spent. */
export const VenueSessionStatusV1 = z.object({
  venue: z.string(),
  account: z.string(),
  state: z.enum(LIFECYCLE_STATES),
  reason: z.string().nullable(),
  /** Whether this replica runs the account's feeds and reconciliation (one replica does; the others stand by). */
  streaming: z.boolean(),
  reconnects: z.number().int().nonnegative(),
  serverTimeOffsetMs: z.number().nullable(),
  roundTripMs: z.number().nullable(),
  freeMargin: DecimalString.nullable(),
  leverage: DecimalString.nullable(),
  breaker: z.enum(['closed', 'open', 'half-open']),
  reconciling: z.boolean(),
  lastReconciledAt: micros.nullable(),
  subscriptions: z.array(UnifiedSymbol),
  throttled: z.record(z.string(), z.number()),
});
export type VenueSessionStatusV1 = z.infer<typeof VenueSessionStatusV1>;

/** Every op: its subject token, request and result schema. The subject is `tm.venue.<venue>.<account>.<op>`. */
export const VENUE_OPS = {
  'create-order': { request: CreateOrderRequestV1, result: OrderStateV1 },
  'cancel-order': { request: CancelOrderRequestV1, result: OrderStateV1 },
  'edit-order': { request: EditOrderRequestV1, result: OrderStateV1 },
  'fetch-order': { request: FetchOrderRequestV1, result: OrderStateV1 },
  'fetch-open-orders': { request: FetchOpenOrdersRequestV1, result: OrderListV1 },
  'fetch-my-trades': { request: FetchMyTradesRequestV1, result: FillListV1 },
  'fetch-balance': { request: EmptyRequestV1, result: BalanceSnapshotV1 },
  'fetch-positions': { request: EmptyRequestV1, result: PositionListV1 },
  transfer: { request: TransferRequestV1, result: TransferResultV1 },
  'fetch-deposit-address': { request: FetchDepositAddressRequestV1, result: DepositAddressV1 },
  'fetch-deposits': { request: FetchDepositsRequestV1, result: DepositListV1 },
  'fetch-instruments': { request: EmptyRequestV1, result: InstrumentListV1 },
  /** Paper venues only; any other venue answers UNSUPPORTED. */
  'simulate-deposit': { request: SimulateDepositRequestV1, result: DepositV1 },
  status: { request: EmptyRequestV1, result: VenueSessionStatusV1 },
} as const;
export type VenueOp = keyof typeof VENUE_OPS;
export const VENUE_OP_NAMES = Object.keys(VENUE_OPS) as VenueOp[];
export type VenueOpRequest<O extends VenueOp> = z.infer<(typeof VENUE_OPS)[O]['request']>;
export type VenueOpResult<O extends VenueOp> = z.infer<(typeof VENUE_OPS)[O]['result']>;
