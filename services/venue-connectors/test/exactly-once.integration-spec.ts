import type { BinanceSimulator } from '@tm/exchange-simulator';
import { SeededRandom } from '@tm/matching';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { clientOrderIdOf } from '@tm/contracts';
import { SessionHarness, type TestSession } from './session-harness.js';
import { startBinance, TRADER, traderAdapter } from './simulated-binance.js';

const RUNS = 200;
// ccxt gives up on an answer after this long; the simulator's "timeout after accept" outlasts it.
const CLIENT_TIMEOUT_MS = 250;

// An order whose acknowledgement is lost after the venue accepted it (or whose request failed before
// it) ends as exactly one order on the venue, through the real ccxt client, across seeded fault runs.
describe('orders are never duplicated nor lost (ccxt against the simulator)', () => {
  let harness: SessionHarness;
  let simulator: BinanceSimulator;
  let t: TestSession;

  beforeAll(async () => {
    harness = await SessionHarness.open(inject('natsUrl'), inject('databaseUrl'), {
      orderResolveWindowMs: 300,
    });
    simulator = await startBinance();
    const adapter = traderAdapter(simulator, { timeoutMs: CLIENT_TIMEOUT_MS });
    await adapter.connect();
    t = await harness.session({ venue: 'binance', account: TRADER.account }, adapter);
  });
  afterAll(async () => {
    await harness.close();
    await simulator.close();
  });

  it(`ends every one of ${RUNS} seeded fault runs with one order on the venue`, async () => {
    // Seeded: the fault schedule is the same on every run of the test.
    const rng = new SeededRandom(20261121);
    const random = () => rng.next();
    const faults = { none: 0, timeoutAfterAccept: 0, errorAfterAccept: 0, failBeforeAccept: 0 };
    for (let run = 0; run < RUNS; run += 1) {
      const roll = random();
      if (roll < 0.35) {
        simulator.faults.timeoutAfterAcceptNext(1, CLIENT_TIMEOUT_MS * 2);
        faults.timeoutAfterAccept += 1;
      } else if (roll < 0.6) {
        simulator.faults.errorAfterAcceptNext(1, random() < 0.5 ? 500 : 503);
        faults.errorAfterAccept += 1;
      } else if (roll < 0.8) {
        simulator.faults.failNext(1, { status: 503, path: '/api/v3/order' });
        faults.failBeforeAccept += 1;
      } else faults.none += 1;
      const origin = { flowId: `seeded-${run}`, step: 0, child: 0 };
      const request = {
        v: 1 as const,
        origin,
        instrument: 'BTC/USDT',
        side: 'buy' as const,
        kind: 'limit' as const,
        amount: '0.001',
        price: (10_000 + run).toFixed(2),
      };
      const order = await t.session.desk.create(request);
      expect(order.status, `run ${run}`).toBe('open');
      // A retry by the caller after the ambiguity changes nothing either.
      expect((await t.session.desk.create(request)).venueOrderId).toBe(order.venueOrderId);
      const onVenue = simulator.exchange
        .openOrders(TRADER.account, 'BTC/USDT')
        .filter((o) => o.clientOrderId === clientOrderIdOf(origin));
      expect(onVenue, `run ${run}`).toHaveLength(1);
    }
    expect(simulator.exchange.openOrders(TRADER.account, 'BTC/USDT')).toHaveLength(RUNS);
    // Every kind of fault was exercised.
    expect(Object.values(faults).every((count) => count > 20)).toBe(true);
    const submitted = (await harness.executionEvents()).filter((e) => e.type === 'OrderSubmitted');
    expect(submitted.length).toBe(
      faults.timeoutAfterAccept + faults.errorAfterAccept + faults.failBeforeAccept,
    );
  }, 180_000);

  it('resolves an edit whose answer was lost, and never re-sends a replacement the venue did not place', async () => {
    const place = (flowId: string, price: string) =>
      t.session.desk.create({
        v: 1,
        origin: { flowId, step: 0, child: 0 },
        instrument: 'BTC/USDT',
        side: 'buy',
        kind: 'limit',
        amount: '0.001',
        price,
      });
    const edit = (flowId: string, clientOrderId: string, price: string) =>
      t.session.desk.edit({
        v: 1,
        origin: { flowId, step: 1, child: 0 },
        instrument: 'BTC/USDT',
        clientOrderId,
        amount: '0.002',
        price,
      });

    const first = await place('edit-lost-answer', '9000.00');
    simulator.faults.errorAfterAcceptNext(1, 503);
    const replaced = await edit('edit-lost-answer', first.clientOrderId, '9001.00');
    expect(replaced).toMatchObject({ status: 'open', price: '9001', amount: '0.002' });
    expect((await t.registry.get(first.clientOrderId))?.status).toBe('canceled');

    const second = await place('edit-not-placed', '9100.00');
    simulator.faults.failNext(1, { status: 503, path: '/api/v3/order/cancelReplace' });
    const refused = await edit('edit-not-placed', second.clientOrderId, '9101.00');
    expect(refused.status).toBe('rejected');
    expect((await t.registry.get(second.clientOrderId))?.status).toBe('open');
    const open = simulator.exchange.openOrders(TRADER.account, 'BTC/USDT').map((o) => o.clientOrderId);
    expect(open).toContain(second.clientOrderId);
    expect(open).not.toContain(refused.clientOrderId);
  }, 60_000);
});
