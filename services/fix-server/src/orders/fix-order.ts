// The state of one FIX order as its client sees it: ClOrdID chain, quantities in decimals, OrdStatus, and the
// venue orders (children) of the flows that carry it.
import type { Decimal } from 'decimal.js';
import { Dec, ORD_STATUS, type FixSide, type OrdStatusCode } from './fix-values.js';

export interface FixOrderSpec {
  sessionKey: string;
  clientId: string;
  clOrdId: string;
  /** The flow id of the buy/sell flow: OrderID(37). */
  orderId: string;
  account: string;
  venue: string;
  symbol: string;
  side: FixSide;
  ordType: '1' | '2';
  orderQty: Decimal;
  price: Decimal | null;
  timeInForce: string | null;
  execInst: string | null;
  tag: string;
  /** When the desk got the NewOrderSingle (performance.now(), milliseconds): latency is measured from it. */
  receivedAt: number;
}

/** What the desk has heard of one venue order of the FIX order. */
export interface ChildOrder {
  /** Sum of the fills heard for it. */
  filledSeen: Decimal;
  /** Its last status when the venue said it ended (closed, canceled, expired, rejected). */
  final: { status: string; filled: Decimal } | null;
  seen: boolean;
}

/** A cancel (F) or replace (G) waiting for its flow. */
export interface PendingChange {
  kind: 'cancel' | 'replace';
  clOrdId: string;
  flowId: string;
  newPrice: Decimal | null;
  /** Set when the flow said it canceled something: the venue's event is awaited for a while. */
  flowDone: boolean;
}

const DONE: readonly OrdStatusCode[] = [ORD_STATUS.Filled, ORD_STATUS.Canceled, ORD_STATUS.Rejected];

export class FixOrder {
  clOrdId: string;
  /** Earlier ClOrdIDs of the order, oldest first; the last is OrigClOrdID(41) of the next report. */
  readonly previousClOrdIds: string[] = [];
  price: Decimal | null;
  cumQty: Decimal = new Dec(0);
  /** Sum of LastQty × LastPx: AvgPx = notional / CumQty. */
  notional: Decimal = new Dec(0);
  ordStatus: OrdStatusCode = ORD_STATUS.New;
  readonly tradeIds = new Set<string>();
  readonly children = new Map<string, ChildOrder>();
  /** The venue order believed to rest now; null until one is heard of. */
  liveChild: string | null = null;
  pending: PendingChange | null = null;
  originFlowEnded: { status: string; text: string } | null = null;
  firstFillReported = false;
  reports = 0;

  constructor(readonly spec: FixOrderSpec) {
    this.clOrdId = spec.clOrdId;
    this.price = spec.price;
  }

  get isDone(): boolean {
    return DONE.includes(this.ordStatus);
  }

  get leavesQty(): Decimal {
    return this.isDone ? new Dec(0) : nonNegative(this.spec.orderQty.minus(this.cumQty));
  }

  get avgPx(): Decimal {
    if (this.cumQty.isZero()) return new Dec(0);
    return this.notional.div(this.cumQty).toDecimalPlaces(12);
  }

  get origClOrdId(): string | null {
    return this.previousClOrdIds.at(-1) ?? null;
  }

  /** Every ClOrdID the order has had: a status request or a cancel may name any. */
  get allClOrdIds(): string[] {
    return [...this.previousClOrdIds, this.clOrdId];
  }

  child(clientOrderId: string): ChildOrder {
    let child = this.children.get(clientOrderId);
    if (child === undefined) {
      child = { filledSeen: new Dec(0), final: null, seen: false };
      this.children.set(clientOrderId, child);
    }
    return child;
  }

  /** Applies one fill once per tradeId; false when it was heard before. */
  applyFill(clientOrderId: string, tradeId: string, qty: Decimal, px: Decimal): boolean {
    if (this.tradeIds.has(tradeId)) return false;
    this.tradeIds.add(tradeId);
    const child = this.child(clientOrderId);
    child.filledSeen = child.filledSeen.plus(qty);
    this.cumQty = this.cumQty.plus(qty);
    this.notional = this.notional.plus(qty.times(px));
    this.ordStatus = this.cumQty.gte(this.spec.orderQty) ? ORD_STATUS.Filled : ORD_STATUS.PartiallyFilled;
    return true;
  }

  /** The status while working: New until the first fill, then PartiallyFilled. */
  workingStatus(): OrdStatusCode {
    return this.cumQty.isZero() ? ORD_STATUS.New : ORD_STATUS.PartiallyFilled;
  }

  /** A replace took effect: the new ClOrdID and price. */
  replaced(clOrdId: string, price: Decimal | null): void {
    this.previousClOrdIds.push(this.clOrdId);
    this.clOrdId = clOrdId;
    if (price !== null) this.price = price;
  }

  canceled(clOrdId: string | null): void {
    if (clOrdId !== null) {
      this.previousClOrdIds.push(this.clOrdId);
      this.clOrdId = clOrdId;
    }
    this.ordStatus = ORD_STATUS.Canceled;
  }
}

function nonNegative(value: Decimal): Decimal {
  return value.isNegative() ? new Dec(0) : value;
}
