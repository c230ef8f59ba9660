import { expectEventually } from '@tm/testing';
import type { Order, Trade } from 'ccxt';
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

describe('exchange simulator: user data stream through ccxt.pro binance', () => {
  let simulator: BinanceSimulator;
  let trader: BinanceClient;
  let maker: BinanceClient;

  beforeAll(async () => {
    simulator = await startSimulator();
    trader = binanceClient(simulator, TRADER);
    maker = binanceClient(simulator, MAKER);
    await Promise.all([trader.loadMarkets(), maker.loadMarkets()]);
  });

  afterAll(async () => {
    await Promise.all([trader.close(), maker.close()]);
    await simulator.close();
  });

  it('pushes executionReports to watchOrders and watchMyTrades for a fill', async () => {
    const orders: Order[] = [];
    const trades: Trade[] = [];
    let watching = true;
    const orderLoop = (async () => {
      while (watching) orders.push(...(await trader.watchOrders('BTC/USDT')));
    })();
    const tradeLoop = (async () => {
      while (watching) trades.push(...(await trader.watchMyTrades('BTC/USDT')));
    })();
    await expectEventually(() => expect(simulator.userStreamSubscribers(TRADER.account)).toBe(1));

    await maker.createOrder('BTC/USDT', 'limit', 'sell', 0.3, 61_000);
    const resting = await trader.createOrder('BTC/USDT', 'limit', 'buy', 0.2, 60_000, {
      clientOrderId: 'ws-1',
    });
    const taker = await trader.createOrder('BTC/USDT', 'limit', 'buy', 0.1, 61_000, {
      clientOrderId: 'ws-2',
    });

    await expectEventually(() => {
      expect(orders.find((o) => o.id === resting.id && o.status === 'open')).toMatchObject({
        clientOrderId: 'ws-1',
        price: 60_000,
        amount: 0.2,
      });
      expect(orders.find((o) => o.id === taker.id && o.status === 'closed')).toMatchObject({
        clientOrderId: 'ws-2',
        filled: 0.1,
      });
      expect(trades).toHaveLength(1);
    });
    const rest = await trader.fetchMyTrades('BTC/USDT');
    expect(trades[0]).toMatchObject({
      id: rest.at(-1)?.id,
      order: taker.id,
      price: 61_000,
      amount: 0.1,
      side: 'buy',
    });
    expect(trades[0].takerOrMaker).toBe('taker');

    await trader.cancelOrder(idOf(resting), 'BTC/USDT');
    await expectEventually(() =>
      expect(orders.find((o) => o.id === resting.id && o.status === 'canceled')).toBeDefined(),
    );
    watching = false;
    // Wake both loops so they end.
    await maker.createOrder('BTC/USDT', 'limit', 'sell', 0.1, 61_000);
    await trader.createOrder('BTC/USDT', 'market', 'buy', 0.1);
    await Promise.all([orderLoop, tradeLoop]);
  });

  it('pushes balances (outboundAccountPosition) to watchBalance', async () => {
    const balance = trader.watchBalance();
    await expectEventually(() => expect(simulator.userStreamSubscribers(TRADER.account)).toBeGreaterThan(0));
    await trader.createOrder('BTC/USDT', 'limit', 'buy', 0.01, 50_000);
    const pushed = await balance;
    expect(pushed.USDT?.used).toBe(500);
    expect(pushed.BTC).toBeDefined();
  });

  it('speaks the websocket API to a bare client: signature check, ids, events wrapped with subscriptionId', async () => {
    const probe = await WsProbe.open(`${simulator.wsUrl}/ws-api/ws-api/v3`);
    try {
      probe.send({ id: 'a', method: 'ping' });
      expect(await probe.next((m) => m.id === 'a')).toEqual({ id: 'a', status: 200, result: {} });
      probe.send({
        id: 'b',
        method: 'userDataStream.subscribe.signature',
        params: { apiKey: MAKER.apiKey, timestamp: Date.now(), signature: 'f00' },
      });
      expect(await probe.next((m) => m.id === 'b')).toMatchObject({ status: 400, error: { code: -1022 } });
      probe.send({ id: 'c', method: 'no.such.method' });
      expect(await probe.next((m) => m.id === 'c')).toMatchObject({ status: 400, error: { code: -1000 } });
      probe.send('][');
      expect(await probe.next((m) => m.id === null)).toMatchObject({ status: 400 });
    } finally {
      probe.close();
    }
  });
});
