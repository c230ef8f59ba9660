import { describe, expect, it } from 'vitest';
import { validatePayload } from '../payload-decoder.js';
import { ExecutionEventV1 } from './execution.schema.js';
import {
  CancelOrderRequestV1,
  CreateOrderRequestV1,
  InstrumentSpecV1,
  SimulateDepositRequestV1,
  VENUE_OP_NAMES,
  VENUE_OPS,
} from './venue-rpc.schema.js';

const origin = { flowId: 'flow-1', step: 0, child: 0 };

describe('venue RPC schemas', () => {
  it('accepts a limit order with decimal strings', () => {
    const request = {
      v: 1,
      origin,
      instrument: 'BTC/USDT',
      side: 'buy',
      kind: 'limit',
      amount: '0.01',
      price: '60000.5',
    };
    expect(validatePayload(CreateOrderRequestV1, request).ok).toBe(true);
  });

  it('names every failing field of a bad order', () => {
    const result = validatePayload(CreateOrderRequestV1, {
      v: 1,
      origin: { flowId: 'has space', step: -1, child: 0 },
      instrument: 'btcusdt',
      side: 'long',
      kind: 'limit',
      amount: 0.01,
    });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    const fields = result.details.map((detail) => detail.split(':')[0]);
    expect(fields).toEqual(
      expect.arrayContaining(['origin.flowId', 'origin.step', 'instrument', 'side', 'amount']),
    );
  });

  it('refuses a limit order without a price and a market order with one', () => {
    const base = { v: 1, origin, instrument: 'BTC/USDT', side: 'sell', amount: '1' };
    const limit = validatePayload(CreateOrderRequestV1, { ...base, kind: 'limit' });
    const market = validatePayload(CreateOrderRequestV1, { ...base, kind: 'market', price: '1' });
    expect(limit.ok ? [] : limit.details).toEqual(['price: a limit order needs a price']);
    expect(market.ok ? [] : market.details).toEqual(['price: a market order takes no price']);
  });

  it('refuses zero and negative amounts', () => {
    const base = { v: 1, origin, instrument: 'BTC/USDT', side: 'sell', kind: 'market' };
    for (const amount of ['0', '-1', '0.000']) {
      expect(validatePayload(CreateOrderRequestV1, { ...base, amount }).ok).toBe(false);
    }
  });

  it('needs a client or venue order id to cancel', () => {
    const result = validatePayload(CancelOrderRequestV1, { v: 1, instrument: 'BTC/USDT' });
    expect(result.ok ? [] : result.details).toEqual([
      'clientOrderId: clientOrderId or venueOrderId is required',
    ]);
  });

  it('has a request and a result schema for every op, as subject tokens', () => {
    expect(VENUE_OP_NAMES).toEqual([
      'create-order',
      'cancel-order',
      'edit-order',
      'fetch-order',
      'fetch-open-orders',
      'fetch-my-trades',
      'fetch-balance',
      'fetch-positions',
      'transfer',
      'fetch-deposit-address',
      'fetch-deposits',
      'fetch-instruments',
      'simulate-deposit',
      'status',
    ]);
    for (const op of VENUE_OP_NAMES) {
      expect(op).toMatch(/^[a-z-]+$/);
      expect(VENUE_OPS[op].request).toBeDefined();
      expect(VENUE_OPS[op].result).toBeDefined();
    }
  });
});

describe('instrument and deposit schemas', () => {
  const spec = {
    symbol: 'BTC/USDT',
    base: 'BTC',
    quote: 'USDT',
    tickSize: '0.01',
    lotSize: '0.00001',
    minAmount: '0.00001',
    minNotional: '5',
    active: true,
  };

  it('accepts an instrument spec, with null where the venue states no rule', () => {
    expect(validatePayload(InstrumentSpecV1, spec).ok).toBe(true);
    const bare = { ...spec, tickSize: null, lotSize: null, minAmount: null, minNotional: null };
    expect(validatePayload(InstrumentSpecV1, bare).ok).toBe(true);
    expect(validatePayload(VENUE_OPS['fetch-instruments'].result, { instruments: [spec, bare] }).ok).toBe(
      true,
    );
  });

  it('refuses float increments, exponents and a non-unified symbol', () => {
    const result = validatePayload(InstrumentSpecV1, {
      ...spec,
      symbol: 'BTCUSDT',
      tickSize: 0.01,
      lotSize: '1e-5',
    });
    expect(result.ok ? [] : result.details.map((d) => d.split(':')[0])).toEqual([
      'symbol',
      'tickSize',
      'lotSize',
    ]);
    const { active: _active, ...withoutActive } = spec;
    expect(validatePayload(InstrumentSpecV1, withoutActive).ok).toBe(false);
  });

  it('takes a positive simulated deposit, address and network optional', () => {
    expect(validatePayload(SimulateDepositRequestV1, { v: 1, currency: 'USDT', amount: '25.5' }).ok).toBe(
      true,
    );
    const full = { v: 1, currency: 'USDT', amount: '1', address: '0xabc', network: 'ETH' };
    expect(validatePayload(SimulateDepositRequestV1, full).ok).toBe(true);
    for (const amount of ['0', '-5', 5])
      expect(validatePayload(SimulateDepositRequestV1, { v: 1, currency: 'USDT', amount }).ok).toBe(false);
    const deposit = {
      depositId: 'd-1',
      currency: 'USDT',
      amount: '1',
      address: '0xabc',
      txId: null,
      status: 'pending',
      tsEvent: 1,
    };
    expect(validatePayload(VENUE_OPS['simulate-deposit'].result, deposit).ok).toBe(true);
    expect(validatePayload(VENUE_OPS['fetch-deposits'].result, { deposits: [deposit] }).ok).toBe(true);
  });
});

describe('ExecutionEventV1', () => {
  const order = {
    clientOrderId: 'tm0123',
    venueOrderId: '42',
    instrument: 'BTC/USDT',
    side: 'buy',
    kind: 'limit',
    timeInForce: 'GTC',
    price: '100',
    amount: '1',
    filled: '0.5',
    status: 'open',
  };
  const base = { v: 1, eventId: 'e-1', venue: 'binance', account: 'main', tsEvent: 1, tsInit: 2 };

  it('accepts a fill flagged reconciled', () => {
    const fill = {
      tradeId: '7',
      price: '100',
      amount: '0.5',
      feeCost: null,
      feeCurrency: null,
      liquidity: 'maker',
    };
    const result = validatePayload(ExecutionEventV1, {
      ...base,
      type: 'OrderFilled',
      order,
      fill,
      reconciled: true,
    });
    expect(result.ok).toBe(true);
  });

  it('refuses an unknown event type and a float amount', () => {
    expect(
      validatePayload(ExecutionEventV1, { ...base, type: 'OrderExploded', order, reconciled: false }).ok,
    ).toBe(false);
    const floaty = { ...order, amount: 1 };
    const result = validatePayload(ExecutionEventV1, {
      ...base,
      type: 'OrderAccepted',
      order: floaty,
      reconciled: false,
    });
    expect(result.ok ? [] : result.details).toEqual([
      'order.amount: Invalid input: expected string, received number',
    ]);
  });
});
