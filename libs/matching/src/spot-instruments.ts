import type { InstrumentSpec } from './instrument-spec.js';

/**
 * The spot instruments the paper venue lists and the exchange simulator serves, with Binance's grids,
 * written once: the venue, the simulator and the tests that drive them agree on every tick and lot.
 */
export const SPOT_INSTRUMENTS = {
  'BTC/USDT': {
    symbol: 'BTC/USDT',
    base: 'BTC',
    quote: 'USDT',
    tickSize: '0.01',
    lotSize: '0.00001',
    minNotional: '5',
  },
  'ETH/USDT': {
    symbol: 'ETH/USDT',
    base: 'ETH',
    quote: 'USDT',
    tickSize: '0.01',
    lotSize: '0.0001',
    minNotional: '5',
  },
  'SOL/USDT': {
    symbol: 'SOL/USDT',
    base: 'SOL',
    quote: 'USDT',
    tickSize: '0.01',
    lotSize: '0.001',
    minNotional: '5',
  },
} as const satisfies Record<string, InstrumentSpec>;
