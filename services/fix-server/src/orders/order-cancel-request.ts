// OrderCancelRequest(F) → a cancel-orders flow narrowed to the order's venue, instrument, side and tag.
import type { FlowStartCommandV1 } from '@tm/contracts';
import type { FixOrderCancelReject } from './execution-report.js';
import type { FixOrder } from './fix-order.js';
import { CXL_REJ_RESPONSE_TO, FIX_SIDE } from './fix-values.js';
import type { OrderSessionInfo } from './new-order-single.js';
import { resolveChange, type OrderLookup } from './order-change.js';
import { idempotencyKeyOf, requesterOf } from './order-keys.js';

export type CancelParse =
  | { ok: true; clOrdId: string; order: FixOrder; command: FlowStartCommandV1 }
  | { ok: false; reject: FixOrderCancelReject };

export function parseOrderCancelRequest(
  session: OrderSessionInfo,
  raw: unknown,
  orders: OrderLookup,
  micros: number,
): CancelParse {
  const target = resolveChange(raw, CXL_REJ_RESPONSE_TO.CancelRequest, orders, micros);
  if (!target.ok) return target;
  const { order, clOrdId } = target;
  const command: FlowStartCommandV1 = {
    v: 1,
    type: 'start',
    idempotencyKey: idempotencyKeyOf(session.clientId, clOrdId),
    account: order.spec.account,
    verb: 'cancel-orders',
    input: {
      venue: order.spec.venue,
      instrument: order.spec.symbol,
      side: order.spec.side === FIX_SIDE.Buy ? 'buy' : 'sell',
      tag: order.spec.tag,
    },
    requester: requesterOf(session.key),
    causationId: clOrdId,
  };
  return { ok: true, clOrdId, order, command };
}
