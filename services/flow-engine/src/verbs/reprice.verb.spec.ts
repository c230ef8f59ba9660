import { describe, expect, it } from 'vitest';
import { clientOrderIdOf, type FlowVerbInput, type InstrumentSpecV1, type OrderStateV1 } from '@tm/contracts';
import type { VerbSettings } from '../engine/flow-verb.js';
import { StepError } from '../engine/step.error.js';
import { repriceVerb } from './reprice.verb.js';
import {
  aggregateOf,
  orderState,
  ScriptedFlow,
  verbSettings,
  type SourceBook,
} from './testing/scripted-flow.js';

const CANCEL_REPLACE = verbSettings({ priceBandBps: 500 });
const AMEND = verbSettings({ priceBandBps: 500, amendInPlaceVenues: ['paper'] });
const BTC: InstrumentSpecV1 = {
  symbol: 'BTC/USDT',
  base: 'BTC',
  quote: 'USDT',
  tickSize: '0.5',
  lotSize: '0.1',
  minAmount: null,
  minNotional: null,
  active: true,
};
// Mid 100.5.
const BOOK: SourceBook = { bids: [[100, 3]], asks: [[101, 3]] };

const BUY = orderState({
  clientOrderId: 'o-buy',
  price: '99',
  amount: '1',
  filled: '0.4',
  timeInForce: 'PO',
});
const SELL = orderState({ clientOrderId: 'o-sell', side: 'sell', price: '103', amount: '2' });

/** The id of child 0 of step `step` of the spec's flow: what a replacement is called. */
const childOf = (step: number) => clientOrderIdOf({ flowId: 'flow-1', step, child: 0 });

interface Venue {
  orders: Map<string, OrderStateV1>;
  spec?: InstrumentSpecV1;
  book?: SourceBook;
  tagged?: Record<string, string[]>;
}

/** A venue whose edit-order is a cancel-replace booked once per origin, as the venue connector does it. */
function repriceFlow(input: Partial<FlowVerbInput<'reprice'>>, venue: Venue) {
  const flow = new ScriptedFlow({
    verb: 'reprice',
    input: { venue: 'paper', instrument: 'BTC/USDT', ...input },
    script: {
      venue: {
        'fetch-open-orders': () => ({
          orders: [...venue.orders.values()].filter((order) => order.status === 'open'),
        }),
        'fetch-instruments': () => ({ instruments: [venue.spec ?? BTC] }),
        'fetch-order': (request) => venue.orders.get(request.clientOrderId!)!,
        'edit-order': (request) => {
          const replacementId = clientOrderIdOf(request.origin);
          const earlier = venue.orders.get(replacementId);
          if (earlier) return earlier;
          const old = venue.orders.get(request.clientOrderId)!;
          if (old.status !== 'open')
            throw new StepError('INVALID_ORDER', `order ${old.clientOrderId} is ${old.status}`, false);
          const replacement = {
            ...old,
            clientOrderId: replacementId,
            amount: request.amount,
            price: request.price,
            filled: '0',
          };
          venue.orders.set(old.clientOrderId, { ...old, status: 'canceled' });
          venue.orders.set(replacementId, replacement);
          return replacement;
        },
      },
      aggregates: { 'BTC/USDT': aggregateOf('BTC/USDT', { paper: venue.book ?? BOOK }) },
      tagged: venue.tagged ?? {},
      onCancel: (_venue, ref) => {
        const order = venue.orders.get(ref.clientOrderId)!;
        const after: OrderStateV1 = order.status === 'open' ? { ...order, status: 'canceled' } : order;
        venue.orders.set(ref.clientOrderId, after);
        return after;
      },
    },
  });
  return flow;
}

function venueWith(...orders: OrderStateV1[]): Venue {
  return { orders: new Map(orders.map((order) => [order.clientOrderId, order])) };
}

const placedOrders = (flow: ScriptedFlow<'reprice'>) =>
  flow.placed.map(({ step, order }) => [step, order.side, order.amount, order.price, order.timeInForce]);

describe('reprice', () => {
  it('cancel-replaces each order at the mid ∓ offset, rounded to the tick toward the passive side', async () => {
    const flow = repriceFlow({ offsetBps: 50 }, venueWith(BUY, SELL));
    const outcome = await flow.run(repriceVerb, CANCEL_REPLACE);
    // 100.5 × 0.995 = 99.9975 → 99.5; 100.5 × 1.005 = 101.0025 → 101.5. A post-only order stays post-only.
    expect(placedOrders(flow)).toEqual([
      ['move-0', 'buy', '0.6', '99.5', 'PO'],
      ['move-1', 'sell', '2', '101.5', 'GTC'],
    ]);
    expect(outcome).toEqual({
      status: 'succeeded',
      result: {
        amended: 0,
        replaced: 2,
        skipped: 0,
        orders: [
          { from: 'o-buy', to: childOf(2), method: 'cancel-replace', reason: null },
          { from: 'o-sell', to: childOf(3), method: 'cancel-replace', reason: null },
        ],
      },
    });
    expect(flow.committed('target')).toEqual({
      mid: '100.5',
      targets: [
        { clientOrderId: 'o-buy', price: '99.5' },
        { clientOrderId: 'o-sell', price: '101.5' },
      ],
    });
  });

  it('moves to a given price, on the tick, only the orders of the side and tag asked', async () => {
    const other = orderState({ clientOrderId: 'o-untagged', price: '98' });
    const venue = { ...venueWith(BUY, SELL, other), tagged: { 'paper/grid': ['o-buy', 'o-sell'] } };
    const flow = repriceFlow({ price: '100.3', side: 'buy', tag: 'grid' }, venue);
    await flow.run(repriceVerb, CANCEL_REPLACE);
    expect(placedOrders(flow)).toEqual([['move-0', 'buy', '0.6', '100', 'PO']]);
    expect(flow.cancels).toEqual(['o-buy']);
  });

  it('amends in place on venues that keep queue position, for what is left now', async () => {
    const venue = venueWith(BUY);
    const flow = repriceFlow({ offsetBps: 50 }, venue);
    await flow.run(repriceVerb, AMEND, { afterCommit: 'target' });
    // More fills after selection: the replacement offers only what is left.
    venue.orders.set('o-buy', { ...BUY, filled: '0.7' });
    const outcome = await flow.run(repriceVerb, AMEND);
    expect(flow.calls.find((call) => call.op === 'edit-order')?.request).toEqual({
      v: 1,
      origin: { flowId: 'flow-1', step: 2, child: 0 },
      instrument: 'BTC/USDT',
      clientOrderId: 'o-buy',
      amount: '0.3',
      price: '99.5',
    });
    expect(outcome).toMatchObject({
      result: { amended: 1, orders: [{ from: 'o-buy', to: childOf(2), method: 'amend', reason: null }] },
    });
    expect(flow.cancels).toEqual([]);
  });

  it('skips orders already at the price, filled, or ended before the move', async () => {
    const atPrice = orderState({ clientOrderId: 'o-at', price: '99.5' });
    const venue = venueWith(atPrice, BUY, SELL);
    const flow = repriceFlow({ offsetBps: 50 }, venue);
    await flow.run(repriceVerb, CANCEL_REPLACE, { afterCommit: 'target' });
    venue.orders.set('o-buy', { ...BUY, status: 'closed', filled: '1' });
    venue.orders.set('o-sell', { ...SELL, status: 'closed', filled: '2' });
    const outcome = await flow.run(repriceVerb, CANCEL_REPLACE);
    expect(outcome).toMatchObject({
      result: {
        skipped: 3,
        orders: [
          { from: 'o-at', to: null, method: 'skipped', reason: 'already at the price' },
          { from: 'o-buy', to: null, method: 'skipped', reason: 'the order is closed' },
          { from: 'o-sell', to: null, method: 'skipped', reason: 'the order is closed' },
        ],
      },
    });
    expect(flow.placed).toEqual([]);

    const amendVenue = venueWith(BUY);
    const amend = repriceFlow({ offsetBps: 50 }, amendVenue);
    await amend.run(repriceVerb, AMEND, { afterCommit: 'target' });
    amendVenue.orders.set('o-buy', { ...BUY, status: 'canceled' });
    expect(await amend.run(repriceVerb, AMEND)).toMatchObject({
      result: { orders: [{ method: 'skipped', reason: 'INVALID_ORDER: order o-buy is canceled' }] },
    });
  });

  it('selects nothing: no target, no moves', async () => {
    const flow = repriceFlow({ offsetBps: 50 }, venueWith());
    expect(await flow.run(repriceVerb, CANCEL_REPLACE)).toEqual({
      status: 'succeeded',
      result: { amended: 0, replaced: 0, skipped: 0, orders: [] },
    });
    expect(flow.journal.map((step) => step.name)).toEqual(['select']);
  });

  describe('refuses before touching an order', () => {
    const refusals: [
      string,
      Partial<FlowVerbInput<'reprice'>>,
      Partial<Venue>,
      Partial<VerbSettings>,
      string,
    ][] = [
      ['a price outside the band', { offsetBps: 600 }, {}, {}, 'PRICE_OUTSIDE_BAND'],
      ['a given price outside the band', { price: '120' }, {}, {}, 'PRICE_OUTSIDE_BAND'],
      [
        'an instrument not traded now',
        { offsetBps: 50 },
        { spec: { ...BTC, active: false } },
        {},
        'INSTRUMENT_NOT_TRADABLE',
      ],
      [
        'a one-sided market',
        { offsetBps: 50 },
        { book: { bids: [[100, 1]], asks: [] } },
        {},
        'NO_REFERENCE_PRICE',
      ],
    ];
    it.each(refusals)('%s', async (_name, input, venue, settings, reason) => {
      const flow = repriceFlow(input, { ...venueWith(BUY, SELL), ...venue });
      expect(await flow.run(repriceVerb, { ...CANCEL_REPLACE, ...settings })).toMatchObject({
        status: 'refused',
        reason,
      });
      expect(flow.cancels).toEqual([]);
      expect(flow.calls.filter((call) => call.op === 'edit-order')).toEqual([]);
    });
  });

  describe('resumed after a crash', () => {
    it.each(['select', 'target', 'move-0', 'move-1'])(
      'after %s committed: committed steps are not run again and no order is placed twice',
      async (step) => {
        const expected = await repriceFlow({ offsetBps: 50 }, venueWith(BUY, SELL)).run(
          repriceVerb,
          CANCEL_REPLACE,
        );
        const flow = repriceFlow({ offsetBps: 50 }, venueWith(BUY, SELL));
        expect(await flow.run(repriceVerb, CANCEL_REPLACE, { afterCommit: step })).toEqual({
          status: 'crashed',
          step,
        });
        expect(await flow.run(repriceVerb, CANCEL_REPLACE)).toEqual(expected);
        for (const name of ['select', 'target', 'move-0', 'move-1']) expect(flow.executionsOf(name)).toBe(1);
        expect(flow.placed).toHaveLength(2);
      },
    );

    it('inside a cancel-replace after the replacement was sent: the re-run gets the same replacement', async () => {
      const expected = await repriceFlow({ offsetBps: 50 }, venueWith(BUY, SELL)).run(
        repriceVerb,
        CANCEL_REPLACE,
      );
      const flow = repriceFlow({ offsetBps: 50 }, venueWith(BUY, SELL));
      await flow.run(repriceVerb, CANCEL_REPLACE, { beforeCommit: 'move-0' });
      expect(await flow.run(repriceVerb, CANCEL_REPLACE)).toEqual(expected);
      expect(flow.executionsOf('move-0')).toBe(2);
      expect(flow.placed).toHaveLength(2);
    });

    it('inside an amend after the venue replaced the order: the re-run gets the same replacement', async () => {
      const venue = venueWith(BUY, SELL);
      const flow = repriceFlow({ offsetBps: 50 }, venue);
      await flow.run(repriceVerb, AMEND, { beforeCommit: 'move-0' });
      const outcome = await flow.run(repriceVerb, AMEND);
      expect(outcome).toMatchObject({
        result: {
          amended: 2,
          orders: [{ from: 'o-buy', to: childOf(2), method: 'amend' }, { to: childOf(3) }],
        },
      });
      expect([...venue.orders.values()].filter((order) => order.status === 'open')).toHaveLength(2);
    });

    it('keeps the committed target prices when the market has moved since', async () => {
      const venue = venueWith(BUY);
      const flow = repriceFlow({ offsetBps: 50 }, venue);
      await flow.run(repriceVerb, CANCEL_REPLACE, { afterCommit: 'target' });
      flow.script.aggregates!['BTC/USDT'] = aggregateOf('BTC/USDT', {
        paper: { bids: [[90, 1]], asks: [[91, 1]] },
      });
      await flow.run(repriceVerb, CANCEL_REPLACE);
      expect(placedOrders(flow)).toEqual([['move-0', 'buy', '0.6', '99.5', 'PO']]);
    });
  });
});
