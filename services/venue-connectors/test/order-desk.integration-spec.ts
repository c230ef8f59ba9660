import { VenueError, PaperVenue, type PaperVenueAdapter } from '@tm/venues';
import { expectEventually } from '@tm/testing';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { clientOrderIdOf } from '@tm/contracts';
import { SessionHarness, type TestSession } from './session-harness.js';

// The order desk on the paper venue: idempotent per origin, refusals final, cancels and edits applied,
// fills from the own-order feed stored and published once, exposure refused while reconciling.
describe('order desk (paper venue, real NATS and PostgreSQL)', () => {
  let harness: SessionHarness;
  let paper: PaperVenue;
  let adapter: PaperVenueAdapter;
  let t: TestSession;
  const account = 'desk-1';
  let flow = 0;
  const origin = () => ({ flowId: `flow-${(flow += 1)}`, step: 0, child: 0 });
  const limit = (side: 'buy' | 'sell', price: string, amount = '0.01') => ({
    v: 1 as const,
    origin: origin(),
    instrument: 'BTC/USDT',
    side,
    kind: 'limit' as const,
    amount,
    price,
  });

  beforeAll(async () => {
    harness = await SessionHarness.open(inject('natsUrl'), inject('databaseUrl'));
    paper = new PaperVenue({ seed: 7 });
    adapter = paper.adapter(account);
    t = await harness.session({ venue: 'paper', account, instruments: ['BTC/USDT'] }, adapter);
  });
  afterAll(async () => {
    paper.stop();
    await harness.close();
  });

  it('places one order per origin, however often it is asked', async () => {
    const request = limit('buy', '1000');
    const first = await t.session.desk.create(request);
    const again = await t.session.desk.create(request);
    expect(first.status).toBe('open');
    expect(again).toEqual(first);
    expect(first.clientOrderId).toBe(clientOrderIdOf(request.origin));
    const onVenue = paper.exchange.openOrders(account).filter((o) => o.clientOrderId === first.clientOrderId);
    expect(onVenue).toHaveLength(1);
    const events = await harness.executionEvents();
    expect(
      events.filter((e) => e.type === 'OrderAccepted' && e.order.clientOrderId === first.clientOrderId),
    ).toHaveLength(1);
  });

  it('keeps a refusal as the final answer and sends nothing twice', async () => {
    const request = limit('buy', '1000', '100000');
    await expect(t.session.desk.create(request)).rejects.toMatchObject({ code: 'INSUFFICIENT_FUNDS' });
    const retried = await t.session.desk.create(request);
    expect(retried.status).toBe('rejected');
    const events = await harness.executionEvents();
    const rejected = events.filter(
      (e) => e.type === 'OrderRejected' && e.order.clientOrderId === retried.clientOrderId,
    );
    expect(rejected).toMatchObject([{ code: 'INSUFFICIENT_FUNDS', reconciled: false }]);
  });

  it('maps a crossing post-only order to POST_ONLY_WOULD_CROSS', async () => {
    const ask = paper.exchange.depth('BTC/USDT', 1).asks[0];
    expect(ask).toBeDefined();
    const request = { ...limit('buy', ask?.price ?? '0'), timeInForce: 'PO' as const };
    await expect(t.session.desk.create(request)).rejects.toBeInstanceOf(VenueError);
    expect((await t.session.desk.create(request)).status).toBe('rejected');
  });

  it('cancels, and a second cancel answers the final state instead of failing', async () => {
    const placed = await t.session.desk.create(limit('buy', '1001'));
    const canceled = await t.session.desk.cancel({
      v: 1,
      instrument: 'BTC/USDT',
      clientOrderId: placed.clientOrderId,
    });
    expect(canceled.status).toBe('canceled');
    const again = await t.session.desk.cancel({
      v: 1,
      instrument: 'BTC/USDT',
      clientOrderId: placed.clientOrderId,
    });
    expect(again.status).toBe('canceled');
    await expect(
      t.session.desk.cancel({ v: 1, instrument: 'BTC/USDT', clientOrderId: 'tm-unknown' }),
    ).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('edits an open order into a new one and closes the old', async () => {
    const placed = await t.session.desk.create(limit('buy', '1002'));
    const edit = {
      v: 1 as const,
      origin: origin(),
      instrument: 'BTC/USDT',
      clientOrderId: placed.clientOrderId,
      amount: '0.02',
      price: '1003',
    };
    const edited = await t.session.desk.edit(edit);
    expect(edited).toMatchObject({ status: 'open', price: '1003', amount: '0.02' });
    // Retried after it succeeded (the old order is canceled by now): the same replacement, nothing new.
    expect(await t.session.desk.edit(edit)).toMatchObject({
      clientOrderId: edited.clientOrderId,
      status: 'open',
    });
    expect(
      paper.exchange.openOrders(account).filter((o) => o.clientOrderId === edited.clientOrderId),
    ).toHaveLength(1);
    expect((await t.registry.get(placed.clientOrderId))?.status).toBe('canceled');
    expect(paper.exchange.openOrders(account).map((o) => o.clientOrderId)).toContain(edited.clientOrderId);
  });

  it('refuses orders that add exposure while reconciling, and lets cancels through', async () => {
    const placed = await t.session.desk.create(limit('buy', '1004'));
    const blocked = limit('buy', '1005');
    await t.gate.while(async () => {
      await expect(t.session.desk.create(blocked)).rejects.toMatchObject({ code: 'VENUE_UNAVAILABLE' });
      const canceled = await t.session.desk.cancel({
        v: 1,
        instrument: 'BTC/USDT',
        clientOrderId: placed.clientOrderId,
      });
      expect(canceled.status).toBe('canceled');
    });
    // Nothing was sent for the refused one, so the same origin can go once reconciliation is over.
    expect((await t.session.desk.create(blocked)).status).toBe('open');
  });

  it('stores and publishes each fill once, from the own-order feed', async () => {
    t.session.start();
    await expectEventually(() => {
      const status = t.session.status();
      expect(status).toMatchObject({ state: 'Running', reconciling: false });
      expect(status.lastReconciledAt).not.toBeNull();
    }, 10_000);
    const ask = paper.exchange.depth('BTC/USDT', 1).asks[0];
    const taker = await t.session.desk.create({
      ...limit('buy', ask?.price ?? '0', '0.001'),
      timeInForce: 'IOC',
    });
    const venueTrades = paper.exchange
      .accountTrades(account, { instrument: 'BTC/USDT' })
      .filter((f) => f.clientOrderId === taker.clientOrderId);
    expect(venueTrades.length).toBeGreaterThan(0);
    const fillsOf = async () =>
      (await harness.executionEvents()).filter(
        (e) => e.type === 'OrderFilled' && e.order.clientOrderId === taker.clientOrderId,
      );
    await expectEventually(async () => expect(await fillsOf()).toHaveLength(venueTrades.length), 10_000);
    const fills = await fillsOf();
    expect(fills.map((e) => (e.type === 'OrderFilled' ? e.fill.tradeId : ''))).toEqual(
      venueTrades.map((f) => String(f.tradeId)),
    );
    expect(await t.registry.get(taker.clientOrderId)).toMatchObject({ status: 'closed', filled: '0.001' });
    // The balances moved with the fill: the next diagnostics publish them, not flagged reconciled.
    await t.session.diagnose();
    const btc = paper.exchange.balances(account).find((b) => b.currency === 'BTC');
    await expectEventually(async () => {
      const live = (await harness.executionEvents()).flatMap((e) =>
        e.type === 'BalancesUpdated' && !e.reconciled ? [e] : [],
      );
      expect(live.at(-1)?.balances.find((b) => b.currency === 'BTC')?.free).toBe(btc?.free);
    }, 10_000);
    // Reconciliation at start ran once the feed was up, and found nothing missing for this order.
    expect(fills.every((e) => e.type === 'OrderFilled' && !e.reconciled)).toBe(true);
  });
});
