import { describe, expect, it } from 'vitest';

import { ExchangeRejection } from './exchange-rejection.js';
import { PaperExchange } from './paper-exchange.js';

const SPEC = {
  symbol: 'BTC/USDT',
  base: 'BTC',
  quote: 'USDT',
  tickSize: '0.01',
  lotSize: '0.0001',
  minNotional: '1',
};

describe('PaperExchange accounts', () => {
  it('credits record deposits with a stable address and a distinct id and txId', () => {
    const ex = new PaperExchange({ instruments: [SPEC], clock: () => 42 });
    const d1 = ex.credit('alice', 'BTC', '1.5');
    const d2 = ex.credit('alice', 'USDT', '100');
    const d3 = ex.credit('alice', 'BTC', '0.5');
    expect(d1).toMatchObject({ account: 'alice', currency: 'BTC', amount: '1.5', network: 'BTC', time: 42 });
    expect(d1.address).toBe(d3.address);
    expect(new Set([d1.depositId, d2.depositId, d3.depositId]).size).toBe(3);
    expect(d1.txId).not.toBe(d3.txId);
    expect(ex.deposits('alice').map((d) => d.depositId)).toEqual([d1.depositId, d2.depositId, d3.depositId]);
    expect(ex.deposits('alice', 'BTC')).toHaveLength(2);
    expect(ex.deposits('nobody')).toEqual([]);
    expect(ex.balances('alice')).toEqual([
      { currency: 'BTC', free: '2', locked: '0' },
      { currency: 'USDT', free: '100', locked: '0' },
    ]);
    expect(ex.balances('nobody')).toEqual([]);
  });

  it('deposit addresses are deterministic per (account, currency, network) and shaped per network', () => {
    const a = new PaperExchange({ instruments: [SPEC] });
    const b = new PaperExchange({ instruments: [SPEC] });
    expect(a.depositAddress('alice', 'BTC')).toEqual(b.depositAddress('alice', 'BTC'));
    expect(a.depositAddress('alice', 'BTC').address).toMatch(/^bc1q[a-z0-9]{38}$/);
    expect(a.depositAddress('alice', 'USDT')).toMatchObject({
      network: 'ETH',
      address: expect.stringMatching(/^0x[0-9a-f]{40}$/),
    });
    expect(a.depositAddress('alice', 'USDT', 'TRX').address).toMatch(/^T/);
    expect(a.depositAddress('bob', 'USDT').address).not.toBe(a.depositAddress('alice', 'USDT').address);
    const xrp = a.depositAddress('alice', 'XRP');
    expect(xrp.tag).toMatch(/^\d+$/);
    expect(a.depositAddress('bob', 'XRP').address).toBe(xrp.address);
    expect(a.depositAddress('bob', 'XRP').tag).not.toBe(xrp.tag);
  });

  it('transfers move free balance between accounts, refusing more than is free', () => {
    const ex = new PaperExchange({ instruments: [SPEC], clock: () => 7 });
    ex.credit('main', 'USDT', '100');
    ex.placeOrder('main', { instrument: 'BTC/USDT', side: 'buy', type: 'limit', price: '10', amount: '5' });
    const transfer = ex.transfer('main', 'sub1', 'USDT', '30');
    expect(transfer).toMatchObject({ from: 'main', to: 'sub1', currency: 'USDT', amount: '30', time: 7 });
    expect(ex.balances('sub1')).toEqual([{ currency: 'USDT', free: '30', locked: '0' }]);
    let error: unknown;
    try {
      ex.transfer('main', 'sub1', 'USDT', '30.01');
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ExchangeRejection);
    expect((error as ExchangeRejection).code).toBe('INSUFFICIENT_FUNDS');
    expect(() => ex.transfer('main', 'sub1', 'USDT', '-1')).toThrow(ExchangeRejection);
    expect(ex.balances('main').find((b) => b.currency === 'USDT')).toEqual({
      currency: 'USDT',
      free: '20',
      locked: '50',
    });
  });

  it('refuses a non-positive credit', () => {
    const ex = new PaperExchange({ instruments: [SPEC] });
    expect(() => ex.credit('a', 'BTC', '0')).toThrow(ExchangeRejection);
  });
});
