// An in-memory FlowContext for verb specs: runs a verb's steps the way the engine does (commit, retry,
// replay of committed steps on resume), simulates crashes around a step's commit, and answers venue ops,
// aggregates and child orders from the spec's script. It keeps what the verb did so specs can count it.
import { isDeepStrictEqual } from 'node:util';
import {
  VENUE_OPS,
  clientOrderIdOf,
  CreateOrderRequestV1,
  type AggregateV1,
  type FlowVerbInput,
  type FlowVerbName,
  type OrderStateV1,
  type PreTradeReason,
  type VenueOp,
  type VenueOpRequest,
  type VenueOpResult,
} from '@tm/contracts';
import type {
  ChildOrder,
  FlowContext,
  JsonObject,
  JsonValue,
  StepContext,
  StepPolicy,
} from '../../engine/flow-context.js';
import type { FlowVerb, VerbSettings } from '../../engine/flow-verb.js';
import { PreTradeRefusal, StepError } from '../../engine/step.error.js';

export type VenueHandler<O extends VenueOp> = (
  request: VenueOpRequest<O>,
  call: { venue: string; step: string },
) => VenueOpResult<O> | Promise<VenueOpResult<O>>;

/** What the outside world answers. Every venue request and answer is checked against its contract schema. */
export interface FlowScript {
  venue?: { [O in VenueOp]?: VenueHandler<O> };
  aggregates?: Record<string, AggregateV1>;
  /** Client order ids by `<venue>/<tag>`, for taggedOrders. */
  tagged?: Record<string, string[]>;
  /** The venue's first answer to a new child order (default: open, nothing filled). */
  onPlace?: (order: ChildOrder, clientOrderId: string) => OrderStateV1;
  /** The order's final state when a step awaits it (default: its last known state). */
  onAwait?: (order: OrderStateV1) => OrderStateV1;
  /** The venue's confirmed state after a cancel (default: the known order, canceled if it was working). */
  onCancel?: (venue: string, order: Pick<OrderStateV1, 'instrument' | 'clientOrderId'>) => OrderStateV1;
}

export interface ScriptedFlowOptions<V extends FlowVerbName> {
  verb: V;
  /** The verb's input as its schema outputs it (defaults applied). */
  input: FlowVerbInput<V>;
  script: FlowScript;
  flowId?: string;
  account?: string;
  /** The fake wall clock, epoch ms; it moves only when the flow sleeps or a step asks to wait. */
  now?: number;
}

/** Where to simulate a crash: just before a step's result is committed, or just after. */
export interface CrashPoint {
  beforeCommit?: string;
  afterCommit?: string;
}

export type FlowOutcome =
  | { status: 'succeeded'; result: JsonObject }
  | { status: 'refused'; reason: PreTradeReason; message: string }
  | { status: 'failed'; code: string; message: string; step: string | null }
  | { status: 'crashed'; step: string };

export interface CommittedStep {
  index: number;
  name: string;
  result: JsonValue;
}

export interface PlacedOrder {
  step: string;
  child: number;
  clientOrderId: string;
  order: ChildOrder;
}

export interface VenueCall {
  step: string;
  venue: string;
  op: VenueOp;
  request: unknown;
}

/** Stands in for the process dying: the engine resumes the flow from its journal. */
class SimulatedCrash extends Error {
  constructor(readonly step: string) {
    super(`simulated crash at step ${step}`);
  }
}

/** A fake step never retries forever: a spec that needs more attempts than this has a bug. */
const MAX_FAKE_ATTEMPTS = 50;
const DEFAULT_MAX_ATTEMPTS = 5;

/**
 * One flow, run as often as a spec likes: each `run` is a fresh process executing the verb from the top
 * against the same journal, venue orders and clock, as the engine does when it resumes a flow.
 */
export class ScriptedFlow<V extends FlowVerbName> {
  readonly flowId: string;
  readonly account: string;
  readonly verb: V;
  readonly input: FlowVerbInput<V>;
  /** Committed steps, by index. */
  readonly journal: CommittedStep[] = [];
  /** Every executed attempt of a step body, by step name (a replayed step adds nothing). */
  readonly executions: string[] = [];
  /** Steps answered from the journal. */
  readonly replayed: string[] = [];
  /** Orders that reached the venue (a re-sent client order id is not a new order and is not here). */
  readonly placed: PlacedOrder[] = [];
  readonly calls: VenueCall[] = [];
  readonly cancels: string[] = [];
  readonly sleeps: number[] = [];
  /** The venue's picture of the orders this flow placed, by client order id. */
  readonly orders = new Map<string, OrderStateV1>();
  clock: number;
  private readonly attempts = new Map<number, number>();

  constructor(private readonly options: ScriptedFlowOptions<V>) {
    this.verb = options.verb;
    this.input = options.input;
    this.flowId = options.flowId ?? 'flow-1';
    this.account = options.account ?? 'acct1';
    this.clock = options.now ?? 1_700_000_000_000;
  }

  get script(): FlowScript {
    return this.options.script;
  }

  /** Runs (or resumes) the verb once; a crash point ends this run as the process dying there would. */
  async run(verb: FlowVerb<V>, settings: VerbSettings, crash: CrashPoint = {}): Promise<FlowOutcome> {
    const context = new ScriptedFlowContext<V>(this, crash);
    try {
      const result = await verb.run(context, settings);
      return { status: 'succeeded', result: asJson(result, 'the flow result') as JsonObject };
    } catch (error) {
      if (error instanceof SimulatedCrash) return { status: 'crashed', step: error.step };
      if (error instanceof PreTradeRefusal)
        return { status: 'refused', reason: error.reason, message: error.message };
      if (error instanceof StepError)
        return { status: 'failed', code: error.code, message: error.message, step: context.currentStep };
      throw error;
    }
  }

  /** How many times the body of step `name` ran. */
  executionsOf(name: string): number {
    return this.executions.filter((executed) => executed === name).length;
  }

  /** The committed result of step `name`. */
  committed(name: string): JsonValue | undefined {
    return this.journal.find((step) => step.name === name)?.result;
  }

  /** @internal */
  nextAttempt(index: number): number {
    const attempt = (this.attempts.get(index) ?? 0) + 1;
    this.attempts.set(index, attempt);
    return attempt;
  }
}

class ScriptedFlowContext<V extends FlowVerbName> implements FlowContext<FlowVerbInput<V>> {
  readonly flowId: string;
  readonly verb: V;
  readonly account: string;
  readonly input: FlowVerbInput<V>;
  currentStep: string | null = null;
  private nextIndex = 0;

  constructor(
    private readonly flow: ScriptedFlow<V>,
    private readonly crash: CrashPoint,
  ) {
    this.flowId = flow.flowId;
    this.account = flow.account;
    this.verb = flow.verb;
    // A fresh copy, as the engine reads the input back from its row on resume.
    this.input = structuredClone(flow.input);
  }

  async step<T extends JsonValue>(
    name: string,
    run: (step: StepContext) => Promise<T>,
    policy?: StepPolicy,
  ): Promise<T> {
    const index = this.nextIndex++;
    this.currentStep = name;
    const committed = this.flow.journal[index];
    if (committed) {
      if (committed.name !== name)
        throw new Error(
          `step ${index} is '${name}' on this run but '${committed.name}' was committed: the verb is not deterministic`,
        );
      this.flow.replayed.push(name);
      return structuredClone(committed.result) as T;
    }
    const maxAttempts = Math.min(policy?.maxAttempts ?? DEFAULT_MAX_ATTEMPTS, MAX_FAKE_ATTEMPTS);
    for (let attempt = 1; ; attempt++) {
      this.flow.executions.push(name);
      try {
        const step = new ScriptedStep(this.flow, index, name, this.flow.nextAttempt(index));
        const stored = asJson(await run(step), `the result of step '${name}'`);
        if (this.crash.beforeCommit === name) throw new SimulatedCrash(name);
        this.flow.journal.push({ index, name, result: stored });
        if (this.crash.afterCommit === name) throw new SimulatedCrash(name);
        return structuredClone(stored) as T;
      } catch (error) {
        if (!(error instanceof StepError) || !error.retryable || attempt >= maxAttempts) throw error;
        if (policy?.maxAttempts === Infinity && attempt >= MAX_FAKE_ATTEMPTS)
          throw new Error(`step '${name}' still failing after ${MAX_FAKE_ATTEMPTS} attempts`);
        this.flow.clock += error.retryAfterMs ?? 0;
      }
    }
  }

  async sleepUntil(atMs: number): Promise<void> {
    this.flow.sleeps.push(atMs);
    this.flow.clock = Math.max(this.flow.clock, atMs);
  }
}

class ScriptedStep implements StepContext {
  readonly flowId: string;
  readonly account: string;
  readonly signal = new AbortController().signal;

  constructor(
    private readonly flow: ScriptedFlow<FlowVerbName>,
    readonly index: number,
    private readonly name: string,
    readonly attempt: number,
  ) {
    this.flowId = flow.flowId;
    this.account = flow.account;
  }

  now(): number {
    return this.flow.clock;
  }

  async venue<O extends VenueOp>(
    venue: string,
    op: O,
    request: VenueOpRequest<O>,
  ): Promise<VenueOpResult<O>> {
    const schema = VENUE_OPS[op];
    const checked = schema.request.safeParse(request);
    if (!checked.success) throw new Error(`invalid ${op} request: ${checked.error.message}`);
    this.flow.calls.push({ step: this.name, venue, op, request: structuredClone(request) });
    const handler = this.flow.script.venue?.[op] as VenueHandler<O> | undefined;
    if (!handler) throw new Error(`the script has no answer for venue op ${op}`);
    const result = await handler(structuredClone(request), { venue, step: this.name });
    const answer = schema.result.safeParse(result);
    if (!answer.success)
      throw new Error(`the script's ${op} answer breaks its contract: ${answer.error.message}`);
    return structuredClone(result);
  }

  async aggregate(instrument: string): Promise<AggregateV1> {
    const aggregate = this.flow.script.aggregates?.[instrument];
    if (!aggregate) throw new StepError('NO_MARKET_DATA', `no aggregate for ${instrument}`, false);
    return structuredClone(aggregate);
  }

  async placeOrder(child: number, order: ChildOrder): Promise<OrderStateV1> {
    const origin = { flowId: this.flowId, step: this.index, child };
    const { venue, ...request } = order;
    const checked = CreateOrderRequestV1.safeParse({ v: 1, origin, ...request });
    if (!checked.success) throw new Error(`invalid child order: ${checked.error.message}`);
    const clientOrderId = clientOrderIdOf(origin);
    const known = this.flow.orders.get(clientOrderId);
    // The engine's guarantee: the same (flow, step, child) is the same order, never a second one.
    if (known) return structuredClone(known);
    const state = this.flow.script.onPlace?.(order, clientOrderId) ?? {
      clientOrderId,
      venueOrderId: `v-${clientOrderId}`,
      instrument: order.instrument,
      side: order.side,
      kind: order.kind,
      timeInForce: order.timeInForce ?? (order.kind === 'market' ? 'IOC' : 'GTC'),
      price: order.price ?? null,
      amount: order.amount,
      filled: '0',
      status: 'open',
    };
    this.flow.orders.set(clientOrderId, state);
    this.flow.placed.push({
      step: this.name,
      child,
      clientOrderId,
      order: structuredClone({ ...order, venue }),
    });
    return structuredClone(state);
  }

  /** As the engine does it: the venue's edit-order under origin (flow, step, child). */
  amendOrder(
    child: number,
    venue: string,
    order: Pick<OrderStateV1, 'instrument' | 'clientOrderId' | 'side' | 'kind'>,
    change: { amount: string; price: string },
  ): Promise<OrderStateV1> {
    return this.venue(venue, 'edit-order', {
      v: 1,
      origin: { flowId: this.flowId, step: this.index, child },
      instrument: order.instrument,
      clientOrderId: order.clientOrderId,
      amount: change.amount,
      price: change.price,
    });
  }

  async awaitOrder(_venue: string, order: OrderStateV1): Promise<OrderStateV1> {
    const known = this.flow.orders.get(order.clientOrderId) ?? order;
    const final = this.flow.script.onAwait?.(known) ?? known;
    this.flow.orders.set(order.clientOrderId, final);
    return structuredClone(final);
  }

  async cancelOrder(
    venue: string,
    order: Pick<OrderStateV1, 'instrument' | 'clientOrderId'>,
  ): Promise<OrderStateV1> {
    this.flow.cancels.push(order.clientOrderId);
    if (this.flow.script.onCancel) return structuredClone(this.flow.script.onCancel(venue, order));
    const known = this.flow.orders.get(order.clientOrderId);
    if (!known) throw new Error(`the script knows no order ${order.clientOrderId} to cancel`);
    const canceled: OrderStateV1 =
      known.status === 'open' || known.status === 'in_flight' ? { ...known, status: 'canceled' } : known;
    this.flow.orders.set(order.clientOrderId, canceled);
    return structuredClone(canceled);
  }

  refuse(reason: PreTradeReason, message: string): never {
    throw new PreTradeRefusal(reason, message);
  }

  async taggedOrders(venue: string, tag: string): Promise<string[]> {
    return [...(this.flow.script.tagged?.[`${venue}/${tag}`] ?? [])];
  }
}

/** What the engine stores is JSON: a result that does not survive the round trip (Decimal, undefined, Date) is a bug. */
function asJson(value: unknown, what: string): JsonValue {
  const stored = JSON.parse(JSON.stringify(value ?? null)) as JsonValue;
  if (!isDeepStrictEqual(stored, value))
    throw new Error(`${what} is not plain JSON (a Decimal, Date, undefined or class instance in it?)`);
  return stored;
}

/** An order state with defaults for a spec: a working limit buy of 1 BTC/USDT at 100. */
export function orderState(
  fields: Partial<OrderStateV1> & Pick<OrderStateV1, 'clientOrderId'>,
): OrderStateV1 {
  return {
    venueOrderId: `v-${fields.clientOrderId}`,
    instrument: 'BTC/USDT',
    side: 'buy',
    kind: 'limit',
    timeInForce: 'GTC',
    price: '100',
    amount: '1',
    filled: '0',
    status: 'open',
    ...fields,
  };
}

/** Price and size levels of one source's book, best first. */
export interface SourceBook {
  bids: [price: number, size: number][];
  asks: [price: number, size: number][];
}

/** An aggregate of `instrument` consolidating each source's book, as the aggregator publishes it. */
export function aggregateOf(instrument: string, books: Record<string, SourceBook>): AggregateV1 {
  const consolidate = (side: 'bids' | 'asks'): AggregateV1['book']['bids'] => {
    const byPrice = new Map<number, { source: string; size: number }[]>();
    for (const source of Object.keys(books).sort()) {
      for (const [price, size] of books[source]![side])
        byPrice.set(price, [...(byPrice.get(price) ?? []), { source, size }]);
    }
    const prices = [...byPrice.keys()].sort((a, b) => (side === 'bids' ? b - a : a - b));
    return prices.map((price) => {
      const sources = byPrice.get(price)!;
      return { price, size: sources.reduce((sum, level) => sum + level.size, 0), sources };
    });
  };
  const bids = consolidate('bids');
  const asks = consolidate('asks');
  const best = (levels: typeof bids) => {
    const top = levels[0];
    if (!top) return null;
    const largest = [...top.sources].sort((a, b) => b.size - a.size)[0]!;
    return { price: top.price, size: top.size, source: largest.source };
  };
  return {
    v: 1,
    instrument,
    tsInit: 1,
    sources: Object.keys(books)
      .sort()
      .map((source) => {
        const bid = books[source]!.bids[0] ?? [0, 0];
        const ask = books[source]!.asks[0] ?? [0, 0];
        return {
          source,
          bid: bid[0],
          bidSize: bid[1],
          ask: ask[0],
          askSize: ask[1],
          mid: bid[0] > 0 && ask[0] > 0 ? (bid[0] + ask[0]) / 2 : null,
          tsEvent: 1,
          tsInit: 1,
          ticksPerSec: 0,
          receiveLatencyMicros: null,
          book: 'trusted' as const,
        };
      }),
    book: { bids, asks },
    bestBid: best(bids),
    bestAsk: best(asks),
    lastTrade: null,
    vwap: { candle: null, candleIntervalMicros: 60_000_000, session: null },
    candles: [],
    comparisons: [],
    arbitrage: [],
  };
}

/** Settings for specs: generous limits, no whitelist, a 250 ms poll. */
export function verbSettings(overrides: Partial<VerbSettings> = {}): VerbSettings {
  return {
    maxNotional: '1000000',
    priceBandBps: 500,
    transferWhitelist: {},
    amendInPlaceVenues: [],
    orderPollMs: 250,
    ...overrides,
  };
}
