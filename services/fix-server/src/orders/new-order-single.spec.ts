import { describe, expect, it } from 'vitest';
import { parseNewOrderSingle } from './new-order-single.js';
import { idempotencyKeyOf, orderTagOf } from './order-keys.js';

const session = { key: 'PB1->TM', clientId: 'pb1', allowedAccounts: ['acc1', 'acc2'] };
const base = {
  ClOrdID: 'c-1',
  Account: 'acc1',
  Side: '1',
  Instrument: { Symbol: 'BTC/USDT' },
  OrderQtyData: { OrderQty: 1.5 },
  OrdType: '2',
  Price: 65000.5,
  TimeInForce: '1',
};
const parse = (extra: Record<string, unknown>) =>
  parseNewOrderSingle(session, { ...base, ...extra }, 'paper', 0);

describe('parseNewOrderSingle', () => {
  it('turns a limit buy into a buy flow with the tag, key and requester of the client', () => {
    const parsed = parse({});
    expect(parsed.ok).toBe(true);
    if (!parsed.ok) return;
    expect(parsed.command).toEqual({
      v: 1,
      type: 'start',
      idempotencyKey: 'fix:pb1:c-1',
      account: 'acc1',
      verb: 'buy',
      input: {
        venue: 'paper',
        instrument: 'BTC/USDT',
        kind: 'limit',
        price: '65000.5',
        makerOnly: false,
        tag: orderTagOf('pb1', 'c-1'),
        amount: '1.5',
      },
      requester: { kind: 'fix-session', id: 'PB1->TM' },
      causationId: 'c-1',
    });
  });

  it('makes a market sell on ExDestination, post-only from ExecInst 6 on a limit', () => {
    const sell = parse({
      Side: '2',
      OrdType: '1',
      Price: undefined,
      TimeInForce: '3',
      ExDestination: 'binance',
    });
    expect(sell.ok && sell.command.verb).toBe('sell');
    expect(sell.ok && sell.command.input).toMatchObject({ venue: 'binance', kind: 'market', amount: '1.5' });
    const maker = parse({ ExecInst: '6' });
    expect(maker.ok && maker.command.input['makerOnly']).toBe(true);
  });

  it('gives a limit order IOC or FOK from TimeInForce 3 or 4, and GTC (the default) from 0 or 1', () => {
    expect(parse({ TimeInForce: '3' })).toMatchObject({ command: { input: { timeInForce: 'IOC' } } });
    expect(parse({ TimeInForce: '4' })).toMatchObject({ command: { input: { timeInForce: 'FOK' } } });
    for (const tif of ['0', '1', undefined]) {
      const parsed = parse({ TimeInForce: tif });
      expect(parsed.ok && 'timeInForce' in parsed.command.input).toBe(false);
    }
  });

  it('hashes a key that does not fit the pattern and keeps tags distinct per client', () => {
    expect(idempotencyKeyOf('pb1', 'a:b c')).toMatch(/^fixh:[0-9a-f]{64}$/);
    expect(idempotencyKeyOf('p', 'b')).not.toBe(idempotencyKeyOf('p:b', ''));
    expect(orderTagOf('pb1', 'c-1')).not.toBe(orderTagOf('pb2', 'c-1'));
    expect(orderTagOf('pb1', 'c-1')).toMatch(/^[A-Za-z0-9_.:-]{1,64}$/);
  });

  it.each([
    [{ ClOrdID: undefined }, 99, 'ClOrdID(11)'],
    [{ Account: 'other' }, 15, 'Account(1)'],
    [{ Side: '5' }, 11, 'Side(54)'],
    [{ Instrument: { Symbol: 'btcusdt' } }, 1, 'Symbol(55)'],
    [{ OrderQtyData: { OrderQty: 0 } }, 13, 'OrderQty(38)'],
    [{ OrdType: '3' }, 11, 'OrdType(40)'],
    [{ Price: undefined }, 99, 'Price(44)'],
    [{ OrdType: '1' }, 11, 'Price(44)'],
    [{ TimeInForce: '3', ExecInst: '6' }, 11, 'TimeInForce(59)=3 (IOC)'],
    [{ TimeInForce: '4', OrdType: '1', Price: undefined }, 11, 'TimeInForce(59)=4 (FOK)'],
    [{ TimeInForce: '6' }, 11, 'TimeInForce(59)=6 (GTD)'],
    [{ OrdType: '1', Price: undefined, ExecInst: '6' }, 11, 'ExecInst(18)'],
    [{ ExDestination: 'bad venue' }, 99, 'ExDestination(100)'],
  ])('refuses %j with OrdRejReason %i naming the field', (extra, reason, field) => {
    const parsed = parse(extra);
    expect(parsed.ok).toBe(false);
    if (parsed.ok) return;
    expect(parsed.reason).toBe(reason);
    expect(parsed.text).toContain(field);
  });

  it('takes the only account of a session when Account is absent', () => {
    const one = parseNewOrderSingle(
      { ...session, allowedAccounts: ['solo'] },
      { ...base, Account: undefined },
      'paper',
      0,
    );
    expect(one.ok && one.command.account).toBe('solo');
    expect(parse({ Account: undefined }).ok).toBe(false);
  });
});
