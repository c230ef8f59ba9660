import ccxt from 'ccxt';
import { describe, expect, it } from 'vitest';
import type { VenueAdapter } from '../../adapter/venue-adapter.js';
import { CcxtVenueAdapter } from '../ccxt-venue-adapter.js';
import { instrumentOfMarket, instrumentsOfMarkets } from './fetch-instruments.operation.js';

// Markets as ccxt's loadMarkets leaves them; the exchanges are built offline (nothing is fetched).
const btc = {
  symbol: 'BTC/USDT',
  base: 'BTC',
  quote: 'USDT',
  active: true,
  precision: { price: 0.01, amount: 1e-5 },
  limits: { amount: { min: 0.00001, max: 9000 }, cost: { min: 5, max: undefined } },
};

describe('ccxt markets → instrument specs', () => {
  it('reads tick and lot sizes in TICK_SIZE mode as exact decimal strings', () => {
    const binance = new ccxt.binance();
    expect(binance.precisionMode).toBe(ccxt.TICK_SIZE);
    expect(instrumentOfMarket(binance, btc)).toEqual({
      symbol: 'BTC/USDT',
      base: 'BTC',
      quote: 'USDT',
      tickSize: '0.01',
      lotSize: '0.00001',
      minAmount: '0.00001',
      minNotional: '5',
      active: true,
    });
    // Doubles whose shortest form is not their exact binary value, and exponent-sized steps.
    const odd = { ...btc, precision: { price: 0.1, amount: 1e-8 }, limits: { cost: { min: 0.3 } } };
    expect(instrumentOfMarket(binance, odd)).toMatchObject({
      tickSize: '0.1',
      lotSize: '0.00000001',
      minAmount: null,
      minNotional: '0.3',
    });
  });

  it('turns DECIMAL_PLACES into 10^-n and leaves SIGNIFICANT_DIGITS without a grid', () => {
    const places = new ccxt.binance();
    places.precisionMode = ccxt.DECIMAL_PLACES;
    const market = { ...btc, precision: { price: 2, amount: 8 } };
    expect(instrumentOfMarket(places, market)).toMatchObject({ tickSize: '0.01', lotSize: '0.00000001' });
    expect(instrumentOfMarket(places, { ...market, precision: { price: 0, amount: 3 } })).toMatchObject({
      tickSize: '1',
      lotSize: '0.001',
    });
    const digits = new ccxt.binance();
    digits.precisionMode = ccxt.SIGNIFICANT_DIGITS;
    expect(instrumentOfMarket(digits, market)).toMatchObject({ tickSize: null, lotSize: null });
  });

  it('has null where the venue states no rule, and inactive only when the venue says so', () => {
    const binance = new ccxt.binance();
    const bare = { symbol: 'ETH/BTC', base: 'ETH', quote: 'BTC', precision: {}, limits: {} };
    expect(instrumentOfMarket(binance, bare)).toEqual({
      symbol: 'ETH/BTC',
      base: 'ETH',
      quote: 'BTC',
      tickSize: null,
      lotSize: null,
      minAmount: null,
      minNotional: null,
      active: true,
    });
    expect(instrumentOfMarket(binance, { ...btc, active: false })?.active).toBe(false);
    expect(instrumentOfMarket(binance, { ...btc, active: undefined })?.active).toBe(true);
    expect(
      instrumentOfMarket(binance, { ...btc, limits: { amount: { min: 0 }, cost: { min: 0 } } }),
    ).toMatchObject({ minAmount: null, minNotional: null });
  });

  it('lists every market the platform can name, in symbol order', () => {
    const binance = new ccxt.binance();
    const markets = {
      'SOL/USDT': { ...btc, symbol: 'SOL/USDT', base: 'SOL' },
      'BTC/USDT:USDT-250926': { ...btc, symbol: 'BTC/USDT:USDT-250926' },
      'BTC/USDT': btc,
      'BTC/USDT:USDT': { ...btc, symbol: 'BTC/USDT:USDT' },
    };
    expect(instrumentsOfMarkets(binance, markets).map((i) => i.symbol)).toEqual([
      'BTC/USDT',
      'BTC/USDT:USDT',
      'SOL/USDT',
    ]);
  });
});

describe('CcxtVenueAdapter.fetchInstruments', () => {
  it('answers from the markets loaded on connect, and has no simulated deposits', async () => {
    const adapter = new CcxtVenueAdapter({ exchangeId: 'binance' });
    try {
      // What connect() leaves behind, without the network.
      adapter.exchanges.data.setMarkets([{ ...btc, id: 'BTCUSDT', spot: true, type: 'spot' }]);
      const instruments = await adapter.fetchInstruments();
      expect(instruments.map((i) => [i.symbol, i.tickSize, i.lotSize, i.minNotional])).toEqual([
        ['BTC/USDT', '0.01', '0.00001', '5'],
      ]);
      expect((adapter as VenueAdapter).simulateDeposit).toBeUndefined();
    } finally {
      await adapter.close();
    }
  });
});
