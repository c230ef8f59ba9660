import { Decimal } from 'decimal.js';
import type { OrderStateV1 } from '@tm/contracts';
import type { StepContext } from '../engine/flow-context.js';
import type { FlowVerb } from '../engine/flow-verb.js';
import { StepError } from '../engine/step.error.js';
import { checkOrder } from '../pre-trade/pre-trade-checks.js';
import {
  belowMinimum,
  explainRejections,
  floorToStep,
  lotOf,
  planConvertRoute,
  routeInstruments,
  venueBook,
  walkBuyWithQuote,
  type PlannedLeg,
  type VenueBook,
} from './convert-route.js';

/** One executed leg, as its step commits it. */
export type ConvertedLeg = {
  instrument: string;
  side: 'buy' | 'sell';
  clientOrderId: string;
  status: OrderStateV1['status'];
  /** Base amount ordered and filled; cost is the quote the fills came to. */
  amount: string;
  filled: string;
  cost: string;
  averagePrice: string;
  fees: { currency: string; cost: string }[];
  /** What the leg took and gave, fees counted, in spendAsset and receiveAsset. */
  spendAsset: string;
  spent: string;
  receiveAsset: string;
  received: string;
};

/**
 * convert. Steps: `route` (instruments and books → the route yielding the most, pre-trade checked on its first
 * leg; a `ConvertRoute`), then `leg-1`, `leg-2` (a market order each, child 0 of its step, awaited and costed
 * from its fills; a `ConvertedLeg`). The second leg spends what the first actually received. Result:
 * `{ from, to, amount, spent, received, estimatedOut, slippageBps, legs: ConvertedLeg[] }`.
 */
export const convertVerb: FlowVerb<'convert'> = {
  name: 'convert',
  async run(flow, settings) {
    const { venue, from, to, amount, maxSlippageBps } = flow.input;
    const route = await flow.step('route', async (step) => {
      const { instruments } = await step.venue(venue, 'fetch-instruments', { v: 1 });
      const books = new Map<string, VenueBook>();
      for (const symbol of routeInstruments(from, to, instruments)) {
        const book = await bookOf(step, venue, symbol);
        if (book) books.set(symbol, book);
      }
      const plan = planConvertRoute({
        from,
        to,
        amount: new Decimal(amount),
        maxSlippageBps,
        instruments,
        books,
      });
      if (!plan.route) {
        const tooSmall =
          plan.rejected.length > 0 && plan.rejected.every((rejection) => rejection.belowMinimum);
        return step.refuse(
          tooSmall ? 'BELOW_MINIMUM' : 'NO_ROUTE',
          explainRejections(from, to, plan.rejected),
        );
      }
      const first = plan.route.legs[0]!;
      await checkOrder(step, settings, {
        venue,
        instrument: first.instrument,
        side: first.side,
        amount: new Decimal(first.amount),
      });
      return plan.route;
    });

    const legs: ConvertedLeg[] = [];
    for (const [i, leg] of route.legs.entries()) {
      const previous = legs[i - 1];
      legs.push(
        await flow.step(`leg-${i + 1}`, async (step) => {
          const orderAmount = previous
            ? await nextLegAmount(step, venue, leg, previous)
            : new Decimal(leg.amount);
          return executeLeg(step, venue, leg, orderAmount);
        }),
      );
    }
    const first = legs[0]!;
    const last = legs[legs.length - 1]!;
    return {
      from,
      to,
      amount,
      spent: first.spent,
      received: last.received,
      estimatedOut: route.estimatedOut,
      slippageBps: route.slippageBps,
      legs,
    };
  },
};

/** The venue's book of `symbol`, or null when the aggregator has none (the candidate is then rejected). */
async function bookOf(step: StepContext, venue: string, symbol: string): Promise<VenueBook | null> {
  try {
    return venueBook(await step.aggregate(symbol), venue);
  } catch (error) {
    if (error instanceof StepError && !error.retryable) return null;
    throw error;
  }
}

/**
 * The base amount of a later leg, from what the previous leg received: sold as it is, or (holding the quote)
 * the base the quote buys on the book now; rounded down to the lot, and refused below the minimums.
 */
async function nextLegAmount(
  step: StepContext,
  venue: string,
  leg: PlannedLeg,
  previous: ConvertedLeg,
): Promise<Decimal> {
  const holding = new Decimal(previous.received);
  const lot = lotOf(leg);
  const soFar = `converted so far: ${previous.spent} ${previous.spendAsset} into ${previous.received} ${previous.receiveAsset} (${previous.instrument} ${previous.side}, order ${previous.clientOrderId})`;
  let amount: Decimal;
  let price: Decimal;
  if (leg.side === 'sell') {
    amount = floorToStep(holding, lot);
    price = new Decimal(leg.walkedPrice);
  } else {
    const walk = walkBuyWithQuote(venueBook(await step.aggregate(leg.instrument), venue), holding, lot);
    if (!walk)
      throw new StepError(
        'NO_LIQUIDITY',
        `the asks of ${leg.instrument} cannot absorb ${holding.toFixed()}; ${soFar}`,
        true,
      );
    amount = walk.amount;
    price = walk.price ?? new Decimal(leg.walkedPrice);
  }
  const minimum = amount.lte(0)
    ? `${holding.toFixed()} ${leg.spendAsset} is less than one lot of ${leg.instrument}`
    : belowMinimum(
        { symbol: leg.instrument, minAmount: leg.minAmount, minNotional: leg.minNotional },
        amount,
        price,
      );
  if (minimum) throw new StepError('BELOW_MINIMUM', `${minimum}; ${soFar}`, false);
  return amount;
}

/**
 * Places the leg's market order as child 0 (a retried step gets the same order back, never a second one),
 * waits for it to end, and costs it from its own fills.
 */
async function executeLeg(
  step: StepContext,
  venue: string,
  leg: PlannedLeg,
  amount: Decimal,
): Promise<ConvertedLeg> {
  const placed = await step.placeOrder(0, {
    venue,
    instrument: leg.instrument,
    side: leg.side,
    kind: 'market',
    amount: amount.toFixed(),
  });
  const order = await step.awaitOrder(venue, placed);
  const filled = new Decimal(order.filled);
  if (filled.lte(0))
    throw new StepError(
      'LEG_NOT_FILLED',
      `the ${leg.instrument} ${leg.side} ${order.clientOrderId} ended ${order.status} with nothing filled`,
      false,
    );

  // A market order's state carries no reliable average price; its fills have prices and fees.
  const { fills } = await step.venue(venue, 'fetch-my-trades', { v: 1, instrument: leg.instrument });
  const own = fills.filter((fill) => fill.clientOrderId === order.clientOrderId);
  const fillAmount = own.reduce((sum, fill) => sum.plus(fill.amount), new Decimal(0));
  if (!fillAmount.eq(filled))
    throw new StepError(
      'FILLS_INCOMPLETE',
      `the venue lists ${fillAmount.toFixed()} of ${filled.toFixed()} filled for ${order.clientOrderId} so far`,
      true,
    );
  const cost = own.reduce(
    (sum, fill) => sum.plus(new Decimal(fill.price).times(fill.amount)),
    new Decimal(0),
  );
  const fees = new Map<string, Decimal>();
  for (const fill of own) {
    if (fill.feeCost === null || fill.feeCurrency === null) continue;
    fees.set(fill.feeCurrency, (fees.get(fill.feeCurrency) ?? new Decimal(0)).plus(fill.feeCost));
  }
  const feeIn = (currency: string) => fees.get(currency) ?? new Decimal(0);
  const sell = leg.side === 'sell';
  // Fees in a third asset (a venue token) are paid from elsewhere and change neither side.
  const spent = (sell ? filled : cost).plus(feeIn(leg.spendAsset));
  const received = (sell ? cost : filled).minus(feeIn(leg.receiveAsset));
  return {
    instrument: leg.instrument,
    side: leg.side,
    clientOrderId: order.clientOrderId,
    status: order.status,
    amount: order.amount,
    filled: filled.toFixed(),
    cost: cost.toFixed(),
    averagePrice: cost.div(filled).toFixed(),
    fees: [...fees].map(([currency, fee]) => ({ currency, cost: fee.toFixed() })),
    spendAsset: leg.spendAsset,
    spent: spent.toFixed(),
    receiveAsset: leg.receiveAsset,
    received: received.toFixed(),
  };
}
