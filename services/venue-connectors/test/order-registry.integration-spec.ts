import { nowMicros } from '@tm/contracts';
import { PaperVenue, type VenueFill, type VenueOrder } from '@tm/venues';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { NewOrder } from '../src/orders/order-registry.js';
import { SessionHarness, type TestSession } from './session-harness.js';

// The registry's writes on the real PostgreSQL: a report that changes nothing writes nothing, and the
// create answer, the own-order feed and reconciliation racing on one order emit each event once.
describe('order registry (real PostgreSQL)', () => {
  let harness: SessionHarness;
  let paper: PaperVenue;
  let t: TestSession;
  let n = 0;

  beforeAll(async () => {
    harness = await SessionHarness.open(inject('natsUrl'), inject('databaseUrl'));
    paper = new PaperVenue({ seed: 11 });
    t = await harness.session({ venue: 'paper', account: 'registry-1' }, paper.adapter('registry-1'));
  });
  afterAll(async () => {
    paper.stop();
    await harness.close();
  });

  const reserve = async () => {
    n += 1;
    const order: NewOrder = {
      clientOrderId: `tm-registry-${n}`,
      instrument: 'BTC/USDT',
      side: 'buy',
      kind: 'market',
      timeInForce: 'IOC',
      price: null,
      amount: '0.002',
      origin: { flowId: `registry-${n}`, step: 0, child: 0 },
    };
    return (await t.registry.reserve(order)).record;
  };
  const report = (clientOrderId: string, over: Partial<VenueOrder> = {}): VenueOrder => ({
    venueOrderId: `v-${clientOrderId}`,
    clientOrderId,
    instrument: 'BTC/USDT',
    side: 'buy',
    kind: 'market',
    timeInForce: 'IOC',
    price: null,
    amount: '0.002',
    filled: '0.002',
    remaining: '0',
    averagePrice: '100',
    status: 'closed',
    tsEvent: nowMicros(),
    ...over,
  });
  const fill = (clientOrderId: string, tradeId: string, amount: string): VenueFill => ({
    tradeId,
    venueOrderId: `v-${clientOrderId}`,
    clientOrderId,
    instrument: 'BTC/USDT',
    side: 'buy',
    price: '100',
    amount,
    feeCost: '0.01',
    feeCurrency: 'USDT',
    liquidity: 'taker',
    tsEvent: nowMicros(),
  });
  const rowVersion = async (clientOrderId: string) => {
    const rows: { version: string; status: string; filled: string }[] = await harness.dataSource.query(
      `SELECT xmin::text AS version, status, filled::text AS filled FROM ${harness.schema}.venue_orders
       WHERE client_order_id = $1`,
      [clientOrderId],
    );
    return rows[0];
  };
  const eventsOf = async (clientOrderId: string) =>
    (await harness.executionEvents()).filter((e) => 'order' in e && e.order.clientOrderId === clientOrderId);
  const outboxRows = async () =>
    Number(
      (
        (await harness.dataSource.query(
          `SELECT count(*)::int AS n FROM ${harness.schema}.execution_outbox`,
        )) as [{ n: number }]
      )[0].n,
    );

  it('writes and emits nothing for a report that changes nothing', async () => {
    const record = await reserve();
    const first = await t.registry.applyVenueOrder(report(record.clientOrderId), {
      reconciled: false,
      known: record,
    });
    expect(first?.events.map((e) => e.type)).toEqual(['OrderAccepted']);
    const written = await rowVersion(record.clientOrderId);
    await harness.executionEvents();

    // The feed repeats it, with and without the desk's (now stale) picture, and a fresh registry
    // (another replica, nothing remembered) too: no row version, no event, no outbox row.
    const again = await t.registry.applyVenueOrder(report(record.clientOrderId), { reconciled: false });
    const stale = await t.registry.applyVenueOrder(report(record.clientOrderId), {
      reconciled: false,
      known: record,
    });
    const replica = await harness.session(
      { venue: 'paper', account: 'registry-1' },
      paper.adapter('registry-1'),
    );
    const other = await replica.registry.applyVenueOrder(report(record.clientOrderId, { filled: '0.001' }), {
      reconciled: true,
    });
    for (const result of [again, stale, other]) {
      expect(result?.events).toEqual([]);
      expect(result?.record).toMatchObject({ status: 'closed', filled: '0.002' });
    }
    expect(await outboxRows()).toBe(0);
    expect(await rowVersion(record.clientOrderId)).toEqual(written);
    expect((await eventsOf(record.clientOrderId)).map((e) => e.type)).toEqual(['OrderAccepted']);
  });

  it('never takes a final state back, and says so without writing', async () => {
    const record = await reserve();
    await t.registry.applyVenueOrder(report(record.clientOrderId, { status: 'canceled', filled: '0' }), {
      reconciled: false,
      known: record,
    });
    const written = await rowVersion(record.clientOrderId);
    const late = await t.registry.applyVenueOrder(
      report(record.clientOrderId, { status: 'open', filled: '0' }),
      { reconciled: false },
    );
    expect(late).toMatchObject({ record: { status: 'canceled' }, events: [] });
    expect(await rowVersion(record.clientOrderId)).toEqual(written);
    expect((await eventsOf(record.clientOrderId)).map((e) => e.type)).toEqual([
      'OrderAccepted',
      'OrderCanceled',
    ]);
  });

  it('emits each event once when the create answer, the feed and reconciliation race', async () => {
    const records = await Promise.all(Array.from({ length: 20 }, () => reserve()));
    await Promise.all(
      records.flatMap((record) => [
        t.registry.applyVenueOrder(report(record.clientOrderId, { status: 'open', filled: '0.001' }), {
          reconciled: false,
          known: record,
        }),
        t.registry.applyVenueOrder(report(record.clientOrderId, { status: 'open', filled: '0.001' }), {
          reconciled: false,
        }),
        t.registry.applyVenueOrder(report(record.clientOrderId), { reconciled: true }),
      ]),
    );
    // Then the fills, racing a duplicate of one of them and a repeated report.
    await Promise.all(
      records.flatMap((record) => [
        t.registry.recordFill(fill(record.clientOrderId, `${record.clientOrderId}-a`, '0.001'), false),
        t.registry.recordFill(fill(record.clientOrderId, `${record.clientOrderId}-b`, '0.001'), false),
        t.registry.recordFill(fill(record.clientOrderId, `${record.clientOrderId}-b`, '0.001'), true),
        t.registry.applyVenueOrder(report(record.clientOrderId), { reconciled: false, known: record }),
      ]),
    );
    const events = await harness.executionEvents();
    for (const record of records) {
      const mine = events.filter((e) => 'order' in e && e.order.clientOrderId === record.clientOrderId);
      expect(mine.filter((e) => e.type === 'OrderAccepted')).toHaveLength(1);
      expect(mine.filter((e) => e.type === 'OrderFilled')).toHaveLength(2);
      expect(mine).toHaveLength(3);
      expect(await t.registry.get(record.clientOrderId)).toMatchObject({ status: 'closed', filled: '0.002' });
    }
    expect(await outboxRows()).toBe(0);
  });

  it('stores a fill once, with the order state it produced, and keeps one for an unknown order', async () => {
    const record = await reserve();
    expect(await t.registry.recordFill(fill(record.clientOrderId, 'f-1', '0.0005'), false)).toBe(true);
    expect(await t.registry.recordFill(fill(record.clientOrderId, 'f-1', '0.0005'), true)).toBe(false);
    const [filled, ...rest] = await eventsOf(record.clientOrderId);
    expect(rest).toEqual([]);
    expect(filled).toMatchObject({
      type: 'OrderFilled',
      eventId: 'paper:registry-1:fill:BTC/USDT:f-1',
      reconciled: false,
      fill: { tradeId: 'f-1', amount: '0.0005', price: '100', feeCost: '0.01', liquidity: 'taker' },
      order: {
        clientOrderId: record.clientOrderId,
        venueOrderId: `v-${record.clientOrderId}`,
        price: null,
        amount: '0.002',
        filled: '0.0005',
        status: 'open',
      },
    });

    const stranger = { ...fill('tm-not-ours', 'f-2', '0.1'), clientOrderId: null };
    expect(await t.registry.recordFill(stranger, false)).toBe(true);
    expect(await t.registry.recordFill(stranger, false)).toBe(false);
    expect(await outboxRows()).toBe(0);
  });
});
