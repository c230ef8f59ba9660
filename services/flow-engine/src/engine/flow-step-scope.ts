import {
  clientOrderIdOf,
  type AggregateV1,
  type OrderStateV1,
  type PreTradeReason,
  type VenueOp,
  type VenueOpRequest,
  type VenueOpResult,
} from '@tm/contracts';
import { abortableDelay } from './abortable-delay.js';
import type { ChildOrder, StepContext } from './flow-context.js';
import type { FlowRunner, RunnerDeps } from './flow-runner.js';
import { DEFINITE_REFUSALS } from '../venue/venue-rpc.client.js';
import { PreTradeRefusal, StepError } from './step.error.js';

/** An order in one of these states never works again. */
export const FINAL_STATUSES: ReadonlySet<string> = new Set(['closed', 'canceled', 'rejected', 'expired']);
/** How long an order venue-connectors does not know must stay unknown before it counts as never sent. */
const NEVER_SENT_AFTER_MS = 10_000;

/** An order venue-connectors never received: nothing rests and nothing filled. */
function neverSent(order: Pick<OrderStateV1, 'instrument' | 'clientOrderId'>): OrderStateV1 {
  return {
    clientOrderId: order.clientOrderId,
    venueOrderId: null,
    instrument: order.instrument,
    side: 'buy',
    kind: 'limit',
    timeInForce: 'GTC',
    price: null,
    amount: '0',
    filled: '0',
    status: 'rejected',
  };
}

/** One attempt of one step: the venue, the market and the flow's orders, all bound to the attempt's signal. */
export class FlowStepScope implements StepContext {
  constructor(
    private readonly runner: FlowRunner,
    readonly index: number,
    readonly attempt: number,
    readonly signal: AbortSignal,
    private readonly deps: RunnerDeps,
  ) {}

  get flowId(): string {
    return this.runner.flowId;
  }

  get account(): string {
    return this.runner.record.account;
  }

  now(): number {
    return Date.now();
  }

  async venue<O extends VenueOp>(
    venue: string,
    op: O,
    request: VenueOpRequest<O>,
  ): Promise<VenueOpResult<O>> {
    this.signal.throwIfAborted();
    return this.deps.venue.call(venue, this.account, op, request);
  }

  aggregate(instrument: string): Promise<AggregateV1> {
    this.signal.throwIfAborted();
    return this.deps.market.aggregate(instrument);
  }

  async placeOrder(child: number, order: ChildOrder): Promise<OrderStateV1> {
    const origin = { flowId: this.flowId, step: this.index, child };
    await this.runner.recordOrder(
      {
        step_index: this.index,
        child,
        client_order_id: clientOrderIdOf(origin),
        venue: order.venue,
        instrument: order.instrument,
        side: order.side,
        kind: order.kind,
        amount: order.amount,
        price: order.price ?? null,
      },
      order.replaces,
    );
    try {
      const state = await this.venue(order.venue, 'create-order', {
        v: 1,
        origin,
        instrument: order.instrument,
        side: order.side,
        kind: order.kind,
        amount: order.amount,
        ...(order.price !== undefined ? { price: order.price } : {}),
        ...(order.timeInForce !== undefined ? { timeInForce: order.timeInForce } : {}),
      });
      return this.note(state);
    } catch (error) {
      // The venue refused it for good: nothing rests, nothing for a cleanup to cancel.
      if (error instanceof StepError && DEFINITE_REFUSALS.has(error.code))
        this.runner.noteOrderState({
          client_order_id: clientOrderIdOf(origin),
          status: 'rejected',
          filled: '0',
        });
      throw error;
    }
  }

  async amendOrder(
    child: number,
    venue: string,
    order: Pick<OrderStateV1, 'instrument' | 'clientOrderId' | 'side' | 'kind'>,
    change: { amount: string; price: string },
  ): Promise<OrderStateV1> {
    const origin = { flowId: this.flowId, step: this.index, child };
    await this.runner.recordOrder(
      {
        step_index: this.index,
        child,
        client_order_id: clientOrderIdOf(origin),
        venue,
        instrument: order.instrument,
        side: order.side,
        kind: order.kind,
        amount: change.amount,
        price: change.price,
      },
      order.clientOrderId,
    );
    const state = await this.venue(venue, 'edit-order', {
      v: 1,
      origin,
      instrument: order.instrument,
      clientOrderId: order.clientOrderId,
      amount: change.amount,
      price: change.price,
    });
    return this.note(state);
  }

  async awaitOrder(venue: string, order: OrderStateV1, timeoutMs?: number): Promise<OrderStateV1> {
    const deadline = timeoutMs === undefined ? Infinity : Date.now() + timeoutMs;
    let state = order;
    while (!FINAL_STATUSES.has(state.status)) {
      const left = deadline - Date.now();
      if (left <= 0) break;
      const heard = await this.deps.orderEvents.next(
        state.clientOrderId,
        Math.min(left, this.deps.settings.orderPollMs),
        this.signal,
      );
      this.signal.throwIfAborted();
      state = heard ?? (await this.fetchOrder(venue, state));
    }
    return this.note(state);
  }

  async cancelOrder(
    venue: string,
    order: Pick<OrderStateV1, 'instrument' | 'clientOrderId'>,
  ): Promise<OrderStateV1> {
    let unknownSince: number | undefined;
    for (;;) {
      let state: OrderStateV1;
      try {
        state = await this.venue(venue, 'cancel-order', {
          v: 1,
          instrument: order.instrument,
          clientOrderId: order.clientOrderId,
        });
      } catch (error) {
        if (!(error instanceof StepError && error.code === 'NOT_FOUND')) throw error;
        // venue-connectors records every order before it sends it: unknown there, it was never sent, once a
        // create still on its way (a request that outlived our timeout) has had time to land.
        unknownSince ??= Date.now();
        if (Date.now() - unknownSince >= NEVER_SENT_AFTER_MS) {
          return this.note(neverSent(order));
        }
        await abortableDelay(this.deps.settings.orderPollMs, this.signal);
        continue;
      }
      this.note(state);
      if (FINAL_STATUSES.has(state.status)) return state;
      // Asked, not yet confirmed: wait for the venue's word, then ask again.
      const heard = await this.deps.orderEvents.next(
        order.clientOrderId,
        this.deps.settings.orderPollMs,
        this.signal,
      );
      this.signal.throwIfAborted();
      if (heard && FINAL_STATUSES.has(heard.status)) return this.note(heard);
    }
  }

  taggedOrders(venue: string, tag: string): Promise<string[]> {
    return this.deps.store.taggedOrders(this.account, venue, tag);
  }

  refuse(reason: PreTradeReason, message: string): never {
    throw new PreTradeRefusal(reason, message);
  }

  private async fetchOrder(venue: string, order: OrderStateV1): Promise<OrderStateV1> {
    try {
      return await this.venue(venue, 'fetch-order', {
        v: 1,
        instrument: order.instrument,
        clientOrderId: order.clientOrderId,
      });
    } catch (error) {
      // A poll that fails is a poll missed: the next one (or an event) answers.
      if (error instanceof StepError && error.retryable) return order;
      throw error;
    }
  }

  private note(state: OrderStateV1): OrderStateV1 {
    this.runner.noteOrderState({
      client_order_id: state.clientOrderId,
      status: state.status,
      filled: state.filled,
    });
    return state;
  }
}
