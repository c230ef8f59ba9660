// Shared by the e2e specs: a simulator with two instruments and two accounts, and a real ccxt
// binance client pointed at it.
import { SPOT_INSTRUMENTS, type InstrumentSpec } from '@tm/matching';
import { pointCcxtAt } from '@tm/venues';
import ccxt from 'ccxt';

import { BinanceSimulator, type BinanceSimulatorOptions } from '../src/index.js';

export const INSTRUMENTS: InstrumentSpec[] = [SPOT_INSTRUMENTS['BTC/USDT'], SPOT_INSTRUMENTS['ETH/USDT']];

export const TRADER = { apiKey: 'trader-key', secret: 'trader-secret', account: 'trader' };
export const MAKER = { apiKey: 'maker-key', secret: 'maker-secret', account: 'maker' };
export const SUB_ACCOUNT = 'sub1@sim.local';

export type BinanceClient = InstanceType<typeof ccxt.pro.binance>;

export function startSimulator(options: Partial<BinanceSimulatorOptions> = {}): Promise<BinanceSimulator> {
  return BinanceSimulator.start({
    instruments: INSTRUMENTS,
    accounts: [
      { ...TRADER, balances: { USDT: '100000', BTC: '2' }, subAccounts: [SUB_ACCOUNT] },
      { ...MAKER, balances: { USDT: '1000000', BTC: '100', ETH: '1000' } },
    ],
    limits: false,
    ...options,
  });
}

/** Unmodified ccxt binance, with the options that keep loadMarkets to one exchangeInfo call. */
export function binanceClient(
  simulator: BinanceSimulator,
  credentials: { apiKey: string; secret: string } = TRADER,
  extra: { timeout?: number; realErrorTable?: boolean } = {},
): BinanceClient {
  const exchange = new ccxt.pro.binance({
    apiKey: credentials.apiKey,
    secret: credentials.secret,
    timeout: extra.timeout ?? 10_000,
    options: {
      fetchMarkets: { types: ['spot'] },
      fetchCurrencies: false,
      fetchMargins: false,
      adjustForTimeDifference: false,
    },
  });
  pointCcxtAt(exchange, simulator.httpUrl);
  if (extra.realErrorTable === true) useSpotErrorTable(exchange);
  return exchange;
}

/**
 * ccxt picks binance's spot error table by hostname (https://api.binance.com/...), which a local URL
 * never matches; merging the spot table into the generic one maps codes as on the real host.
 */
export function useSpotErrorTable(exchange: BinanceClient): void {
  const exceptions = exchange.exceptions as Record<string, Record<string, unknown>>;
  const spot = exceptions.spot as Record<string, Record<string, unknown>> | undefined;
  exceptions.exact = { ...exceptions.exact, ...(spot?.exact ?? {}) };
  exceptions.broad = { ...exceptions.broad, ...(spot?.broad ?? {}) };
}

/** A ccxt order's id (typed optional by ccxt; always present for binance orders). */
export function idOf(order: { id?: string }): string {
  if (order.id === undefined) throw new Error('order without an id');
  return order.id;
}
