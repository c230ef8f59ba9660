// ExecutionReport(8) and OrderCancelReject(9) bodies in jspurefix repo44 shape. Quantities, prices and
// timestamps are strings: jspurefix's AsciiEncoder writes a string value of a non-boolean field verbatim, so
// decimals keep every digit and TransactTime keeps its microseconds (a Date would be cut to milliseconds).
import { randomBytes } from 'node:crypto';
import type { IExecutionReport } from 'jspurefix/dist/types/FIX4.4/repo/execution_report.js';
import type { IOrderCancelReject } from 'jspurefix/dist/types/FIX4.4/repo/order_cancel_reject.js';
import type { Decimal } from 'decimal.js';
import type { FixOrder } from './fix-order.js';
import {
  EXEC_TYPE,
  fixDecimal,
  fixTimestamp,
  ORD_STATUS,
  type CxlRejReasonCode,
  type ExecTypeCode,
  type OrdRejReasonCode,
  type OrdStatusCode,
} from './fix-values.js';

export interface FixExecutionReport {
  OrderID: string;
  ClOrdID: string;
  OrigClOrdID?: string;
  OrdStatusReqID?: string;
  ExecID: string;
  ExecType: ExecTypeCode;
  OrdStatus: OrdStatusCode;
  OrdRejReason?: OrdRejReasonCode;
  Account?: string;
  Instrument: { Symbol: string };
  Side: string;
  OrderQtyData?: { OrderQty: string };
  OrdType?: string;
  Price?: string;
  TimeInForce?: string;
  ExecInst?: string;
  LastQty?: string;
  LastPx?: string;
  LeavesQty: string;
  CumQty: string;
  AvgPx: string;
  TransactTime: string;
  Text?: string;
}

export interface FixOrderCancelReject {
  OrderID: string;
  ClOrdID: string;
  OrigClOrdID: string;
  OrdStatus: OrdStatusCode;
  Account?: string;
  TransactTime: string;
  CxlRejResponseTo: '1' | '2';
  CxlRejReason: CxlRejReasonCode;
  Text?: string;
}

// Compile-time proof that every field name is the dictionary's (a typo would not be encoded at all).
type Stray<T, D> = Exclude<keyof T, keyof D>;
const reportNamesAreFix: Stray<FixExecutionReport, IExecutionReport> extends never ? true : never = true;
const rejectNamesAreFix: Stray<FixOrderCancelReject, IOrderCancelReject> extends never ? true : never = true;
void reportNamesAreFix;
void rejectNamesAreFix;

/** Distinguishes ExecIDs of this process from another's for the same order (the desk keeps no journal). */
const RUN = randomBytes(3).toString('hex');

function execIdOf(order: FixOrder, kind: string): string {
  order.reports += 1;
  return `${order.spec.orderId}.${RUN}.${kind}${order.reports}`;
}

/** The fields every report of a known order shares, with its current quantities. */
function base(
  order: FixOrder,
  micros: number,
): Omit<FixExecutionReport, 'ExecID' | 'ExecType' | 'OrdStatus'> {
  const { spec } = order;
  const origClOrdId = order.origClOrdId;
  return {
    OrderID: spec.orderId,
    ClOrdID: order.clOrdId,
    ...(origClOrdId !== null ? { OrigClOrdID: origClOrdId } : {}),
    Account: spec.account,
    Instrument: { Symbol: spec.symbol },
    Side: spec.side,
    OrderQtyData: { OrderQty: fixDecimal(spec.orderQty) },
    OrdType: spec.ordType,
    ...(order.price !== null ? { Price: fixDecimal(order.price) } : {}),
    ...(spec.timeInForce !== null ? { TimeInForce: spec.timeInForce } : {}),
    ...(spec.execInst !== null ? { ExecInst: spec.execInst } : {}),
    LeavesQty: fixDecimal(order.leavesQty),
    CumQty: fixDecimal(order.cumQty),
    AvgPx: fixDecimal(order.avgPx),
    TransactTime: fixTimestamp(micros),
  };
}

export function newReport(order: FixOrder, micros: number): FixExecutionReport {
  return {
    ...base(order, micros),
    ExecID: execIdOf(order, 'N'),
    ExecType: EXEC_TYPE.New,
    OrdStatus: ORD_STATUS.New,
  };
}

/** A fill: ExecType F, OrdStatus PartiallyFilled or Filled as the order now stands. ExecID follows the tradeId. */
export function tradeReport(
  order: FixOrder,
  fill: { tradeId: string; qty: Decimal; px: Decimal },
  micros: number,
): FixExecutionReport {
  return {
    ...base(order, micros),
    ExecID: `${order.spec.orderId}.T.${fill.tradeId}`,
    ExecType: EXEC_TYPE.Trade,
    OrdStatus: order.ordStatus,
    LastQty: fixDecimal(fill.qty),
    LastPx: fixDecimal(fill.px),
  };
}

export function canceledReport(order: FixOrder, micros: number, text?: string): FixExecutionReport {
  return {
    ...base(order, micros),
    ExecID: execIdOf(order, 'C'),
    ExecType: EXEC_TYPE.Canceled,
    OrdStatus: ORD_STATUS.Canceled,
    ...(text !== undefined ? { Text: text } : {}),
  };
}

export function replacedReport(order: FixOrder, micros: number): FixExecutionReport {
  return {
    ...base(order, micros),
    ExecID: execIdOf(order, 'R'),
    ExecType: EXEC_TYPE.Replaced,
    OrdStatus: order.workingStatus(),
  };
}

/** The order was accepted, then rejected (FIX 4.4 allows New → Rejected): nothing filled. */
export function rejectedReport(
  order: FixOrder,
  reason: OrdRejReasonCode,
  text: string,
  micros: number,
): FixExecutionReport {
  return {
    ...base(order, micros),
    ExecID: execIdOf(order, 'J'),
    ExecType: EXEC_TYPE.Rejected,
    OrdStatus: ORD_STATUS.Rejected,
    OrdRejReason: reason,
    Text: text,
  };
}

export function statusReport(order: FixOrder, micros: number, reqId?: string): FixExecutionReport {
  return {
    ...base(order, micros),
    ExecID: execIdOf(order, 'S'),
    ExecType: EXEC_TYPE.OrderStatus,
    OrdStatus: order.ordStatus,
    ...(reqId !== undefined ? { OrdStatusReqID: reqId } : {}),
  };
}

/** What a refused message echoes: the client's own words, since there is no order. */
export interface Echo {
  clOrdId: string;
  symbol: string;
  side: string;
  account?: string | undefined;
  orderQty?: Decimal | null | undefined;
}

let orphanSeq = 0;
function orphanExecId(kind: string): string {
  orphanSeq += 1;
  return `NONE.${RUN}.${kind}${orphanSeq}`;
}

/** A NewOrderSingle refused before any flow: OrderID NONE, ExecType and OrdStatus Rejected. */
export function refusalReport(
  echo: Echo,
  reason: OrdRejReasonCode,
  text: string,
  micros: number,
  orderId = 'NONE',
): FixExecutionReport {
  return {
    OrderID: orderId,
    ClOrdID: echo.clOrdId,
    ExecID: orphanExecId('J'),
    ExecType: EXEC_TYPE.Rejected,
    OrdStatus: ORD_STATUS.Rejected,
    OrdRejReason: reason,
    ...(echo.account !== undefined ? { Account: echo.account } : {}),
    Instrument: { Symbol: echo.symbol },
    Side: echo.side,
    ...(echo.orderQty ? { OrderQtyData: { OrderQty: fixDecimal(echo.orderQty) } } : {}),
    LeavesQty: '0',
    CumQty: '0',
    AvgPx: '0',
    TransactTime: fixTimestamp(micros),
    Text: text,
  };
}

/** The answer to a status request about an order the desk does not know. */
export function unknownStatusReport(echo: Echo, micros: number, reqId?: string): FixExecutionReport {
  return {
    OrderID: 'NONE',
    ClOrdID: echo.clOrdId,
    ...(reqId !== undefined ? { OrdStatusReqID: reqId } : {}),
    ExecID: orphanExecId('S'),
    ExecType: EXEC_TYPE.OrderStatus,
    OrdStatus: ORD_STATUS.Rejected,
    OrdRejReason: 5,
    Instrument: { Symbol: echo.symbol },
    Side: echo.side,
    LeavesQty: '0',
    CumQty: '0',
    AvgPx: '0',
    TransactTime: fixTimestamp(micros),
    Text: `unknown order ${echo.clOrdId}`,
  };
}

export function cancelReject(
  args: {
    orderId: string;
    clOrdId: string;
    origClOrdId: string;
    ordStatus: OrdStatusCode;
    account?: string | undefined;
    responseTo: '1' | '2';
    reason: CxlRejReasonCode;
    text: string;
  },
  micros: number,
): FixOrderCancelReject {
  return {
    OrderID: args.orderId,
    ClOrdID: args.clOrdId,
    OrigClOrdID: args.origClOrdId,
    OrdStatus: args.ordStatus,
    ...(args.account !== undefined ? { Account: args.account } : {}),
    TransactTime: fixTimestamp(micros),
    CxlRejResponseTo: args.responseTo,
    CxlRejReason: args.reason,
    Text: args.text,
  };
}
