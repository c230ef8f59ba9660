// What buy and sell share: the pre-trade check, then a market order, a resting limit order (maker-only:
// post-only, re-posted passive when it would cross) or a TWAP whose schedule, fills and children are
// committed step by step, so a restart keeps the schedule and never sends a slice twice.
import type { FlowVerbInput, OrderStateV1 } from '@tm/contracts';
import { Decimal } from 'decimal.js';
import type { FlowContext, JsonObject, StepContext } from '../engine/flow-context.js';
import type { VerbSettings } from '../engine/flow-verb.js';
import { StepError } from '../engine/step.error.js';
import { checkOrder } from '../pre-trade/pre-trade-checks.js';

export type TradeInput = Omit<FlowVerbInput<'buy'>, 'amount'>;
type Side = 'buy' | 'sell';

/** Post-only re-posts of one limit order before the flow gives up: the market kept running through it. */
const MAX_MAKER_REPOSTS = 20;

interface CheckResult extends JsonObject {
  mid: string;
  tickSize: string | null;
  lotSize: string | null;
  minAmount: string | null;
  minNotional: string | null;
}

interface OrderSummary extends JsonObject {
  clientOrderId: string;
  status: string;
  amount: string;
  filled: string;
  price: string | null;
}

interface TwapPlan extends JsonObject {
  startAt: number;
  intervalMs: number;
  amounts: string[];
}

function summaryOf(state: OrderStateV1): OrderSummary {
  return {
    clientOrderId: state.clientOrderId,
    status: state.status,
    amount: state.amount,
    filled: state.filled,
    price: state.price,
  };
}

/** Largest multiple of the lot not above the value (the value itself without a lot). */
export function floorToLot(value: Decimal, lotSize: string | null): Decimal {
  if (lotSize === null) return value;
  return value.div(lotSize).floor().mul(lotSize);
}

export async function executeTrade(
  flow: FlowContext<unknown>,
  settings: VerbSettings,
  side: Side,
  input: TradeInput,
  amount: string,
): Promise<JsonObject> {
  const limit = input.kind === 'limit' ? input.price : input.twap?.priceLimit;
  const checked = await flow.step<CheckResult>('check', async (step) => {
    const c = await checkOrder(step, settings, {
      venue: input.venue,
      instrument: input.instrument,
      side,
      amount: new Decimal(amount),
      ...(limit !== undefined ? { price: new Decimal(limit) } : {}),
    });
    return {
      mid: c.mid.toString(),
      tickSize: c.spec.tickSize,
      lotSize: c.spec.lotSize,
      minAmount: c.spec.minAmount,
      minNotional: c.spec.minNotional,
    };
  });
  if (input.kind === 'twap') return twap(flow, side, input, amount, checked);
  const order = await flow.step<OrderSummary>('order', (step) =>
    input.kind === 'market'
      ? marketOrder(step, side, input, amount)
      : limitOrder(step, side, input, amount, checked.tickSize),
  );
  return { kind: input.kind, ordered: amount, filled: order.filled, orders: [order] };
}

async function marketOrder(
  step: StepContext,
  side: Side,
  input: TradeInput,
  amount: string,
): Promise<OrderSummary> {
  const placed = await step.placeOrder(0, {
    venue: input.venue,
    instrument: input.instrument,
    side,
    kind: 'market',
    amount,
    timeInForce: 'IOC',
  });
  return summaryOf(await step.awaitOrder(input.venue, placed));
}

async function limitOrder(
  step: StepContext,
  side: Side,
  input: TradeInput,
  amount: string,
  tickSize: string | null,
): Promise<OrderSummary> {
  let price = new Decimal(input.price!);
  for (let child = 0; child < MAX_MAKER_REPOSTS; child++) {
    let placed: OrderStateV1;
    try {
      placed = await step.placeOrder(child, {
        venue: input.venue,
        instrument: input.instrument,
        side,
        kind: 'limit',
        amount,
        price: price.toString(),
        timeInForce: input.makerOnly ? 'PO' : input.timeInForce,
      });
    } catch (error) {
      if (!(input.makerOnly && error instanceof StepError && error.code === 'POST_ONLY_WOULD_CROSS'))
        throw error;
      price = await passivePrice(step, side, input, price, tickSize);
      continue;
    }
    // A re-run finds the venue's first answer: a post-only order it refused comes back rejected.
    if (input.makerOnly && placed.status === 'rejected') {
      price = await passivePrice(step, side, input, price, tickSize);
      continue;
    }
    return summaryOf(await step.awaitOrder(input.venue, placed));
  }
  throw new StepError(
    'MAKER_REPOST_LIMIT',
    `the post-only order would have crossed ${MAX_MAKER_REPOSTS} times; the market is moving through it`,
    false,
  );
}

/** One tick inside the touch on the order's own side, never more aggressive than its limit. */
async function passivePrice(
  step: StepContext,
  side: Side,
  input: TradeInput,
  limit: Decimal,
  tickSize: string | null,
): Promise<Decimal> {
  const aggregate = await step.aggregate(input.instrument);
  const tick = new Decimal(tickSize ?? '0.00000001');
  if (side === 'buy') {
    const ask = aggregate.bestAsk?.price;
    if (!ask) throw new StepError('MARKET_UNAVAILABLE', `no ask on ${input.instrument}`, true);
    return Decimal.min(limit, new Decimal(String(ask)).div(tick).ceil().mul(tick).minus(tick));
  }
  const bid = aggregate.bestBid?.price;
  if (!bid) throw new StepError('MARKET_UNAVAILABLE', `no bid on ${input.instrument}`, true);
  return Decimal.max(limit, new Decimal(String(bid)).div(tick).floor().mul(tick).plus(tick));
}

async function twap(
  flow: FlowContext<unknown>,
  side: Side,
  input: TradeInput,
  amount: string,
  checked: CheckResult,
): Promise<JsonObject> {
  const settings = input.twap!;
  const plan = await flow.step<TwapPlan>('plan', async (step) => {
    const total = new Decimal(amount);
    const slice = floorToLot(total.div(settings.slices), checked.lotSize);
    const amounts = Array.from({ length: settings.slices }, (_, k) =>
      k === settings.slices - 1 ? total.minus(slice.mul(settings.slices - 1)).toString() : slice.toString(),
    );
    return { startAt: step.now(), intervalMs: settings.durationMs / settings.slices, amounts };
  });
  const orders: OrderSummary[] = [];
  let target = new Decimal(0);
  let filled = new Decimal(0);
  for (const [k, planned] of plan.amounts.entries()) {
    await flow.sleepUntil(plan.startAt + k * plan.intervalMs);
    target = target.plus(planned);
    // What earlier slices missed is carried into this one.
    const want = target.minus(filled);
    const result = await flow.step<OrderSummary | { skipped: string; amount: string; filled: string }>(
      `slice-${k}`,
      async (step) => {
        const price = settings.priceLimit ?? checked.mid;
        const tooSmall =
          want.lte(0) ||
          (checked.minAmount !== null && want.lt(checked.minAmount)) ||
          (checked.minNotional !== null && want.mul(price).lt(checked.minNotional));
        if (tooSmall)
          return {
            skipped: 'below the minimum; carried to the next slice',
            amount: want.toString(),
            filled: '0',
          };
        const placed = await step.placeOrder(0, {
          venue: input.venue,
          instrument: input.instrument,
          side,
          amount: want.toString(),
          ...(settings.priceLimit !== undefined
            ? { kind: 'limit', price: settings.priceLimit, timeInForce: 'IOC' }
            : { kind: 'market', timeInForce: 'IOC' }),
        });
        return summaryOf(await step.awaitOrder(input.venue, placed));
      },
    );
    filled = filled.plus(result.filled);
    if ('clientOrderId' in result) orders.push(result);
  }
  return {
    kind: 'twap',
    ordered: amount,
    filled: filled.toString(),
    remaining: new Decimal(amount).minus(filled).toString(),
    slices: plan.amounts.length,
    orders,
  };
}
