// The exchange simulator with one trading account and one counterparty, and the ccxt adapter of the
// trading account pointed at it: what the sim-backed integration tests of the service share.
import { BinanceSimulator, type BinanceSimulatorOptions } from '@tm/exchange-simulator';
import { SPOT_INSTRUMENTS } from '@tm/matching';
import { CcxtVenueAdapter } from '@tm/venues';

const { 'BTC/USDT': BTC_USDT, 'ETH/USDT': ETH_USDT } = SPOT_INSTRUMENTS;
export const TRADER = { apiKey: 'vc-trader-key', secret: 'vc-trader-secret', account: 'vc-trader' };
export const COUNTERPARTY = { apiKey: 'vc-other-key', secret: 'vc-other-secret', account: 'vc-other' };

export function startBinance(options: Partial<BinanceSimulatorOptions> = {}): Promise<BinanceSimulator> {
  return BinanceSimulator.start({
    instruments: [BTC_USDT, ETH_USDT],
    accounts: [
      { ...TRADER, balances: { USDT: '10000000', BTC: '1000' } },
      { ...COUNTERPARTY, balances: { USDT: '10000000', BTC: '1000' } },
    ],
    limits: false,
    ...options,
  });
}

export function traderAdapter(
  simulator: BinanceSimulator,
  opts: { timeoutMs?: number; enableRateLimit?: boolean } = {},
): CcxtVenueAdapter {
  return new CcxtVenueAdapter({
    exchangeId: 'binance',
    credentials: { apiKey: TRADER.apiKey, secret: TRADER.secret },
    apiUrl: simulator.httpUrl,
    enableRateLimit: opts.enableRateLimit ?? false,
    ...(opts.timeoutMs !== undefined ? { timeoutMs: opts.timeoutMs } : {}),
  });
}

/** A trade between the counterparty's two sides at `price`, straight on the engine (the market moving). */
export function printTrade(simulator: BinanceSimulator, price: string, amount = '0.001'): void {
  simulator.exchange.placeOrder(COUNTERPARTY.account, {
    instrument: BTC_USDT.symbol,
    side: 'sell',
    type: 'limit',
    price,
    amount,
    timeInForce: 'GTC',
  });
  simulator.exchange.placeOrder(COUNTERPARTY.account, {
    instrument: BTC_USDT.symbol,
    side: 'buy',
    type: 'limit',
    price,
    amount,
    timeInForce: 'IOC',
  });
}
