// OrderCancelReplaceRequest(G) → a reprice flow with the new Price. Only the price can move: the reprice verb
// keeps amount, side and instrument, so any other change is refused with an OrderCancelReject.
import type { Decimal } from 'decimal.js';
import type { FlowStartCommandV1 } from '@tm/contracts';
import { cancelReject, type FixOrderCancelReject } from './execution-report.js';
import { orderQtyOf, textOf } from './fix-input.js';
import type { FixOrder } from './fix-order.js';
import { CXL_REJ_REASON, CXL_REJ_RESPONSE_TO, decimalOf, FIX_SIDE } from './fix-values.js';
import type { OrderSessionInfo } from './new-order-single.js';
import { resolveChange, type OrderLookup } from './order-change.js';
import { idempotencyKeyOf, requesterOf } from './order-keys.js';

export type ReplaceParse =
  | { ok: true; clOrdId: string; order: FixOrder; price: Decimal; command: FlowStartCommandV1 }
  | { ok: false; reject: FixOrderCancelReject };

export function parseOrderCancelReplaceRequest(
  session: OrderSessionInfo,
  raw: unknown,
  orders: OrderLookup,
  micros: number,
): ReplaceParse {
  const target = resolveChange(raw, CXL_REJ_RESPONSE_TO.CancelReplaceRequest, orders, micros);
  if (!target.ok) return target;
  const { order, clOrdId, message } = target;
  const refuse = (text: string): { ok: false; reject: FixOrderCancelReject } => ({
    ok: false,
    reject: cancelReject(
      {
        orderId: order.spec.orderId,
        clOrdId,
        origClOrdId: order.clOrdId,
        ordStatus: order.ordStatus,
        account: order.spec.account,
        responseTo: CXL_REJ_RESPONSE_TO.CancelReplaceRequest,
        reason: CXL_REJ_REASON.Other,
        text,
      },
      micros,
    ),
  });
  if (order.spec.ordType !== '2') return refuse('only a limit order can be replaced');
  const ordType = textOf(message['OrdType']);
  if (ordType !== null && ordType !== '2')
    return refuse(`OrdType(40) ${ordType} cannot change: the order is a limit order`);
  const qty = orderQtyOf(message);
  if (qty !== undefined) {
    const asked = decimalOf(qty);
    if (asked === null || !asked.eq(order.spec.orderQty))
      return refuse(
        `OrderQty(38) cannot change (${order.spec.orderQty.toFixed()}): the reprice flow moves the price only`,
      );
  }
  const price = decimalOf(message['Price']);
  if (price === null || price.lte(0)) return refuse('Price(44) greater than 0 is required');
  const command: FlowStartCommandV1 = {
    v: 1,
    type: 'start',
    idempotencyKey: idempotencyKeyOf(session.clientId, clOrdId),
    account: order.spec.account,
    verb: 'reprice',
    input: {
      venue: order.spec.venue,
      instrument: order.spec.symbol,
      side: order.spec.side === FIX_SIDE.Buy ? 'buy' : 'sell',
      tag: order.spec.tag,
      price: price.toFixed(),
    },
    requester: requesterOf(session.key),
    causationId: clOrdId,
  };
  return { ok: true, clOrdId, order, price, command };
}
