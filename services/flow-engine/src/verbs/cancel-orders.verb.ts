import type { OrderStateV1 } from '@tm/contracts';
import type { StepContext } from '../engine/flow-context.js';
import type { FlowVerb } from '../engine/flow-verb.js';
import { StepError } from '../engine/step.error.js';

/** Which open orders a verb acts on: all of the account's on the venue, narrowed by each filter given. */
export interface OrderSelection {
  venue: string;
  instrument?: string | undefined;
  side?: 'buy' | 'sell' | undefined;
  tag?: string | undefined;
}

export type CanceledOrder = {
  clientOrderId: string;
  instrument: string;
  side: 'buy' | 'sell';
  /** The venue's status after the cancel; `closed` or `expired` when the order ended first. */
  status: OrderStateV1['status'];
  filled: string;
  /** The venue's certain refusal of the cancel, `<code>: <message>`; null when it answered with a state. */
  error: string | null;
};

/**
 * The open orders matching `selection`, as the venue lists them now. A tag narrows to orders placed by flows
 * carrying it: client order ids do not encode the tag, so the engine's order table answers.
 */
export async function selectOpenOrders(
  step: StepContext,
  selection: OrderSelection,
): Promise<OrderStateV1[]> {
  const { venue, instrument, side, tag } = selection;
  const { orders } = await step.venue(venue, 'fetch-open-orders', {
    v: 1,
    ...(instrument !== undefined ? { instrument } : {}),
  });
  const tagged = tag !== undefined ? new Set(await step.taggedOrders(venue, tag)) : null;
  return orders.filter(
    (order) =>
      (instrument === undefined || order.instrument === instrument) &&
      (side === undefined || order.side === side) &&
      (tagged === null || tagged.has(order.clientOrderId)),
  );
}

/**
 * cancel-orders. Steps: `select` (the open orders to cancel), `cancel` (each canceled until the venue
 * confirms; retried without limit, so a venue restart is waited out). Result:
 * `{ canceled, alreadyDone, failed, orders: CanceledOrder[] }`.
 */
export const cancelOrdersVerb: FlowVerb<'cancel-orders'> = {
  name: 'cancel-orders',
  async run(flow) {
    const { venue, instrument, side, tag } = flow.input;
    // Patient like the cancel itself: a venue restarting answers again in a while, and must then be asked.
    const selected = await flow.step(
      'select',
      (step) => selectOpenOrders(step, { venue, instrument, side, tag }),
      { maxAttempts: Infinity },
    );
    const orders = await flow.step(
      'cancel',
      async (step) => {
        const done: CanceledOrder[] = [];
        // One by one: a retried attempt cancels again what is already canceled, which the venue confirms.
        for (const order of selected) done.push(await cancelOne(step, venue, order));
        return done;
      },
      { maxAttempts: Infinity },
    );
    return {
      canceled: orders.filter((order) => order.error === null && order.status === 'canceled').length,
      alreadyDone: orders.filter((order) => order.error === null && isFinished(order.status)).length,
      failed: orders.filter((order) => order.error !== null || !isEnded(order.status)).length,
      orders,
    };
  },
};

async function cancelOne(step: StepContext, venue: string, order: OrderStateV1): Promise<CanceledOrder> {
  const base = { clientOrderId: order.clientOrderId, instrument: order.instrument, side: order.side };
  try {
    const state = await step.cancelOrder(venue, order);
    return { ...base, status: state.status, filled: state.filled, error: null };
  } catch (error) {
    // A certain refusal for one order must not keep the others working; anything uncertain retries the step.
    if (error instanceof StepError && !error.retryable)
      return {
        ...base,
        status: order.status,
        filled: order.filled,
        error: `${error.code}: ${error.message}`,
      };
    throw error;
  }
}

/** Ended without our cancel: filled, expired or rejected before it arrived. */
function isFinished(status: OrderStateV1['status']): boolean {
  return status === 'closed' || status === 'expired' || status === 'rejected';
}

function isEnded(status: OrderStateV1['status']): boolean {
  return status === 'canceled' || isFinished(status);
}
