import { BookDeltaV1, decodePayload, TradeV1 } from '@tm/contracts';
import type { BinanceSimulator } from '@tm/exchange-simulator';
import { expectEventually } from '@tm/testing';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { SessionHarness, type TestSession } from './session-harness.js';
import { COUNTERPARTY, printTrade, startBinance, TRADER, traderAdapter } from './simulated-binance.js';

// A venue session against the simulator through the real ccxt client: websockets killed and refused
// for a while, everything restored, no trade lost or repeated across the gap; fills and cancels that
// happened while disconnected are found by reconciliation and published once.
describe('venue session reconnect and reconciliation (ccxt against the simulator)', () => {
  let harness: SessionHarness;
  let simulator: BinanceSimulator;
  let t: TestSession;
  const published: TradeV1[] = [];
  const books: BookDeltaV1[] = [];
  const transitions: string[] = [];
  let price = 20_000;
  const nextPrice = () => (price += 1).toFixed(2);

  async function outage(during: () => void): Promise<void> {
    const reconnectsBefore = t.session.status().reconnects;
    simulator.faults.rejectWebsocketsFor(800);
    simulator.faults.dropWebsockets();
    await expectEventually(() => expect(t.machine.state).toBe('Waiting'), 10_000);
    during();
    await expectEventually(() => {
      const status = t.session.status();
      expect(status.state).toBe('Running');
      expect(status.reconnects).toBeGreaterThan(reconnectsBefore);
      expect(status.reconciling).toBe(false);
    }, 20_000);
  }

  beforeAll(async () => {
    harness = await SessionHarness.open(inject('natsUrl'), inject('databaseUrl'));
    simulator = await startBinance();
    t = await harness.session(
      { venue: 'binance', account: TRADER.account, instruments: ['BTC/USDT'] },
      traderAdapter(simulator),
    );
    t.machine.onTransition((record) => transitions.push(`${record.from}→${record.to}`));
    harness.link.connection.subscribe(harness.subjects.all.mdTrade(), {
      callback: (_error, msg) => {
        const decoded = decodePayload(TradeV1, msg.data);
        if (decoded.ok) published.push(decoded.value);
      },
    });
    harness.link.connection.subscribe(harness.subjects.all.mdBook(), {
      callback: (_error, msg) => {
        const decoded = decodePayload(BookDeltaV1, msg.data);
        if (decoded.ok) books.push(decoded.value);
      },
    });
    t.session.start();
    await expectEventually(() => expect(t.session.status().lastReconciledAt).not.toBeNull(), 20_000);
  });
  afterAll(async () => {
    await harness.close();
    await simulator.close();
  });

  it('restores every subscription and publishes each trade exactly once across a dropped feed', async () => {
    for (let i = 0; i < 5; i += 1) printTrade(simulator, nextPrice());
    await expectEventually(() => expect(published.length).toBeGreaterThanOrEqual(5), 10_000);
    await outage(() => {
      // Trades while the websockets are down, and a subscription asked for while down.
      for (let i = 0; i < 5; i += 1) printTrade(simulator, nextPrice());
      void t.session.subscribe('ETH/USDT');
    });
    await expectEventually(
      () => expect(books.some((b) => b.instrument === 'ETH/USDT' && b.snapshot)).toBe(true),
      10_000,
    );
    expect(t.session.status().subscriptions).toEqual(['BTC/USDT', 'ETH/USDT']);
    for (let i = 0; i < 5; i += 1) printTrade(simulator, nextPrice());
    const venueTrades = simulator.exchange
      .publicTrades('BTC/USDT', 1_000)
      .map((trade) => String(trade.tradeId));
    await expectEventually(
      () => expect(published.map((p) => p.tradeId)).toContain(venueTrades.at(-1)),
      10_000,
    );
    const ids = published.map((p) => p.tradeId);
    expect(new Set(ids).size).toBe(ids.length);
    expect([...ids].sort()).toEqual([...venueTrades].sort());
    expect(transitions).toEqual(expect.arrayContaining(['Running→Waiting', 'Waiting→Running']));
  });

  it('publishes a fill that happened while disconnected exactly once, flagged reconciled', async () => {
    const placed = await t.session.desk.create({
      v: 1,
      origin: { flowId: 'missed-fill', step: 0, child: 0 },
      instrument: 'BTC/USDT',
      side: 'buy',
      kind: 'limit',
      amount: '0.002',
      price: '15000.00',
    });
    expect(placed.status).toBe('open');
    await outage(() => {
      simulator.exchange.placeOrder(COUNTERPARTY.account, {
        instrument: 'BTC/USDT',
        side: 'sell',
        type: 'limit',
        price: '15000.00',
        amount: '0.002',
        timeInForce: 'IOC',
      });
    });
    const venueFills = simulator.exchange
      .accountTrades(TRADER.account, { instrument: 'BTC/USDT' })
      .filter((f) => f.clientOrderId === placed.clientOrderId);
    expect(venueFills).toHaveLength(1);
    await expectEventually(async () => {
      const fills = (await harness.executionEvents()).filter(
        (e) => e.type === 'OrderFilled' && e.order.clientOrderId === placed.clientOrderId,
      );
      expect(fills).toHaveLength(1);
      expect(fills[0]).toMatchObject({
        reconciled: true,
        fill: { tradeId: String(venueFills[0]?.tradeId), amount: '0.002' },
        order: { status: 'closed', filled: '0.002' },
      });
    }, 10_000);
    const differences = (await harness.executionEvents()).filter(
      (e) => e.type === 'ReconciliationDifferenceFound',
    );
    expect(
      differences.some((d) => d.type === 'ReconciliationDifferenceFound' && d.difference === 'missing_fill'),
    ).toBe(true);
  });

  it('closes an order the venue canceled while disconnected, and adopts one it did not place', async () => {
    const placed = await t.session.desk.create({
      v: 1,
      origin: { flowId: 'venue-cancel', step: 0, child: 0 },
      instrument: 'BTC/USDT',
      side: 'buy',
      kind: 'limit',
      amount: '0.003',
      price: '14000.00',
    });
    let stranger = '';
    await outage(() => {
      simulator.exchange.cancelOrder(TRADER.account, 'BTC/USDT', { clientOrderId: placed.clientOrderId });
      stranger = simulator.exchange.placeOrder(TRADER.account, {
        instrument: 'BTC/USDT',
        side: 'buy',
        type: 'limit',
        price: '13000.00',
        amount: '0.001',
        clientOrderId: 'placed-by-hand',
      }).order.clientOrderId;
    });
    await expectEventually(async () => {
      expect((await t.registry.get(placed.clientOrderId))?.status).toBe('canceled');
      expect((await t.registry.get(stranger))?.status).toBe('open');
    }, 10_000);
    const events = await harness.executionEvents();
    expect(
      events.filter((e) => e.type === 'OrderCanceled' && e.order.clientOrderId === placed.clientOrderId),
    ).toMatchObject([{ reconciled: true }]);
    const found = events.flatMap((e) => (e.type === 'ReconciliationDifferenceFound' ? [e] : []));
    expect(found).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ difference: 'order_closed_on_venue', action: 'closed' }),
        expect.objectContaining({ difference: 'unknown_order', action: 'adopted' }),
      ]),
    );
    const kept: { count: string }[] = await harness.dataSource.query(
      `SELECT count(*)::text AS count FROM ${harness.schema}.reconciliation_differences`,
    );
    expect(Number(kept[0]?.count)).toBe(found.length);
  });
});
