import ccxt from 'ccxt';
import { describe, expect, it } from 'vitest';
import { createCcxtExchange, exchangeClassFor } from './ccxt-exchange-factory.js';

describe('createCcxtExchange', () => {
  it('refuses an unknown exchange id and says how to list the valid ones', () => {
    expect(() => exchangeClassFor('nosuchvenue')).toThrow(
      /unknown ccxt exchange id "nosuchvenue".*binance, bybit, okx.*exchanges/,
    );
    expect(() => exchangeClassFor('toString')).toThrow(/unknown ccxt exchange id/);
  });

  it('builds ccxt.pro instances for binance, bybit and okx with quiet-start defaults the caller can override', () => {
    const binance = createCcxtExchange({ exchangeId: 'binance', options: { fetchCurrencies: true } });
    expect(binance.has['watchOrderBook']).toBe(true);
    expect(binance.options['fetchMarkets']).toMatchObject({ types: ['spot'] });
    expect(binance.options['fetchCurrencies']).toBe(true);
    expect(binance.options['warnOnFetchOpenOrdersWithoutSymbol']).toBe(false);
    expect(binance.enableRateLimit).toBe(false);
    const swap = createCcxtExchange({ exchangeId: 'binance', defaultType: 'swap' });
    expect(swap.options['fetchMarkets']).toMatchObject({ types: ['linear'] });
    expect(createCcxtExchange({ exchangeId: 'bybit' }).options['fetchMarkets']).toMatchObject({
      types: ['spot'],
    });
    expect(createCcxtExchange({ exchangeId: 'okx' }).options['fetchMarkets']).toMatchObject({
      types: ['spot'],
    });
  });

  it('points every URL at apiUrl and keeps Binance error codes mapped as on the real host', () => {
    const binance = createCcxtExchange({ exchangeId: 'binance', apiUrl: 'http://127.0.0.1:9999' });
    const api = binance.urls.api as unknown as Record<string, unknown>;
    expect(api['public']).toBe('http://127.0.0.1:9999/api/v3');
    expect(api['sapi']).toBe('http://127.0.0.1:9999/sapi/v1');
    const getExceptionsByUrl = (binance as unknown as Record<string, (url: string, kind: string) => unknown>)[
      'getExceptionsByUrl'
    ];
    const table = getExceptionsByUrl?.call(
      binance,
      'http://127.0.0.1:9999/sapi/v1/capital/deposit/address',
      'exact',
    );
    expect(table).toHaveProperty('-5002');
    const plain = createCcxtExchange({ exchangeId: 'binance' });
    expect((plain.urls.api as unknown as Record<string, unknown>)['public']).toBe(
      'https://api.binance.com/api/v3',
    );
  });
});

describe('signing with Node crypto', () => {
  it('gives the same signatures as ccxt for every hash and output it takes over', async () => {
    const { sha256, sha384, sha512 } = await import('@noble/hashes/sha2.js');
    const ours = createCcxtExchange({ exchangeId: 'binance' });
    const reference = new ccxt.binance();
    for (const hash of [sha256, sha384, sha512])
      for (const digest of ['hex', 'base64'] as const) {
        const message = 'symbol=BTCUSDT&side=BUY&quantity=0.01&timestamp=1700000000000';
        expect(ours.hmac(ours.encode(message), ours.encode('secret'), hash, digest)).toBe(
          reference.hmac(reference.encode(message), reference.encode('secret'), hash, digest),
        );
      }
  });
});
