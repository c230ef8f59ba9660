import { describe, expect, it } from 'vitest';
import { PushError } from '../push.error.js';
import { formatTopic, isStateStream, matchesPattern, parsePattern, parseTopic } from './topic.js';

describe('topics', () => {
  it('reads <stream>/<source>/<key>, the key keeping its own slashes and colons', () => {
    expect(parseTopic('ticker/binance/BTC/USDT')).toEqual({
      stream: 'ticker',
      source: 'binance',
      key: 'BTC/USDT',
    });
    expect(parseTopic('book/*/ETH/USDT:USDT')).toEqual({ stream: 'book', source: '*', key: 'ETH/USDT:USDT' });
    expect(parseTopic('trades/fix:lp1/BTC/USD').source).toBe('fix:lp1');
    expect(formatTopic(parseTopic('orders/binance/acct-7'))).toBe('orders/binance/acct-7');
  });

  it.each([
    ['ticker', 'stream'],
    ['quotes/binance/BTC/USDT', 'stream'],
    ['ticker/bin ance/BTC/USDT', 'source'],
    ['ticker/binance/', 'key'],
    ['ticker/binance/BTC*', 'key'],
    ['*/binance/BTC/USDT', 'stream'],
    ['ticker/binance/*', 'key'],
  ])('refuses the topic %j, naming the %s level', (text, field) => {
    try {
      parseTopic(text);
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(PushError);
      expect((error as PushError).field).toBe(field);
      expect((error as PushError).message).toContain(`topic "${text}"`);
    }
  });

  it('takes * at any level of a pattern, for the subtree below it', () => {
    const all = parsePattern('*/*/*');
    const tickers = parsePattern('ticker/*/BTC/USDT');
    const binance = parsePattern('*/binance/*');
    const consolidated = parseTopic('ticker/*/BTC/USDT');
    const venue = parseTopic('ticker/binance/BTC/USDT');
    const other = parseTopic('trades/okx/ETH/USDT');
    expect([consolidated, venue, other].map((t) => matchesPattern(all, t))).toEqual([true, true, true]);
    expect([consolidated, venue, other].map((t) => matchesPattern(tickers, t))).toEqual([true, true, false]);
    expect([consolidated, venue, other].map((t) => matchesPattern(binance, t))).toEqual([false, true, false]);
  });

  it('tells state streams (conflated) from event streams (every event, sequenced)', () => {
    expect(['ticker', 'book', 'candles'].every((s) => isStateStream(s as 'ticker'))).toBe(true);
    expect(
      ['trades', 'arb', 'orders', 'flows', 'system', 'logs'].some((s) => isStateStream(s as 'trades')),
    ).toBe(false);
  });
});
