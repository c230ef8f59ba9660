// cancel-orders against a ccxt venue (the Binance simulator) that restarts while the cancel is on its way:
// the websockets drop and stay refused, the order endpoint answers 503; the flow keeps asking until the
// venue confirms the cancel, and ends with the order canceled on the venue itself.
import { BinanceSimulator } from '@tm/exchange-simulator';
import { SPOT_INSTRUMENTS } from '@tm/matching';
import { expectEventually } from '@tm/testing';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { FlowTestBed } from './flow-test-bed.js';

const API_KEY = 'flow-e2e-api-key-51c2';
const SECRET = 'flow-e2e-secret-9d0e';
const ACCOUNT = 'binance-e2e';

describe('flow-engine: a cancel that meets a venue restart', () => {
  let bed: FlowTestBed;
  let simulator: BinanceSimulator;

  beforeAll(async () => {
    simulator = await BinanceSimulator.start({
      instruments: [SPOT_INSTRUMENTS['BTC/USDT']],
      accounts: [{ apiKey: API_KEY, secret: SECRET, account: 'sim', balances: { USDT: '100000', BTC: '1' } }],
      marketMakers: [{ instrument: 'BTC/USDT', startMid: '60000' }],
    });
    bed = await FlowTestBed.open(inject('natsUrl'), inject('databaseUrl'));
    await bed.startMarket({
      TM_VENUES: JSON.stringify([
        {
          venue: 'binance',
          account: ACCOUNT,
          credential: 'sim-main',
          apiUrl: simulator.httpUrl,
          instruments: ['BTC/USDT'],
        },
      ]),
      TM_CREDENTIAL_SIM_MAIN_API_KEY: API_KEY,
      TM_CREDENTIAL_SIM_MAIN_SECRET: SECRET,
      TM_VENUE_RECONNECT_BASE: '100ms',
      TM_VENUE_RECONNECT_MAX: '1s',
      TM_VENUE_BREAKER_HALF_OPEN: '1s',
    });
    await bed.flowEngine('fe-restart');
  }, 120_000);

  afterAll(async () => {
    await bed?.close();
    await simulator?.close();
  });

  it('retries the cancel through the outage until the venue confirms it', async () => {
    const resting = await bed.start(
      'buy',
      {
        venue: 'binance',
        instrument: 'BTC/USDT',
        kind: 'limit',
        price: '58000.00',
        amount: '0.001',
        tag: 'restart-e2e',
      },
      bed.nextKey('rest'),
      ACCOUNT,
    );
    const open = await expectEventually(() => {
      const orders = simulator.exchange.openOrders('sim');
      expect(orders).toHaveLength(1);
      return orders[0]!;
    }, 20_000);

    // The venue goes down: streams cut and refused, and its order endpoint answers 503 for a while.
    simulator.faults.rejectWebsocketsFor(4_000);
    simulator.faults.dropWebsockets();
    simulator.faults.failNext(12, { path: '/api/v3/order' });
    simulator.faults.failNext(4, { path: '/api/v3/openOrders' });
    const cancel = await bed.start(
      'cancel-orders',
      { venue: 'binance', tag: 'restart-e2e' },
      bed.nextKey('cancel'),
      ACCOUNT,
    );
    const ended = await bed.ended(cancel.flowId, 60_000, ACCOUNT);
    expect(ended.status).toBe('succeeded');
    expect(ended.result).toMatchObject({ canceled: 1 });
    // The outage was met: some attempts failed and were retried, each audited; the venue itself says canceled.
    const failed = (await bed.audit(cancel.flowId)).filter((r) => r.type === 'StepFailed');
    expect(failed.length).toBeGreaterThan(0);
    expect(failed.every((r) => r.detail['willRetry'] === true)).toBe(true);
    expect(simulator.exchange.openOrders('sim')).toHaveLength(0);
    expect(simulator.exchange.getOrder('sim', 'BTC/USDT', { orderId: open.orderId }).status).toBe('CANCELED');
    const buy = await bed.ended(resting.flowId, 30_000, ACCOUNT);
    expect(buy.result).toMatchObject({ filled: '0' });
  }, 120_000);
});
