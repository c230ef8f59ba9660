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

  it('credits are ok at once', () => {
    const ex = new PaperExchange({ instruments: [SPEC], clock: () => 42 });
    expect(ex.credit('alice', 'BTC', '1')).toMatchObject({ status: 'ok', time: 42, confirmAt: 42 });
  });

  it('an incoming deposit is pending until the confirmation delay passed, then credited once', () => {
    let now = 1_000_000;
    const ex = new PaperExchange({ instruments: [SPEC], clock: () => now, depositConfirmationMs: 1_500 });
    ex.credit('alice', 'USDT', '10');
    const address = ex.depositAddress('alice', 'USDT', 'TRX');
    const deposit = ex.receiveDeposit('alice', 'USDT', '25.5', { address: address.address, network: 'trx' });
    expect(deposit).toMatchObject({
      account: 'alice',
      currency: 'USDT',
      amount: '25.5',
      address: address.address,
      network: 'TRX',
      status: 'pending',
      time: 1_000_000,
      confirmAt: 2_500_000,
    });
    const usdt = () => ex.balances('alice').find((b) => b.currency === 'USDT')?.free;
    now += 1_499_999;
    expect(usdt()).toBe('10');
    expect(ex.deposits('alice', 'USDT').map((d) => d.status)).toEqual(['ok', 'pending']);
    now += 1;
    expect(ex.deposits('alice', 'USDT').map((d) => d.status)).toEqual(['ok', 'ok']);
    expect(usdt()).toBe('35.5');
    now += 10_000_000;
    expect(usdt()).toBe('35.5');
    expect(ex.deposits('alice')).toHaveLength(2);
    // What was handed out before stays as it was.
    expect(deposit.status).toBe('pending');
  });

  it('a confirmed deposit is spendable by the next order without a read first', () => {
    let now = 0;
    const ex = new PaperExchange({ instruments: [SPEC], clock: () => now });
    ex.receiveDeposit('bob', 'USDT', '100');
    const buy = { instrument: 'BTC/USDT', side: 'buy', type: 'limit', price: '10', amount: '5' } as const;
    expect(() => ex.placeOrder('bob', buy)).toThrow(/has 0 USDT free/);
    now = 2_000_000;
    expect(ex.placeOrder('bob', buy).order.status).toBe('NEW');
    expect(ex.balances('bob').find((b) => b.currency === 'USDT')).toEqual({
      currency: 'USDT',
      free: '50',
      locked: '50',
    });
  });

  it('with no confirmation delay an incoming deposit is ok at once', () => {
    const ex = new PaperExchange({ instruments: [SPEC], clock: () => 5, depositConfirmationMs: 0 });
    expect(ex.receiveDeposit('carol', 'BTC', '0.1')).toMatchObject({ status: 'ok', confirmAt: 5 });
    expect(ex.balances('carol')).toEqual([{ currency: 'BTC', free: '0.1', locked: '0' }]);
  });

  it('refuses a deposit to an address that is not the account’s, and a bad delay', () => {
    const ex = new PaperExchange({ instruments: [SPEC] });
    const bobs = ex.depositAddress('bob', 'USDT').address;
    expect(() => ex.receiveDeposit('alice', 'USDT', '1', { address: bobs })).toThrow(
      expect.objectContaining({ code: 'INVALID_ORDER', field: 'address' }),
    );
    // The address on another network than the one asked for is not it either.
    const trx = ex.depositAddress('alice', 'USDT', 'TRX').address;
    expect(() => ex.receiveDeposit('alice', 'USDT', '1', { address: trx })).toThrow(ExchangeRejection);
    expect(() => ex.receiveDeposit('alice', 'USDT', '0')).toThrow(ExchangeRejection);
    expect(ex.deposits('alice')).toEqual([]);
    expect(() => new PaperExchange({ instruments: [SPEC], depositConfirmationMs: -1 })).toThrow(RangeError);
  });

  it('refuses a non-positive credit', () => {
    const ex = new PaperExchange({ instruments: [SPEC] });
    expect(() => ex.credit('a', 'BTC', '0')).toThrow(ExchangeRejection);
  });
});
