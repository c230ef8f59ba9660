import { parsePattern, STREAMS } from '@tm/push';
import { describe, expect, it } from 'vitest';
import {
  FLOW_VERBS,
  isRole,
  mayControl,
  mayReadStream,
  mayUseVerb,
  mayWatch,
  streamsReadableBy,
} from './roles.js';

describe('role policy', () => {
  it('lets a viewer read market streams and system, and use no verb', () => {
    expect(streamsReadableBy('viewer')).toEqual(['ticker', 'book', 'candles', 'trades', 'arb', 'system']);
    expect(mayReadStream('viewer', 'orders')).toBe(false);
    expect(mayReadStream('viewer', 'logs')).toBe(false);
    expect(FLOW_VERBS.filter((verb) => mayUseVerb('viewer', verb))).toEqual([]);
    expect(mayControl('viewer')).toBe(false);
  });

  it('adds orders, flows and every verb for a trader, but not logs or control', () => {
    expect(streamsReadableBy('trader')).toEqual([
      'ticker',
      'book',
      'candles',
      'trades',
      'arb',
      'orders',
      'flows',
      'system',
    ]);
    expect(FLOW_VERBS.every((verb) => mayUseVerb('trader', verb))).toBe(true);
    expect(mayReadStream('trader', 'logs')).toBe(false);
    expect(mayControl('trader')).toBe(false);
  });

  it('gives an admin everything', () => {
    expect(streamsReadableBy('admin')).toEqual([...STREAMS]);
    expect(FLOW_VERBS.every((verb) => mayUseVerb('admin', verb))).toBe(true);
    expect(mayControl('admin')).toBe(true);
  });

  it('lets only a role that reads every stream watch a wildcard stream', () => {
    expect(mayWatch('viewer', parsePattern('ticker/*/BTC/USDT'))).toBe(true);
    expect(mayWatch('viewer', parsePattern('orders/*/*'))).toBe(false);
    expect(mayWatch('trader', parsePattern('*/binance/*'))).toBe(false);
    expect(mayWatch('admin', parsePattern('*/*/*'))).toBe(true);
  });

  it('knows its roles', () => {
    expect(['viewer', 'trader', 'admin'].every(isRole)).toBe(true);
    expect(isRole('root')).toBe(false);
    expect(isRole(undefined)).toBe(false);
  });
});
