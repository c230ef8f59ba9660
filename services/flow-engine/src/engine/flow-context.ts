// What a verb sees while it runs: durable steps, timers, and inside a step the venue, the market and the
// account's orders. A verb is re-run from the top when a flow resumes; committed steps return their
// committed results without running again, so a verb decides only on its input and its steps' results.
import type {
  AggregateV1,
  FlowVerbName,
  OrderStateV1,
  PreTradeReason,
  VenueOp,
  VenueOpRequest,
  VenueOpResult,
} from '@tm/contracts';

export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };
export type JsonObject = { [key: string]: JsonValue };

/** How a step's failed attempts are retried. Errors that are certain (a refusal, bad input) never are. */
export interface StepPolicy {
  /** Attempts before the step (and the flow) fails; Infinity retries until the venue answers. Default 5. */
  maxAttempts?: number;
}

export interface FlowContext<I> {
  readonly flowId: string;
  readonly verb: FlowVerbName;
  /** The platform account the flow acts for (`acct:<account>` keys its slot); the venue account has this id. */
  readonly account: string;
  readonly input: I;
  /**
   * A durable step: runs (and retries) `run` until it returns, then commits the result before anything
   * else happens. On resume, a committed step returns its committed result and `run` is not called.
   */
  step<T extends JsonValue>(
    name: string,
    run: (step: StepContext) => Promise<T>,
    policy?: StepPolicy,
  ): Promise<T>;
  /** Waits until the wall-clock time (epoch ms); a cancel ends the wait (the flow then cancels). */
  sleepUntil(atMs: number): Promise<void>;
}

/** One placed order of a flow: its client order id comes from (flow, step, child), so a re-run re-sends the same id. */
export interface ChildOrder {
  venue: string;
  instrument: string;
  side: 'buy' | 'sell';
  kind: 'limit' | 'market';
  amount: string;
  price?: string;
  timeInForce?: 'GTC' | 'IOC' | 'FOK' | 'PO';
  /** The client order id this order replaces: the replacement keeps its strategy tag. */
  replaces?: string;
}

export interface StepContext {
  readonly flowId: string;
  readonly account: string;
  /** The step's index in the flow (the `step` of its orders' origin). */
  readonly index: number;
  /** 1 for the first attempt; counted across restarts. */
  readonly attempt: number;
  /** Aborted when the flow is canceled or this instance loses the flow; every wait honours it. */
  readonly signal: AbortSignal;
  /** Wall-clock epoch ms. */
  now(): number;
  /** One venue RPC op on this flow's account at `venue`. Venue failures throw StepError with the venue's code. */
  venue<O extends VenueOp>(venue: string, op: O, request: VenueOpRequest<O>): Promise<VenueOpResult<O>>;
  /** The aggregated state of an instrument (books of every venue), at most one aggregation tick old. */
  aggregate(instrument: string): Promise<AggregateV1>;
  /**
   * Places child order `child` of this step: recorded as the flow's order before it is sent, then sent
   * with origin (flow, step, child). A re-run of the step gets the venue's answer for the same order.
   */
  placeOrder(child: number, order: ChildOrder): Promise<OrderStateV1>;
  /**
   * Amends a resting order in place (price and amount; the venue keeps its queue position): the
   * replacement is child `child` of this step, recorded with the original's tag before it is sent.
   */
  amendOrder(
    child: number,
    venue: string,
    order: Pick<OrderStateV1, 'instrument' | 'clientOrderId' | 'side' | 'kind'>,
    change: { amount: string; price: string },
  ): Promise<OrderStateV1>;
  /** Waits until the order is closed, canceled, rejected or expired (or `timeoutMs` passes: its state then). */
  awaitOrder(venue: string, order: OrderStateV1, timeoutMs?: number): Promise<OrderStateV1>;
  /** Cancels an order and returns the venue's state of it; retried until the venue confirms. */
  cancelOrder(
    venue: string,
    order: Pick<OrderStateV1, 'instrument' | 'clientOrderId'>,
  ): Promise<OrderStateV1>;
  /** Client order ids of the orders flows of this account placed on the venue with this strategy tag. */
  taggedOrders(venue: string, tag: string): Promise<string[]>;
  /** Ends the flow as refused, before anything reached a venue: a pre-trade check said no. */
  refuse(reason: PreTradeReason, message: string): never;
}
