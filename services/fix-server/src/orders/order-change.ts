// What OrderCancelRequest(F) and OrderCancelReplaceRequest(G) share: finding the order they name and the
// reasons to refuse either before any flow starts.
import { cancelReject, type FixOrderCancelReject } from './execution-report.js';
import { looseOf, symbolOf, textOf, type Loose } from './fix-input.js';
import type { FixOrder } from './fix-order.js';
import { CXL_REJ_REASON, ORD_STATUS, type CxlRejReasonCode } from './fix-values.js';

/** The desk's view of one client's orders, by any ClOrdID they had. */
export interface OrderLookup {
  byClOrdId(clOrdId: string): FixOrder | undefined;
  /** True when the ClOrdID was used by the client already (an order, a cancel or a replace). */
  isUsed(clOrdId: string): boolean;
}

export type ChangeTarget =
  | { ok: true; message: Loose; clOrdId: string; order: FixOrder }
  | { ok: false; reject: FixOrderCancelReject };

export function resolveChange(
  raw: unknown,
  responseTo: '1' | '2',
  orders: OrderLookup,
  micros: number,
): ChangeTarget {
  const message = looseOf(raw);
  const clOrdId = textOf(message['ClOrdID']);
  const origClOrdId = textOf(message['OrigClOrdID']);
  const refuse = (
    reason: CxlRejReasonCode,
    text: string,
    order?: FixOrder,
  ): { ok: false; reject: FixOrderCancelReject } => ({
    ok: false,
    reject: cancelReject(
      {
        orderId: order?.spec.orderId ?? 'NONE',
        clOrdId: clOrdId ?? 'NONE',
        origClOrdId: origClOrdId ?? 'NONE',
        ordStatus: order?.ordStatus ?? ORD_STATUS.Rejected,
        account: order?.spec.account,
        responseTo,
        reason,
        text,
      },
      micros,
    ),
  });
  if (clOrdId === null) return refuse(CXL_REJ_REASON.Other, 'ClOrdID(11) is required');
  if (origClOrdId === null) return refuse(CXL_REJ_REASON.Other, 'OrigClOrdID(41) is required');
  const order = orders.byClOrdId(origClOrdId);
  if (order === undefined)
    return refuse(CXL_REJ_REASON.UnknownOrder, `unknown order OrigClOrdID(41) ${origClOrdId}`);
  if (orders.isUsed(clOrdId))
    return refuse(CXL_REJ_REASON.DuplicateClOrdId, `ClOrdID(11) ${clOrdId} was used before`, order);
  if (order.isDone)
    return refuse(CXL_REJ_REASON.TooLateToCancel, `the order is ${statusName(order)} already`, order);
  if (order.pending !== null)
    return refuse(
      CXL_REJ_REASON.OrderAlreadyInPendingStatus,
      `a ${order.pending.kind} (ClOrdID ${order.pending.clOrdId}) is still pending`,
      order,
    );
  const side = textOf(message['Side']);
  if (side !== null && side !== order.spec.side)
    return refuse(
      CXL_REJ_REASON.Other,
      `Side(54) ${side} differs from the order's ${order.spec.side}`,
      order,
    );
  const symbol = symbolOf(message);
  if (symbol !== null && symbol !== order.spec.symbol)
    return refuse(
      CXL_REJ_REASON.Other,
      `Symbol(55) ${symbol} differs from the order's ${order.spec.symbol}`,
      order,
    );
  return { ok: true, message, clOrdId, order };
}

function statusName(order: FixOrder): string {
  switch (order.ordStatus) {
    case ORD_STATUS.Filled:
      return 'filled';
    case ORD_STATUS.Canceled:
      return 'canceled';
    default:
      return 'rejected';
  }
}
