import { createHmac } from 'node:crypto';

import { expectEventually } from '@tm/testing';
import ccxt from 'ccxt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { BinanceSimulator } from '../src/index.js';
import {
  binanceClient,
  type BinanceClient,
  idOf,
  MAKER,
  startSimulator,
  TRADER,
} from './simulator-fixture.js';
import { WsProbe } from './ws-probe.js';

/** A bare ws-api client subscribed to the trader's user stream. */
async function userStreamProbe(simulator: BinanceSimulator): Promise<WsProbe> {
  const probe = await WsProbe.open(`${simulator.wsUrl}/ws-api/ws-api/v3`);
  const params: Record<string, string | number> = { apiKey: TRADER.apiKey, timestamp: Date.now() };
  const payload = Object.keys(params)
    .sort()
    .map((k) => `${k}=${params[k]}`)
    .join('&');
  const signature = createHmac('sha256', TRADER.secret).update(payload).digest('hex');
  probe.send({ id: 1, method: 'userDataStream.subscribe.signature', params: { ...params, signature } });
  expect(await probe.next((m) => m.id === 1)).toEqual({ id: 1, status: 200, result: { subscriptionId: 0 } });
  return probe;
}

type Report = { subscriptionId: number; event: { e: string; x: string; t: number; i: number } };
const fillReports = (probe: WsProbe): Report['event'][] =>
  (probe.messages as Report[])
    .filter((m) => m.event?.e === 'executionReport' && m.event.x === 'TRADE')
    .map((m) => m.event);

describe('exchange simulator: injected faults', () => {
  let simulator: BinanceSimulator;
  let trader: BinanceClient;
  let maker: BinanceClient;

  beforeAll(async () => {
    simulator = await startSimulator();
    trader = binanceClient(simulator, TRADER, { timeout: 500 });
    maker = binanceClient(simulator, MAKER);
    await Promise.all([trader.loadMarkets(), maker.loadMarkets()]);
  });

  afterAll(async () => {
    await Promise.all([trader.close(), maker.close()]);
    await simulator.close();
  });

  it('failNext answers 5xx without touching the engine (ExchangeNotAvailable), only on the given path', async () => {
    simulator.faults.failNext(2, { status: 503, path: '/api/v3/order' });
    await expect(trader.fetchBalance()).resolves.toBeDefined();
    for (let i = 0; i < 2; i += 1) {
      await expect(
        trader.createOrder('BTC/USDT', 'limit', 'buy', 0.001, 40_000, { clientOrderId: `fail-${i}` }),
      ).rejects.toBeInstanceOf(ccxt.ExchangeNotAvailable);
    }
    expect(await trader.fetchOpenOrders('BTC/USDT')).toHaveLength(0);
    const placed = await trader.createOrder('BTC/USDT', 'limit', 'buy', 0.001, 40_000);
    await trader.cancelOrder(idOf(placed), 'BTC/USDT');
  });

  it('timeoutAfterAcceptNext: ccxt times out (RequestTimeout) but the order exists on the venue', async () => {
    simulator.faults.timeoutAfterAcceptNext(1, 5_000);
    await expect(
      trader.createOrder('BTC/USDT', 'limit', 'buy', 0.001, 41_000, { clientOrderId: 'timeout-1' }),
    ).rejects.toBeInstanceOf(ccxt.RequestTimeout);
    const found = await trader.fetchOrder('', 'BTC/USDT', { origClientOrderId: 'timeout-1' });
    expect(found).toMatchObject({ status: 'open', price: 41_000, clientOrderId: 'timeout-1' });
    // A retry with the same client id is refused as a duplicate: one order, not two.
    await expect(
      trader.createOrder('BTC/USDT', 'limit', 'buy', 0.001, 41_000, { clientOrderId: 'timeout-1' }),
    ).rejects.toBeInstanceOf(ccxt.InvalidOrder);
    expect(await trader.fetchOpenOrders('BTC/USDT')).toHaveLength(1);
    await trader.cancelOrder(idOf(found), 'BTC/USDT');
  });

  it('errorAfterAcceptNext: a 5xx after the order was accepted', async () => {
    simulator.faults.errorAfterAcceptNext(1, 500);
    await expect(
      trader.createOrder('BTC/USDT', 'limit', 'buy', 0.001, 42_000, { clientOrderId: 'err-1' }),
    ).rejects.toBeInstanceOf(ccxt.ExchangeNotAvailable);
    const found = await trader.fetchOrder('', 'BTC/USDT', { origClientOrderId: 'err-1' });
    expect(found.status).toBe('open');
    await trader.cancelOrder(idOf(found), 'BTC/USDT');
  });

  it('dropWebsockets: pending watches reject with NetworkError; rejectWebsocketsFor refuses reconnects meanwhile', async () => {
    const watcher = binanceClient(simulator, TRADER);
    await watcher.loadMarkets();
    try {
      // Both reject at once: catch up front so neither is an unhandled rejection meanwhile.
      const trades = watcher.watchTrades('BTC/USDT').catch((e: unknown) => e);
      const orders = watcher.watchOrders('BTC/USDT').catch((e: unknown) => e);
      await expectEventually(() => {
        expect(simulator.streamSubscribers('btcusdt@trade')).toBe(1);
        expect(simulator.userStreamSubscribers(TRADER.account)).toBe(1);
      });
      simulator.faults.rejectWebsocketsFor(60_000);
      simulator.faults.dropWebsockets();
      expect(await trades).toBeInstanceOf(ccxt.NetworkError);
      expect(await orders).toBeInstanceOf(ccxt.NetworkError);
      await expect(watcher.watchTrades('ETH/USDT')).rejects.toBeInstanceOf(ccxt.NetworkError);
      expect(simulator.streamSubscribers('btcusdt@trade')).toBe(0);
    } finally {
      await watcher.close();
    }
    simulator.faults.rejectWebsocketsFor(0);
  });

  it('rejectWebsocketsFor ends on time: new websockets are accepted again', async () => {
    simulator.faults.rejectWebsocketsFor(300);
    await expect(WsProbe.open(`${simulator.wsUrl}/stream/ws`)).rejects.toThrow(/503/);
    const probe = await expectEventually(() => WsProbe.open(`${simulator.wsUrl}/stream/ws`), 5_000, 100);
    probe.close();
  });

  it('depthGapNext skips one update id: a raw client sees U = previous u + 2 and ccxt watchOrderBook raises', async () => {
    const probe = await WsProbe.open(`${simulator.wsUrl}/stream/ws/ethusdt@depth@100ms`);
    const watcher = binanceClient(simulator, TRADER);
    await watcher.loadMarkets();
    try {
      await maker.createOrder('ETH/USDT', 'limit', 'buy', 0.1, 2_000);
      await watcher.watchOrderBook('ETH/USDT');
      const first = await probe.next<{ u: number }>((m) => m.e === 'depthUpdate');
      const failing = (async () => {
        for (;;) await watcher.watchOrderBook('ETH/USDT');
      })().catch((e: unknown) => e);
      simulator.faults.depthGapNext('ETH/USDT');
      await maker.createOrder('ETH/USDT', 'limit', 'buy', 0.1, 1_990);
      expect(await failing).toBeInstanceOf(ccxt.ChecksumError);
      const gapped = await probe.next<{ U: number }>(
        (m) => m.e === 'depthUpdate' && (m.U as number) > first.u,
      );
      expect(gapped.U).toBe(first.u + 2);
    } finally {
      probe.close();
      await watcher.close();
    }
  });

  it('duplicateFillsNext sends a fill report twice; reorderFillsNext swaps the next two', async () => {
    const probe = await userStreamProbe(simulator);
    try {
      simulator.faults.duplicateFillsNext(1);
      await maker.createOrder('BTC/USDT', 'limit', 'sell', 0.01, 70_000);
      await trader.createOrder('BTC/USDT', 'market', 'buy', 0.01);
      await expectEventually(() => expect(fillReports(probe)).toHaveLength(2));
      const [a, b] = fillReports(probe);
      expect(a).toEqual(b);

      simulator.faults.reorderFillsNext(1);
      await maker.createOrder('BTC/USDT', 'limit', 'sell', 0.01, 70_100);
      await maker.createOrder('BTC/USDT', 'limit', 'sell', 0.01, 70_200);
      await trader.createOrder('BTC/USDT', 'market', 'buy', 0.02);
      await expectEventually(() => expect(fillReports(probe)).toHaveLength(4));
      const [third, fourth] = fillReports(probe).slice(2);
      expect(third.i).toBe(fourth.i);
      expect(third.t).toBeGreaterThan(fourth.t);
    } finally {
      probe.close();
    }
  });
});
