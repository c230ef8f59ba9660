import { Decimal } from 'decimal.js';
import type { AggregateV1, OrderStateV1 } from '@tm/contracts';
import type { StepContext } from '../engine/flow-context.js';
import type { FlowVerb } from '../engine/flow-verb.js';
import { StepError } from '../engine/step.error.js';
import { selectOpenOrders } from './cancel-orders.verb.js';
import { ceilToStep, floorToStep, fromNumber } from './convert-route.js';

export type RepriceTarget = { clientOrderId: string; price: string };

export type MovedOrder = {
  from: string;
  /** The client order id of the order at the new price; null when the order was not moved. */
  to: string | null;
  method: 'amend' | 'cancel-replace' | 'skipped';
  reason: string | null;
};

const BPS = new Decimal(10_000);

/**
 * reprice. Steps: `select` (the open orders of the instrument, narrowed by side and tag), `target` (the new
 * price per order: the given price or the aggregated mid ∓ offsetBps, rounded to the tick toward the passive
 * side and checked against the price band; `{ mid, targets }`), then `move-<i>` per order (amended in place on
 * venues in `amendInPlaceVenues`, else canceled and replaced with the remaining amount; a `MovedOrder`).
 * Result: `{ amended, replaced, skipped, orders: MovedOrder[] }`.
 */
export const repriceVerb: FlowVerb<'reprice'> = {
  name: 'reprice',
  async run(flow, settings) {
    const { venue, instrument, side, tag, price, offsetBps } = flow.input;
    const selected = await flow.step('select', (step) =>
      selectOpenOrders(step, { venue, instrument, side, tag }),
    );
    if (selected.length === 0) return summary([]);

    const target = await flow.step('target', async (step) => {
      const { instruments } = await step.venue(venue, 'fetch-instruments', { v: 1 });
      const spec = instruments.find((candidate) => candidate.symbol === instrument);
      if (!spec?.active)
        return step.refuse('INSTRUMENT_NOT_TRADABLE', `${venue} does not trade ${instrument} now`);
      const mid = aggregatedMid(await step.aggregate(instrument));
      if (!mid) return step.refuse('NO_REFERENCE_PRICE', `no two-sided aggregated book for ${instrument}`);
      const priceOf = (orderSide: 'buy' | 'sell'): Decimal => {
        const raw =
          price !== undefined
            ? new Decimal(price)
            : mid.times(BPS.plus(orderSide === 'buy' ? -(offsetBps ?? 0) : (offsetBps ?? 0)).div(BPS));
        if (spec.tickSize === null) return raw;
        return orderSide === 'buy' ? floorToStep(raw, spec.tickSize) : ceilToStep(raw, spec.tickSize);
      };
      const targets: RepriceTarget[] = selected.map((order) => {
        const next = priceOf(order.side);
        const bandBps = next.minus(mid).abs().div(mid).times(BPS);
        if (next.lte(0) || bandBps.gt(settings.priceBandBps))
          step.refuse(
            'PRICE_OUTSIDE_BAND',
            `${order.side} at ${next.toFixed()} is ${bandBps.toFixed(1)} bps from the mid ${mid.toFixed()} (band ${settings.priceBandBps})`,
          );
        return { clientOrderId: order.clientOrderId, price: next.toFixed() };
      });
      return { mid: mid.toFixed(), targets };
    });

    const amend = settings.amendInPlaceVenues.includes(venue);
    const moved: MovedOrder[] = [];
    for (const [i, order] of selected.entries()) {
      const newPrice = target.targets[i]!.price;
      moved.push(
        await flow.step(`move-${i}`, (step) =>
          amend ? amendOrder(step, venue, order, newPrice) : cancelReplace(step, venue, order, newPrice),
        ),
      );
    }
    return summary(moved);
  },
};

function summary(orders: MovedOrder[]) {
  return {
    amended: orders.filter((order) => order.method === 'amend').length,
    replaced: orders.filter((order) => order.method === 'cancel-replace').length,
    skipped: orders.filter((order) => order.method === 'skipped').length,
    orders,
  };
}

function aggregatedMid(aggregate: AggregateV1): Decimal | null {
  if (!aggregate.bestBid || !aggregate.bestAsk) return null;
  return fromNumber(aggregate.bestBid.price).plus(fromNumber(aggregate.bestAsk.price)).div(2);
}

function skipped(order: OrderStateV1, reason: string): MovedOrder {
  return { from: order.clientOrderId, to: null, method: 'skipped', reason };
}

/**
 * Amend in place: the venue replaces the order, keeping its queue position where it can. The replacement's
 * client order id derives from (flow, step, 0), so a retry gets the first replacement back from the venue.
 */
async function amendOrder(
  step: StepContext,
  venue: string,
  order: OrderStateV1,
  price: string,
): Promise<MovedOrder> {
  if (order.price !== null && new Decimal(order.price).eq(price))
    return skipped(order, 'already at the price');
  // The fill count now, not at selection: the replacement must not re-offer what has filled since.
  const current = await step.venue(venue, 'fetch-order', {
    v: 1,
    instrument: order.instrument,
    clientOrderId: order.clientOrderId,
  });
  const remaining = new Decimal(current.amount).minus(current.filled);
  if (remaining.lte(0)) return skipped(order, 'filled');
  try {
    const replacement = await step.amendOrder(0, venue, order, { amount: remaining.toFixed(), price });
    return { from: order.clientOrderId, to: replacement.clientOrderId, method: 'amend', reason: null };
  } catch (error) {
    // The venue refused for certain (the order ended meanwhile): nothing moved; uncertain errors retry.
    if (error instanceof StepError && !error.retryable)
      return skipped(order, `${error.code}: ${error.message}`);
    throw error;
  }
}

/** Cancel, then place the remaining amount at the new price, only once the venue confirmed the cancel. */
async function cancelReplace(
  step: StepContext,
  venue: string,
  order: OrderStateV1,
  price: string,
): Promise<MovedOrder> {
  if (order.price !== null && new Decimal(order.price).eq(price))
    return skipped(order, 'already at the price');
  const canceled = await step.cancelOrder(venue, order);
  if (canceled.status !== 'canceled') return skipped(order, `the order is ${canceled.status}`);
  const remaining = new Decimal(canceled.amount).minus(canceled.filled);
  if (remaining.lte(0)) return skipped(order, 'filled');
  const replacement = await step.placeOrder(0, {
    venue,
    instrument: order.instrument,
    side: order.side,
    kind: 'limit',
    amount: remaining.toFixed(),
    price,
    // A post-only order stays post-only; anything else rests as GTC.
    timeInForce: order.timeInForce === 'PO' ? 'PO' : 'GTC',
    replaces: order.clientOrderId,
  });
  return {
    from: order.clientOrderId,
    to: replacement.clientOrderId,
    method: 'cancel-replace',
    reason: replacement.status === 'rejected' ? 'the venue rejected the replacement' : null,
  };
}
