import { describe, expect, it } from 'vitest';

import { BinanceError } from '../binance-error.js';
import { Authenticator, hmacHex } from './signature.js';

const ACCOUNT = { apiKey: 'key', secret: 'secret', account: 'acct' };
const NOW = 1_700_000_000_000;

function codeOf(fn: () => unknown): number | undefined {
  try {
    fn();
    return undefined;
  } catch (error) {
    return error instanceof BinanceError ? error.code : NaN;
  }
}

describe('Authenticator', () => {
  const auth = new Authenticator([ACCOUNT]);

  it('accepts a signature over query + body exactly as sent, wherever the signature is', () => {
    const body = `symbol=BTCUSDT&quantity=1&timestamp=${NOW}`;
    const signature = hmacHex('secret', body);
    expect(codeOf(() => auth.verifyRest(ACCOUNT, '', `${body}&signature=${signature}`, NOW))).toBeUndefined();
    const query = `symbol=BTCUSDT&timestamp=${NOW}&recvWindow=10000`;
    expect(
      codeOf(() =>
        auth.verifyRest(ACCOUNT, `${query}&signature=${hmacHex('secret', query)}`, '', NOW + 9_000),
      ),
    ).toBeUndefined();
    const split = hmacHex('secret', `a=1&timestamp=${NOW}` + 'b=2');
    expect(
      codeOf(() => auth.verifyRest(ACCOUNT, `a=1&timestamp=${NOW}`, `b=2&signature=${split}`, NOW)),
    ).toBeUndefined();
  });

  it('refuses a wrong signature (-1022), a missing one (-1102) and bad timestamps (-1021)', () => {
    const body = `timestamp=${NOW}`;
    expect(
      codeOf(() => auth.verifyRest(ACCOUNT, '', `${body}&signature=${hmacHex('other', body)}`, NOW)),
    ).toBe(-1022);
    expect(codeOf(() => auth.verifyRest(ACCOUNT, '', body, NOW))).toBe(-1102);
    const signed = `${body}&signature=${hmacHex('secret', body)}`;
    expect(codeOf(() => auth.verifyRest(ACCOUNT, '', signed, NOW + 5_001))).toBe(-1021);
    expect(codeOf(() => auth.verifyRest(ACCOUNT, '', signed, NOW - 1_001))).toBe(-1021);
    expect(codeOf(() => auth.verifyRest(ACCOUNT, '', signed.replace('%', ''), NOW))).toBeUndefined();
  });

  it('knows keys: -2014 without one, -2015 for an unknown one', () => {
    expect(codeOf(() => auth.account(undefined))).toBe(-2014);
    expect(codeOf(() => auth.account('nope'))).toBe(-2015);
    expect(auth.account('key').account).toBe('acct');
  });

  it('verifies ws-api params: sorted keys, signature excluded', () => {
    const params: Record<string, unknown> = { timestamp: NOW, apiKey: 'key' };
    const signature = hmacHex('secret', `apiKey=key&timestamp=${NOW}`);
    expect(auth.verifyWsParams({ ...params, signature }, NOW).account).toBe('acct');
    expect(codeOf(() => auth.verifyWsParams({ ...params, signature: 'bad' }, NOW))).toBe(-1022);
  });
});
