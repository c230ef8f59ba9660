import { describe, expect, it } from 'vitest';
import type { FlowVerbInput, OrderStateV1 } from '@tm/contracts';
import { StepError } from '../engine/step.error.js';
import { cancelOrdersVerb } from './cancel-orders.verb.js';
import { orderState, ScriptedFlow, verbSettings } from './testing/scripted-flow.js';

const SETTINGS = verbSettings();

interface Venue {
  /** The account's orders on the venue, by client order id. */
  orders: Map<string, OrderStateV1>;
  /** Cancels that meet a venue restart (a retryable failure) before the venue answers. */
  restartsBeforeCancel?: number;
  /** Orders the venue refuses to cancel for certain. */
  refuses?: string[];
}

function venueWith(...orders: OrderStateV1[]): Venue {
  return { orders: new Map(orders.map((order) => [order.clientOrderId, order])) };
}

function cancelFlow(
  input: Partial<FlowVerbInput<'cancel-orders'>>,
  venue: Venue,
  tagged: Record<string, string[]> = {},
) {
  let restarts = venue.restartsBeforeCancel ?? 0;
  return new ScriptedFlow({
    verb: 'cancel-orders',
    input: { venue: 'paper', ...input },
    script: {
      venue: {
        'fetch-open-orders': (request) => ({
          orders: [...venue.orders.values()].filter(
            (order) =>
              order.status === 'open' &&
              (request.instrument === undefined || order.instrument === request.instrument),
          ),
        }),
      },
      tagged,
      onCancel: (_venue, ref) => {
        if (restarts-- > 0) throw new StepError('UNAVAILABLE', 'the venue is restarting', true);
        if (venue.refuses?.includes(ref.clientOrderId))
          throw new StepError('INVALID_ORDER', 'this order cannot be canceled', false);
        const order = venue.orders.get(ref.clientOrderId)!;
        const after: OrderStateV1 = order.status === 'open' ? { ...order, status: 'canceled' } : order;
        venue.orders.set(ref.clientOrderId, after);
        return after;
      },
    },
  });
}

const BTC_BUY = orderState({ clientOrderId: 'o-btc-buy' });
const BTC_SELL = orderState({ clientOrderId: 'o-btc-sell', side: 'sell', price: '110' });
const ETH_BUY = orderState({ clientOrderId: 'o-eth-buy', instrument: 'ETH/USDT', price: '2000' });

describe('cancel-orders', () => {
  it('cancels every open order of the account on the venue', async () => {
    const venue = venueWith(BTC_BUY, BTC_SELL, ETH_BUY);
    const flow = cancelFlow({}, venue);
    const outcome = await flow.run(cancelOrdersVerb, SETTINGS);
    expect(outcome).toMatchObject({
      status: 'succeeded',
      result: { canceled: 3, alreadyDone: 0, failed: 0 },
    });
    expect([...venue.orders.values()].map((order) => order.status)).toEqual([
      'canceled',
      'canceled',
      'canceled',
    ]);
  });

  it('narrows by instrument (asked of the venue) and side', async () => {
    const venue = venueWith(BTC_BUY, BTC_SELL, ETH_BUY);
    const flow = cancelFlow({ instrument: 'BTC/USDT', side: 'sell' }, venue);
    const outcome = await flow.run(cancelOrdersVerb, SETTINGS);
    expect(flow.calls[0]?.request).toEqual({ v: 1, instrument: 'BTC/USDT' });
    expect(outcome).toEqual({
      status: 'succeeded',
      result: {
        canceled: 1,
        alreadyDone: 0,
        failed: 0,
        orders: [
          {
            clientOrderId: 'o-btc-sell',
            instrument: 'BTC/USDT',
            side: 'sell',
            status: 'canceled',
            filled: '0',
            error: null,
          },
        ],
      },
    });
    expect(flow.cancels).toEqual(['o-btc-sell']);
  });

  it('narrows by tag to the orders flows carrying it placed', async () => {
    const venue = venueWith(BTC_BUY, BTC_SELL, ETH_BUY);
    const flow = cancelFlow({ tag: 'mm-1' }, venue, { 'paper/mm-1': ['o-eth-buy', 'o-btc-buy', 'o-gone'] });
    await flow.run(cancelOrdersVerb, SETTINGS);
    expect(flow.cancels.sort()).toEqual(['o-btc-buy', 'o-eth-buy']);
    const other = cancelFlow({ tag: 'mm-2' }, venueWith(BTC_BUY), { 'paper/mm-1': ['o-btc-buy'] });
    expect(await other.run(cancelOrdersVerb, SETTINGS)).toMatchObject({
      result: { canceled: 0, orders: [] },
    });
  });

  it('counts an order that filled before the cancel arrived as already done', async () => {
    const venue = venueWith(BTC_BUY, BTC_SELL);
    const flow = cancelFlow({}, venue);
    await flow.run(cancelOrdersVerb, SETTINGS, { afterCommit: 'select' });
    venue.orders.set('o-btc-sell', { ...BTC_SELL, status: 'closed', filled: '1' });
    const outcome = await flow.run(cancelOrdersVerb, SETTINGS);
    expect(outcome).toMatchObject({
      result: {
        canceled: 1,
        alreadyDone: 1,
        orders: [{ status: 'canceled' }, { status: 'closed', filled: '1' }],
      },
    });
  });

  it('retries through a venue restart, past the default attempt limit, until the venue confirms', async () => {
    const venue = { ...venueWith(BTC_BUY, ETH_BUY), restartsBeforeCancel: 8 };
    const flow = cancelFlow({}, venue);
    const outcome = await flow.run(cancelOrdersVerb, SETTINGS);
    expect(outcome).toMatchObject({ status: 'succeeded', result: { canceled: 2 } });
    expect(flow.executionsOf('cancel')).toBe(9);
  });

  it('keeps canceling the others when the venue refuses one for certain', async () => {
    const venue = { ...venueWith(BTC_BUY, BTC_SELL), refuses: ['o-btc-buy'] };
    const outcome = await cancelFlow({}, venue).run(cancelOrdersVerb, SETTINGS);
    expect(outcome).toMatchObject({
      status: 'succeeded',
      result: {
        canceled: 1,
        failed: 1,
        orders: [
          {
            clientOrderId: 'o-btc-buy',
            status: 'open',
            error: 'INVALID_ORDER: this order cannot be canceled',
          },
          { clientOrderId: 'o-btc-sell', status: 'canceled', error: null },
        ],
      },
    });
  });

  describe('resumed after a crash', () => {
    it('after select: cancels what was selected, not orders placed since', async () => {
      const venue = venueWith(BTC_BUY);
      const flow = cancelFlow({}, venue);
      expect(await flow.run(cancelOrdersVerb, SETTINGS, { afterCommit: 'select' })).toEqual({
        status: 'crashed',
        step: 'select',
      });
      venue.orders.set('o-new', orderState({ clientOrderId: 'o-new' }));
      const outcome = await flow.run(cancelOrdersVerb, SETTINGS);
      expect(outcome).toMatchObject({ result: { canceled: 1, orders: [{ clientOrderId: 'o-btc-buy' }] } });
      expect(flow.executionsOf('select')).toBe(1);
      expect(venue.orders.get('o-new')?.status).toBe('open');
    });

    it('after cancel: nothing is sent again', async () => {
      const expected = await cancelFlow({}, venueWith(BTC_BUY, ETH_BUY)).run(cancelOrdersVerb, SETTINGS);
      const flow = cancelFlow({}, venueWith(BTC_BUY, ETH_BUY));
      await flow.run(cancelOrdersVerb, SETTINGS, { afterCommit: 'cancel' });
      expect(await flow.run(cancelOrdersVerb, SETTINGS)).toEqual(expected);
      expect(flow.cancels).toHaveLength(2);
      expect(flow.executionsOf('cancel')).toBe(1);
    });

    it('inside cancel: the re-run cancels again and reports each order canceled once', async () => {
      const expected = await cancelFlow({}, venueWith(BTC_BUY, ETH_BUY)).run(cancelOrdersVerb, SETTINGS);
      const flow = cancelFlow({}, venueWith(BTC_BUY, ETH_BUY));
      await flow.run(cancelOrdersVerb, SETTINGS, { beforeCommit: 'cancel' });
      expect(await flow.run(cancelOrdersVerb, SETTINGS)).toEqual(expected);
      expect(flow.executionsOf('select')).toBe(1);
    });
  });
});
