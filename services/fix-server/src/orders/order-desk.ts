// The FIX order desk: NewOrderSingle, OrderCancelRequest, OrderCancelReplaceRequest and OrderStatusRequest of
// client sessions become flows; the flows' progress and the venue orders' execution events become
// ExecutionReports and OrderCancelRejects, in order, each fill once.
import type { NatsConnection } from '@nats-io/transport-node';
import {
  clientOrderIdOf,
  FlowErrorV1,
  nowMicros,
  type ExecutionEventV1,
  type FlowCommandV1,
  type FlowProgressV1,
  type FlowStateV1,
  type PreTradeReason,
  type Subjects,
} from '@tm/contracts';
import { accountSlot } from '@tm/sharding';
import {
  cancelReject,
  canceledReport,
  newReport,
  refusalReport,
  rejectedReport,
  replacedReport,
  statusReport,
  tradeReport,
  unknownStatusReport,
  type FixExecutionReport,
  type FixOrderCancelReject,
} from './execution-report.js';
import { looseOf, symbolOf, textOf } from './fix-input.js';
import { FixOrder } from './fix-order.js';
import {
  CXL_REJ_REASON,
  CXL_REJ_RESPONSE_TO,
  Dec,
  FIX_SIDE,
  ORD_REJ_REASON,
  ORD_STATUS,
  type CxlRejReasonCode,
  type OrdRejReasonCode,
} from './fix-values.js';
import { parseNewOrderSingle } from './new-order-single.js';
import { parseOrderCancelReplaceRequest } from './order-cancel-replace-request.js';
import { parseOrderCancelRequest } from './order-cancel-request.js';
import type { OrderLookup } from './order-change.js';
import { sendFlowCommand, type FlowReply } from './flow-commands.js';
import { SlotFeeds, type SlotEvent } from './slot-feed.js';

/** One FIX session as the desk sees it; `send` hands a body to jspurefix (`'8'` ExecutionReport, `'9'` OrderCancelReject). */
export interface OrderSession {
  /** `SENDER->TARGET`. */
  readonly key: string;
  readonly clientId: string;
  readonly allowedAccounts: readonly string[];
  send(msgType: '8' | '9', obj: object): void;
}

export type OrderMsgType = 'D' | 'F' | 'G' | 'H';
export type LatencyKind = 'ack' | 'fill';

export interface OrderDeskLogger {
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

export interface OrderDeskOptions {
  nc: NatsConnection;
  subjects: Subjects;
  /** The venue of an order without ExDestination(100). */
  defaultVenue: string;
  requestTimeoutMs: number;
  logger?: OrderDeskLogger;
  /** NewOrderSingle → New (`ack`) and → first fill report (`fill`), microseconds, per session. */
  onLatency?: (sessionKey: string, kind: LatencyKind, micros: number) => void;
  /** How long a flow's end waits for the venue order's last events before the desk reports from the flow. */
  settleGraceMs?: number;
}

export interface OrderDeskCounters {
  received: number;
  rejected: number;
  acknowledged: number;
  fills: number;
  canceled: number;
  replaced: number;
  cancelRejects: number;
}

type FlowRole = 'origin' | 'cancel' | 'replace';
const FLOW_ENDS: ReadonlySet<string> = new Set([
  'FlowSucceeded',
  'FlowFailed',
  'FlowRefused',
  'FlowCanceled',
]);
const FINAL_ORDER: ReadonlySet<string> = new Set(['closed', 'canceled', 'expired', 'rejected']);
/**
 * Step indexes of the flow-engine verbs, which name the child orders (clientOrderIdOf): buy/sell with an amount
 * place in step 1 ('order', after 'check'), reprice replaces in step 2 ('move-0', after 'select' and 'target').
 * Known in advance so an execution event that outruns the flow's progress is still recognised.
 */
const ORDER_STEP = 1;
const FIRST_MOVE_STEP = 2;
/** trade-execution's MAX_MAKER_REPOSTS: a post-only order may be placed up to this many times. */
const MAKER_CHILDREN = 20;
/** Events for flows or orders the desk does not know yet, kept a while (a start's reply can trail its first events). */
const RECENT_LIMIT = 2_000;
const RECENT_MS = 10_000;
const START_ATTEMPTS = 2;

export class OrderDesk {
  readonly counters: OrderDeskCounters = {
    received: 0,
    rejected: 0,
    acknowledged: 0,
    fills: 0,
    canceled: 0,
    replaced: 0,
    cancelRejects: 0,
  };
  private readonly sessions = new Map<string, OrderSession>();
  /** `client\nClOrdID` → order, for every ClOrdID an order had or has pending. */
  private readonly orders = new Map<string, FixOrder>();
  /** `client\nClOrdID` of every message accepted so far: a ClOrdID is used once. */
  private readonly used = new Set<string>();
  /** Keys whose start went unanswered: a resend adopts the flow the engine replays. */
  private readonly unconfirmed = new Set<string>();
  private readonly byFlow = new Map<string, { order: FixOrder; role: FlowRole }>();
  private readonly byChild = new Map<string, FixOrder>();
  private readonly holding = new Set<FixOrder>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private recent: { at: number; event: SlotEvent }[] = [];
  private readonly feeds: SlotFeeds;
  private readonly settleGraceMs: number;
  private closed = false;

  constructor(private readonly options: OrderDeskOptions) {
    this.settleGraceMs = options.settleGraceMs ?? 5_000;
    this.feeds = new SlotFeeds(
      options.nc,
      options.subjects,
      (_slot, event) => this.onEvent(event),
      options.logger,
    );
  }

  /** Handles one application message of a session; never throws (a failure is logged and answered where it can be). */
  async handle(session: OrderSession, msgType: OrderMsgType, obj: unknown): Promise<void> {
    if (this.closed) return;
    this.sessions.set(session.key, session);
    try {
      switch (msgType) {
        case 'D':
          return await this.newOrder(session, obj);
        case 'F':
          return await this.cancel(session, obj);
        case 'G':
          return await this.replace(session, obj);
        case 'H':
          return this.status(session, obj);
        default:
          this.options.logger?.warn(
            { session: session.key, msgType: String(msgType) },
            'not an order message',
          );
      }
    } catch (error) {
      this.options.logger?.error({ err: error, session: session.key, msgType }, 'order message not handled');
    }
  }

  /** The session is gone: its orders are no longer followed (their flows and venue orders go on). */
  closeSession(key: string): void {
    this.sessions.delete(key);
    for (const [id, order] of this.orders) {
      if (order.spec.sessionKey !== key) continue;
      this.orders.delete(id);
      this.forget(order);
    }
  }

  close(): void {
    this.closed = true;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    this.feeds.close();
    this.holding.clear();
  }

  /** Slots followed now and by how many orders. */
  followedSlots(): ReadonlyMap<number, number> {
    return this.feeds.holders();
  }

  // ---- D ----

  private async newOrder(session: OrderSession, obj: unknown): Promise<void> {
    this.counters.received += 1;
    const receivedAt = performance.now();
    const parsed = parseNewOrderSingle(session, obj, this.options.defaultVenue, receivedAt);
    if (!parsed.ok)
      return this.refuse(session, refusalReport(parsed.echo, parsed.reason, parsed.text, nowMicros()));
    const { spec, command } = parsed;
    const echo = {
      clOrdId: spec.clOrdId,
      symbol: spec.symbol,
      side: spec.side,
      account: spec.account,
      orderQty: spec.orderQty,
    };
    const key = keyOf(session.clientId, spec.clOrdId);
    // A retransmission (PossDupFlag=Y) of an order we have is not a new order: its status answers it.
    const known = this.orders.get(key);
    if (known !== undefined && isPossibleDuplicate(obj))
      return this.emit(known, '8', statusReport(known, nowMicros()));
    if (this.used.has(key))
      return this.refuse(
        session,
        refusalReport(
          echo,
          ORD_REJ_REASON.DuplicateOrder,
          `ClOrdID(11) ${spec.clOrdId} was used before`,
          nowMicros(),
        ),
      );
    this.used.add(key);
    const slot = accountSlot(spec.account);
    // Interest first: events of the flow sent after the start cannot be missed.
    await this.feeds.acquire(slot);
    const reply = await this.start(command);
    const refuse = (reason: OrdRejReasonCode, text: string, orderId?: string): void => {
      this.feeds.release(slot);
      this.refuse(session, refusalReport(echo, reason, text, nowMicros(), orderId));
    };
    if (reply.kind === 'silent') {
      this.used.delete(key);
      this.unconfirmed.add(key);
      return refuse(
        ORD_REJ_REASON.Other,
        `the flow engine did not answer (${reply.text}); the order may have started: resend the same ClOrdID to find it`,
      );
    }
    if (reply.kind === 'error') {
      const duplicate = reply.error.code === 'IDEMPOTENCY_CONFLICT';
      return refuse(
        duplicate ? ORD_REJ_REASON.DuplicateOrder : ORD_REJ_REASON.Other,
        `${reply.error.code}: ${reply.error.message}${reply.error.details ? ` (${reply.error.details.join('; ')})` : ''}`,
      );
    }
    const flow = reply.flow;
    if (flow.replayed && !this.unconfirmed.delete(key))
      return refuse(
        ORD_REJ_REASON.DuplicateOrder,
        `duplicate ClOrdID(11) ${spec.clOrdId}: flow ${flow.flowId} has it`,
        flow.flowId,
      );
    const order = new FixOrder({ ...spec, orderId: flow.flowId });
    this.orders.set(key, order);
    if (flow.status === 'refused' || flow.status === 'failed' || flow.status === 'canceled') {
      order.ordStatus = ORD_STATUS.Rejected;
      const error = flow.error;
      return refuse(rejectReasonOf(error), flowText(flow.status, error), flow.flowId);
    }
    this.holding.add(order);
    this.byFlow.set(flow.flowId, { order, role: 'origin' });
    const children = command.input['makerOnly'] === true ? MAKER_CHILDREN : 1;
    for (let child = 0; child < children; child++)
      this.byChild.set(clientOrderIdOf({ flowId: flow.flowId, step: ORDER_STEP, child }), order);
    this.counters.acknowledged += 1;
    this.emit(order, '8', newReport(order, nowMicros()));
    this.options.onLatency?.(session.key, 'ack', Math.round((performance.now() - receivedAt) * 1000));
    this.replayRecent();
  }

  /** A start is idempotent by its key: one unanswered attempt is tried again before giving up. */
  private async start(command: FlowCommandV1): Promise<FlowReply> {
    let reply: FlowReply = { kind: 'silent', text: 'not sent' };
    for (let attempt = 0; attempt < START_ATTEMPTS && !this.closed; attempt++) {
      reply = await sendFlowCommand(
        this.options.nc,
        this.options.subjects,
        command,
        this.options.requestTimeoutMs,
      );
      if (reply.kind !== 'silent') return reply;
    }
    return reply;
  }

  // ---- F and G ----

  private async cancel(session: OrderSession, obj: unknown): Promise<void> {
    const parsed = parseOrderCancelRequest(session, obj, this.lookup(session.clientId), nowMicros());
    if (!parsed.ok) return this.cancelRejected(session, parsed.reject);
    await this.startChange(session, parsed.order, parsed.clOrdId, 'cancel', parsed.command, null);
  }

  private async replace(session: OrderSession, obj: unknown): Promise<void> {
    const parsed = parseOrderCancelReplaceRequest(session, obj, this.lookup(session.clientId), nowMicros());
    if (!parsed.ok) return this.cancelRejected(session, parsed.reject);
    await this.startChange(session, parsed.order, parsed.clOrdId, 'replace', parsed.command, parsed.price);
  }

  private async startChange(
    session: OrderSession,
    order: FixOrder,
    clOrdId: string,
    kind: 'cancel' | 'replace',
    command: FlowCommandV1,
    newPrice: FixOrder['price'],
  ): Promise<void> {
    const key = keyOf(session.clientId, clOrdId);
    this.used.add(key);
    // Held from here, so a second F or G before the reply is refused as pending.
    order.pending = { kind, clOrdId, flowId: '', newPrice, flowDone: false };
    const reply = await this.start(command);
    const failed = (reason: CxlRejReasonCode, text: string): void => {
      order.pending = null;
      this.answerChange(order, clOrdId, kind, reason, text);
    };
    if (reply.kind === 'silent')
      return failed(CXL_REJ_REASON.Other, `the flow engine did not answer (${reply.text})`);
    if (reply.kind === 'error')
      return failed(CXL_REJ_REASON.Other, `${reply.error.code}: ${reply.error.message}`);
    const flow = reply.flow;
    if (flow.status === 'refused' || flow.status === 'failed' || flow.status === 'canceled')
      return failed(CXL_REJ_REASON.Other, flowText(flow.status, flow.error));
    order.pending.flowId = flow.flowId;
    this.orders.set(key, order);
    this.byFlow.set(flow.flowId, { order, role: kind });
    if (kind === 'replace')
      this.byChild.set(clientOrderIdOf({ flowId: flow.flowId, step: FIRST_MOVE_STEP, child: 0 }), order);
    if (flow.status === 'succeeded') this.onProgress(progressOfState(flow));
    this.replayRecent();
  }

  // ---- H ----

  private status(session: OrderSession, obj: unknown): void {
    const message = looseOf(obj);
    const clOrdId = textOf(message['ClOrdID']) ?? 'NONE';
    const reqId = textOf(message['OrdStatusReqID']) ?? undefined;
    const order = this.orders.get(keyOf(session.clientId, clOrdId));
    if (order !== undefined && order.spec.sessionKey === session.key)
      return this.emit(order, '8', statusReport(order, nowMicros(), reqId));
    const echo = {
      clOrdId,
      symbol: symbolOf(message) ?? 'NONE',
      side: textOf(message['Side']) ?? FIX_SIDE.Buy,
    };
    this.send(session, '8', unknownStatusReport(echo, nowMicros(), reqId));
  }

  // ---- events ----

  private onEvent(event: SlotEvent): void {
    if (this.closed) return;
    if (!this.dispatch(event)) this.remember(event);
  }

  /** False when the event is about nothing the desk follows (yet). */
  private dispatch(event: SlotEvent): boolean {
    if (event.kind === 'progress') {
      if (!this.byFlow.has(event.progress.flowId)) return false;
      this.onProgress(event.progress);
      return true;
    }
    const orderEvent = event.event;
    if (!('order' in orderEvent)) return true;
    const order = this.byChild.get(orderEvent.order.clientOrderId);
    if (order === undefined) return false;
    this.onOrderEvent(order, orderEvent);
    return true;
  }

  private remember(event: SlotEvent): void {
    const now = Date.now();
    this.recent.push({ at: now, event });
    if (this.recent.length > RECENT_LIMIT || this.recent[0]!.at < now - RECENT_MS)
      this.recent = this.recent.filter((kept) => kept.at >= now - RECENT_MS).slice(-RECENT_LIMIT);
  }

  /** Hands on the remembered events the desk now follows, in the order they came. */
  private replayRecent(): void {
    if (this.recent.length === 0) return;
    const kept = this.recent;
    this.recent = [];
    for (const entry of kept) if (!this.dispatch(entry.event)) this.recent.push(entry);
  }

  private onOrderEvent(order: FixOrder, event: Extract<ExecutionEventV1, { order: unknown }>): void {
    const id = event.order.clientOrderId;
    const child = order.child(id);
    child.seen = true;
    if (event.type === 'OrderFilled') {
      const qty = new Dec(event.fill.amount);
      const px = new Dec(event.fill.price);
      if (!order.isDone && order.applyFill(id, event.fill.tradeId, qty, px)) {
        this.counters.fills += 1;
        this.emit(
          order,
          '8',
          tradeReport(order, { tradeId: event.fill.tradeId, qty, px }, event.tsEvent || nowMicros()),
        );
        if (!order.firstFillReported) {
          order.firstFillReported = true;
          this.options.onLatency?.(
            order.spec.sessionKey,
            'fill',
            Math.round((performance.now() - order.spec.receivedAt) * 1000),
          );
        }
        if (order.isDone) this.finish(order);
      }
    }
    const status = event.order.status;
    if (FINAL_ORDER.has(status)) {
      child.final = { status, filled: new Dec(event.order.filled) };
      if (status !== 'rejected' && order.liveChild === null) order.liveChild = id;
    } else if (status === 'open' || status === 'in_flight') {
      order.liveChild = id;
    }
    this.settle(order);
  }

  private onProgress(progress: FlowProgressV1): void {
    const entry = this.byFlow.get(progress.flowId);
    if (entry === undefined || !FLOW_ENDS.has(progress.type)) return;
    this.byFlow.delete(progress.flowId);
    const { order, role } = entry;
    const error = FlowErrorV1.safeParse(progress.detail['error']);
    const flowError = error.success ? error.data : null;
    if (role === 'origin') return this.originEnded(order, progress, flowError);
    const pending = order.pending;
    if (pending === null || pending.flowId !== progress.flowId) return;
    if (role === 'cancel') this.cancelEnded(order, progress, flowError);
    else this.replaceEnded(order, progress, flowError);
  }

  private originEnded(order: FixOrder, progress: FlowProgressV1, error: FlowErrorV1 | null): void {
    const text = flowText(progress.status, error);
    order.originFlowEnded = { status: progress.status, text };
    if (order.isDone) return;
    // Refused or failed before any venue order: the order never worked.
    if (
      progress.type !== 'FlowSucceeded' &&
      order.liveChild === null &&
      order.cumQty.isZero() &&
      order.pending === null
    ) {
      order.ordStatus = ORD_STATUS.Rejected;
      this.emit(order, '8', rejectedReport(order, rejectReasonOf(error), text, nowMicros()));
      this.counters.rejected += 1;
      return this.finish(order);
    }
    this.later(() => this.settleFromFlow(order));
  }

  /** The flow ended a while ago and the venue's last word never came: report what the flow said. */
  private settleFromFlow(order: FixOrder): void {
    if (order.isDone || order.pending !== null || order.originFlowEnded === null) return;
    const live = order.liveChild === null ? undefined : order.children.get(order.liveChild);
    if (live !== undefined && live.final === null) return;
    const text = `${order.originFlowEnded.text}; the venue order's end was not heard`;
    if (order.liveChild === null && order.cumQty.isZero()) {
      order.ordStatus = ORD_STATUS.Rejected;
      this.counters.rejected += 1;
      this.emit(order, '8', rejectedReport(order, ORD_REJ_REASON.Other, text, nowMicros()));
    } else {
      order.canceled(null);
      this.counters.canceled += 1;
      this.emit(order, '8', canceledReport(order, nowMicros(), text));
    }
    this.finish(order);
  }

  private cancelEnded(order: FixOrder, progress: FlowProgressV1, error: FlowErrorV1 | null): void {
    const pending = order.pending!;
    if (progress.type !== 'FlowSucceeded')
      return this.changeFailed(order, CXL_REJ_REASON.Other, flowText(progress.status, error));
    if (order.isDone)
      return this.changeFailed(order, CXL_REJ_REASON.TooLateToCancel, 'the order filled first');
    const result = looseOf(progress.detail['result']);
    const canceled = typeof result['canceled'] === 'number' ? result['canceled'] : 0;
    const alreadyDone = typeof result['alreadyDone'] === 'number' ? result['alreadyDone'] : 0;
    if (canceled > 0) {
      // The venue's OrderCanceled (and any last fill) settles it; the flow's word stands if that never comes.
      pending.flowDone = true;
      this.later(() => {
        if (order.isDone || order.pending !== pending) return;
        order.canceled(pending.clOrdId);
        order.pending = null;
        this.counters.canceled += 1;
        this.emit(order, '8', canceledReport(order, nowMicros()));
        this.finish(order);
      });
      return;
    }
    if (alreadyDone > 0)
      return this.changeFailed(order, CXL_REJ_REASON.TooLateToCancel, 'the venue order had ended already');
    this.changeFailed(order, CXL_REJ_REASON.Other, 'no open venue order carries this order yet; try again');
  }

  private replaceEnded(order: FixOrder, progress: FlowProgressV1, error: FlowErrorV1 | null): void {
    const pending = order.pending!;
    if (progress.type !== 'FlowSucceeded')
      return this.changeFailed(order, CXL_REJ_REASON.Other, flowText(progress.status, error));
    const moved = movedOrdersOf(progress.detail['result']);
    const done = moved.find((m) => m.to !== null);
    const same = moved.find((m) => m.reason === 'already at the price');
    if (done !== undefined || (same !== undefined && !order.isDone)) {
      if (done?.to) {
        this.byChild.set(done.to, order);
        order.liveChild = done.to;
      }
      order.replaced(pending.clOrdId, pending.newPrice);
      order.pending = null;
      this.counters.replaced += 1;
      this.emit(order, '8', replacedReport(order, nowMicros()));
      this.settle(order);
      return this.maybeRelease(order);
    }
    if (order.isDone)
      return this.changeFailed(order, CXL_REJ_REASON.TooLateToCancel, 'the order filled first');
    const why = moved.find((m) => m.reason !== null)?.reason ?? 'no open venue order carries this order yet';
    this.changeFailed(order, CXL_REJ_REASON.Other, `not replaced: ${why}`);
  }

  /** The pending F or G is refused: OrderCancelReject, then the order goes on as the venue says. */
  private changeFailed(order: FixOrder, reason: CxlRejReasonCode, text: string): void {
    const pending = order.pending;
    if (pending === null) return;
    order.pending = null;
    this.answerChange(order, pending.clOrdId, pending.kind, reason, text);
    this.settle(order);
    this.maybeRelease(order);
  }

  private answerChange(
    order: FixOrder,
    clOrdId: string,
    kind: 'cancel' | 'replace',
    reason: CxlRejReasonCode,
    text: string,
  ): void {
    const session = this.sessions.get(order.spec.sessionKey);
    if (session === undefined) return;
    this.cancelRejected(
      session,
      cancelReject(
        {
          orderId: order.spec.orderId,
          clOrdId,
          origClOrdId: order.clOrdId,
          ordStatus: order.ordStatus,
          account: order.spec.account,
          responseTo:
            kind === 'cancel' ? CXL_REJ_RESPONSE_TO.CancelRequest : CXL_REJ_RESPONSE_TO.CancelReplaceRequest,
          reason,
          text,
        },
        nowMicros(),
      ),
    );
  }

  /** The venue order now resting ended short of the quantity, with all its fills heard: Canceled. */
  private settle(order: FixOrder): void {
    if (order.isDone || order.pending?.kind === 'replace') return;
    const live = order.liveChild === null ? undefined : order.children.get(order.liveChild);
    if (live?.final == null || live.final.status === 'rejected') return;
    if (live.filledSeen.lt(live.final.filled)) return;
    const cancel = order.pending?.kind === 'cancel' ? order.pending : null;
    order.canceled(cancel === null ? null : cancel.clOrdId);
    order.pending = null;
    this.counters.canceled += 1;
    const text = cancel === null ? `the venue order is ${live.final.status}` : undefined;
    this.emit(order, '8', canceledReport(order, nowMicros(), text));
    this.finish(order);
  }

  private finish(order: FixOrder): void {
    for (const [id, owner] of this.byChild) if (owner === order) this.byChild.delete(id);
    this.maybeRelease(order);
  }

  /** A finished order with nothing pending needs its slot no more. */
  private maybeRelease(order: FixOrder): void {
    if (!order.isDone || order.pending !== null || !this.holding.delete(order)) return;
    for (const [flowId, entry] of this.byFlow) if (entry.order === order) this.byFlow.delete(flowId);
    this.feeds.release(accountSlot(order.spec.account));
  }

  private forget(order: FixOrder): void {
    for (const [id, owner] of this.byChild) if (owner === order) this.byChild.delete(id);
    for (const [flowId, entry] of this.byFlow) if (entry.order === order) this.byFlow.delete(flowId);
    if (this.holding.delete(order)) this.feeds.release(accountSlot(order.spec.account));
  }

  private later(run: () => void): void {
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      if (this.closed) return;
      try {
        run();
      } catch (error) {
        this.options.logger?.error({ err: error }, 'order settlement failed');
      }
    }, this.settleGraceMs);
    this.timers.add(timer);
  }

  // ---- sending ----

  private lookup(clientId: string): OrderLookup {
    return {
      byClOrdId: (clOrdId) => this.orders.get(keyOf(clientId, clOrdId)),
      isUsed: (clOrdId) => this.used.has(keyOf(clientId, clOrdId)),
    };
  }

  private refuse(session: OrderSession, report: FixExecutionReport): void {
    this.counters.rejected += 1;
    this.send(session, '8', report);
  }

  private cancelRejected(session: OrderSession, reject: FixOrderCancelReject): void {
    this.counters.cancelRejects += 1;
    this.send(session, '9', reject);
  }

  private emit(order: FixOrder, msgType: '8' | '9', body: object): void {
    const session = this.sessions.get(order.spec.sessionKey);
    if (session !== undefined) this.send(session, msgType, body);
  }

  private send(session: OrderSession, msgType: '8' | '9', body: object): void {
    try {
      session.send(msgType, body);
    } catch (error) {
      this.options.logger?.error({ err: error, session: session.key, msgType }, 'FIX message not sent');
    }
  }
}

function keyOf(clientId: string, clOrdId: string): string {
  return `${clientId}\n${clOrdId}`;
}

/** Text(58) of a flow that did not go: its status and the engine's code, reason and message. */
export function flowText(status: string, error: FlowErrorV1 | null): string {
  if (error === null) return `flow ${status}`;
  return `flow ${status}: ${error.code}${error.reason ? `/${error.reason}` : ''}: ${error.message}`;
}

/** OrdRejReason(103) for a flow's error: the pre-trade reasons that have a FIX name, else Other. */
export function rejectReasonOf(error: FlowErrorV1 | null): OrdRejReasonCode {
  const byReason: Partial<Record<PreTradeReason, OrdRejReasonCode>> = {
    MAX_NOTIONAL_EXCEEDED: ORD_REJ_REASON.OrderExceedsLimit,
    INSUFFICIENT_BALANCE: ORD_REJ_REASON.BrokerCredit,
    INSTRUMENT_NOT_TRADABLE: ORD_REJ_REASON.UnknownSymbol,
    BELOW_MINIMUM: ORD_REJ_REASON.IncorrectQuantity,
    OFF_GRID: ORD_REJ_REASON.IncorrectQuantity,
  };
  return (error?.reason && byReason[error.reason]) || ORD_REJ_REASON.Other;
}

interface MovedOrder {
  to: string | null;
  reason: string | null;
}

/** The reprice verb's result `{ orders: MovedOrder[] }`, read without trusting it. */
function movedOrdersOf(result: unknown): MovedOrder[] {
  const orders = looseOf(result)['orders'];
  if (!Array.isArray(orders)) return [];
  return orders.map((raw) => {
    const moved = looseOf(raw);
    return {
      to: typeof moved['to'] === 'string' ? moved['to'] : null,
      reason: typeof moved['reason'] === 'string' ? moved['reason'] : null,
    };
  });
}

/** A flow that had already ended when the start answered, seen as its last progress. */
function progressOfState(flow: FlowStateV1): FlowProgressV1 {
  return {
    v: 1,
    flowId: flow.flowId,
    verb: flow.verb,
    account: flow.account,
    status: flow.status,
    type: 'FlowSucceeded',
    step: null,
    attempt: null,
    detail: { ...(flow.result ? { result: flow.result } : {}) },
    correlationId: flow.correlationId,
    tsInit: flow.updatedAt,
  };
}

/** PossDupFlag(43)=Y in the message's header: the client may have sent it before. */
function isPossibleDuplicate(obj: unknown): boolean {
  const flag = looseOf(looseOf(obj)['StandardHeader'])['PossDupFlag'];
  return flag === true || flag === 'Y';
}
