import ccxt from 'ccxt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { BinanceSimulator } from '../src/index.js';
import {
  binanceClient,
  startSimulator,
  SUB_ACCOUNT,
  TRADER,
  type BinanceClient,
} from './simulator-fixture.js';

describe('exchange simulator: wallet, authentication and bad input', () => {
  let simulator: BinanceSimulator;
  let trader: BinanceClient;

  beforeAll(async () => {
    simulator = await startSimulator();
    trader = binanceClient(simulator);
    await trader.loadMarkets();
  });

  afterAll(async () => {
    await trader.close();
    await simulator.close();
  });

  it('gives a stable deposit address and lists deposits (ccxt sorts them oldest first)', async () => {
    const first = await trader.fetchDepositAddress('USDT');
    const again = await trader.fetchDepositAddress('USDT');
    expect(first.address).toBe(again.address);
    expect(first.currency).toBe('USDT');
    expect((await trader.fetchDepositAddress('BTC')).address).not.toBe(first.address);

    simulator.deposit(TRADER.account, 'USDT', '250');
    const deposits = await trader.fetchDeposits('USDT');
    expect(deposits.map((d) => d.amount)).toEqual([100_000, 250]);
    expect(deposits[1]).toMatchObject({ currency: 'USDT', status: 'ok', type: 'deposit' });
    expect((await trader.fetchDeposits()).length).toBe(3);
  });

  it('moves funds to and from a sub-account with the raw universalTransfer method', async () => {
    const result = (await trader.sapiPostSubAccountUniversalTransfer({
      toEmail: SUB_ACCOUNT,
      fromAccountType: 'SPOT',
      toAccountType: 'SPOT',
      asset: 'USDT',
      amount: '100',
    })) as { tranId: number };
    expect(typeof result.tranId).toBe('number');
    expect(simulator.exchange.balances(SUB_ACCOUNT)).toEqual([
      { currency: 'USDT', free: '100', locked: '0' },
    ]);
    await trader.sapiPostSubAccountUniversalTransfer({
      fromEmail: SUB_ACCOUNT,
      fromAccountType: 'SPOT',
      toAccountType: 'SPOT',
      asset: 'USDT',
      amount: '40',
    });
    expect((await trader.fetchBalance()).USDT?.free).toBe(100_250 - 60);
  });

  it('answers an over-draft transfer with -5002, which ccxt maps to InsufficientFunds only with the spot table', async () => {
    const request = {
      toEmail: SUB_ACCOUNT,
      fromAccountType: 'SPOT',
      toAccountType: 'SPOT',
      asset: 'BTC',
      amount: '50',
    };
    const generic = await trader.sapiPostSubAccountUniversalTransfer(request).catch((e: unknown) => e);
    expect(generic).toBeInstanceOf(ccxt.ExchangeError);
    expect(generic).not.toBeInstanceOf(ccxt.InsufficientFunds);

    const withTable = binanceClient(simulator, TRADER, { realErrorTable: true });
    await withTable.loadMarkets();
    await expect(withTable.sapiPostSubAccountUniversalTransfer(request)).rejects.toBeInstanceOf(
      ccxt.InsufficientFunds,
    );
    await expect(
      withTable.sapiPostSubAccountUniversalTransfer({
        ...request,
        toEmail: 'stranger@sim.local',
        amount: '1',
      }),
    ).rejects.toBeInstanceOf(ccxt.BadRequest);
    await withTable.close();
  });

  it('refuses a wrong secret (AuthenticationError), an unknown key and a stale timestamp', async () => {
    const wrongSecret = binanceClient(simulator, { apiKey: TRADER.apiKey, secret: 'not-the-secret' });
    await wrongSecret.loadMarkets();
    await expect(wrongSecret.fetchBalance()).rejects.toBeInstanceOf(ccxt.AuthenticationError);
    await expect(wrongSecret.createOrder('BTC/USDT', 'limit', 'buy', 0.001, 50_000)).rejects.toBeInstanceOf(
      ccxt.AuthenticationError,
    );
    await wrongSecret.close();

    const unknownKey = binanceClient(simulator, { apiKey: 'nobody', secret: 'x' });
    await unknownKey.loadMarkets();
    await expect(unknownKey.fetchBalance()).rejects.toBeInstanceOf(ccxt.AuthenticationError);
    await unknownKey.close();

    const stale = binanceClient(simulator);
    await stale.loadMarkets();
    stale.options.timeDifference = 120_000; // its clock runs two minutes behind
    await expect(stale.fetchBalance()).rejects.toBeInstanceOf(ccxt.InvalidNonce);
    await stale.close();
  });

  it('answers bad input with Binance error JSON and HTTP 400, never crashing', async () => {
    const get = async (path: string, init?: RequestInit) => {
      const response = await fetch(`${simulator.httpUrl}${path}`, init);
      return { status: response.status, body: (await response.json()) as { code?: number; msg?: string } };
    };
    expect(await get('/api/v3/depth?symbol=NOPE')).toEqual({
      status: 400,
      body: { code: -1121, msg: 'Invalid symbol.' },
    });
    expect((await get('/api/v3/depth')).body.code).toBe(-1102);
    expect((await get('/api/v3/depth?symbol=BTCUSDT&limit=abc')).body.code).toBe(-1130);
    expect((await get('/api/v3/depth?symbol=BTCUSDT&symbol=ETHUSDT')).body.code).toBe(-1101);
    expect((await get('/api/v3/exchangeInfo?symbols=[broken')).body.code).toBe(-1130);
    expect((await get('/api/v3/nothing-here')).status).toBe(404);
    expect((await get('/api/v3/account')).body.code).toBe(-2014);
    const garbage = await get('/api/v3/order', {
      method: 'POST',
      headers: { 'X-MBX-APIKEY': TRADER.apiKey, 'Content-Type': 'application/x-www-form-urlencoded' },
      body: '%%%&&&==\u0000{"json":true}',
    });
    expect(garbage.status).toBe(400);
    expect(typeof garbage.body.code).toBe('number');
    // Still serving.
    expect((await get('/api/v3/ping')).body).toEqual({});
  });

  it('validates order parameters the Binance way', async () => {
    const raw = binanceClient(simulator);
    await raw.loadMarkets();
    const place = (params: Record<string, string>) =>
      raw.privatePostOrder({ symbol: 'BTCUSDT', side: 'BUY', ...params }).catch((e: unknown) => e);
    const message = (e: unknown) => (e instanceof Error ? e.message : '');
    expect(message(await place({ type: 'LIMIT', quantity: '0.001', price: '50000' }))).toContain('-1102');
    expect(
      message(await place({ type: 'LIMIT', timeInForce: 'GTC', quantity: '1e3', price: '50000' })),
    ).toContain('-1100');
    expect(message(await place({ type: 'STOP_LOSS', quantity: '0.001' }))).toContain('-1013');
    expect(message(await place({ type: 'WHATEVER', quantity: '0.001' }))).toContain('-1116');
    expect(
      message(await place({ type: 'LIMIT', timeInForce: 'GTX', quantity: '0.001', price: '50000' })),
    ).toContain('-1115');
    expect(
      await place({ type: 'LIMIT', timeInForce: 'GTC', quantity: '0.001', price: '50000.001' }),
    ).toBeInstanceOf(ccxt.InvalidOrder);
    expect(
      await place({ type: 'LIMIT', timeInForce: 'GTC', quantity: '0.0000001', price: '50000' }),
    ).toBeInstanceOf(ccxt.InvalidOrder);
    await raw.close();
  });
});
