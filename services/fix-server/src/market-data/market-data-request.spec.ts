import { describe, expect, it } from 'vitest';
import { parseMarketDataRequest } from './market-data-request.js';

/** A valid subscribe request as jspurefix decodes it; each test breaks one field. */
function v(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    StandardHeader: { MsgType: 'V' },
    MDReqID: 'req-1',
    SubscriptionRequestType: '1',
    MarketDepth: 5,
    MDUpdateType: 1,
    MDReqGrp: [{ MDEntryType: '0' }, { MDEntryType: '1' }, { MDEntryType: '2' }],
    InstrmtMDReqGrp: [{ Instrument: { Symbol: 'BTC/USDT' } }, { Instrument: { Symbol: 'ETH/USDT' } }],
    ...overrides,
  };
}

describe('parseMarketDataRequest', () => {
  it('reads a subscribe with incremental updates', () => {
    expect(parseMarketDataRequest(v())).toEqual({
      ok: true,
      request: {
        mdReqId: 'req-1',
        subscriptionRequestType: 'subscribe',
        depth: 5,
        updateType: 'incremental',
        entryTypes: ['0', '1', '2'],
        symbols: ['BTC/USDT', 'ETH/USDT'],
      },
    });
  });

  it('reads a snapshot without MDUpdateType, and a full-book depth of 0', () => {
    const parsed = parseMarketDataRequest(
      v({ SubscriptionRequestType: '0', MDUpdateType: undefined, MarketDepth: 0 }),
    );
    expect(parsed).toMatchObject({
      ok: true,
      request: { subscriptionRequestType: 'snapshot', depth: 0, updateType: undefined },
    });
  });

  it('reads full-refresh updates and accepts digits for INT fields', () => {
    const parsed = parseMarketDataRequest(v({ MDUpdateType: '0', MarketDepth: '1' }));
    expect(parsed).toMatchObject({ ok: true, request: { updateType: 'full', depth: 1 } });
  });

  it('deduplicates entry types and symbols', () => {
    const parsed = parseMarketDataRequest(
      v({
        MDReqGrp: [{ MDEntryType: '1' }, { MDEntryType: '1' }],
        InstrmtMDReqGrp: [{ Instrument: { Symbol: 'BTC/USDT' } }, { Instrument: { Symbol: 'BTC/USDT' } }],
      }),
    );
    expect(parsed).toMatchObject({ ok: true, request: { entryTypes: ['1'], symbols: ['BTC/USDT'] } });
  });

  it('reads an unsubscribe by its MDReqID alone', () => {
    const parsed = parseMarketDataRequest({ MDReqID: 'req-1', SubscriptionRequestType: '2' });
    expect(parsed).toEqual({
      ok: true,
      request: {
        mdReqId: 'req-1',
        subscriptionRequestType: 'unsubscribe',
        depth: 0,
        updateType: undefined,
        entryTypes: [],
        symbols: [],
      },
    });
  });

  it.each([
    ['SubscriptionRequestType', { SubscriptionRequestType: '9' }, '4', /SubscriptionRequestType \(263\)/],
    ['a missing SubscriptionRequestType', { SubscriptionRequestType: undefined }, '4', /got nothing/],
    ['a negative MarketDepth', { MarketDepth: -1 }, '5', /MarketDepth \(264\)/],
    ['a fractional MarketDepth', { MarketDepth: 1.5 }, '5', /MarketDepth/],
    [
      'a subscribe without MDUpdateType',
      { MDUpdateType: undefined },
      '6',
      /MDUpdateType \(265\).*subscription/,
    ],
    ['an unknown MDUpdateType', { MDUpdateType: 2 }, '6', /MDUpdateType/],
    ['a non-aggregated book', { AggregatedBook: false }, '7', /AggregatedBook \(266\)/],
    ['no MDEntryType', { MDReqGrp: [] }, '8', /MDReqGrp \(267\)/],
    ['an unsupported MDEntryType', { MDReqGrp: [{ MDEntryType: '0' }, { MDEntryType: '4' }] }, '8', /"4"/],
    ['no symbol', { InstrmtMDReqGrp: [] }, '0', /InstrmtMDReqGrp \(146\)/],
    [
      'a symbol that is not unified',
      { InstrmtMDReqGrp: [{ Instrument: { Symbol: 'BTCUSDT' } }] },
      '0',
      /"BTCUSDT"/,
    ],
    [
      'an instrument without Symbol',
      { InstrmtMDReqGrp: [{ Instrument: { SecurityID: 'x' } }] },
      '0',
      /Symbol \(55\)/,
    ],
  ])('refuses %s', (_name, overrides, reason, text) => {
    const parsed = parseMarketDataRequest(v(overrides));
    expect(parsed).toMatchObject({ ok: false, mdReqId: 'req-1', reason });
    expect(parsed.ok ? '' : parsed.text).toMatch(text);
  });

  it('refuses a request without MDReqID with no reason that does not fit', () => {
    expect(parseMarketDataRequest(v({ MDReqID: '  ' }))).toEqual({
      ok: false,
      mdReqId: '',
      reason: undefined,
      text: 'MDReqID (262) is required',
    });
    expect(parseMarketDataRequest(null)).toMatchObject({ ok: false, mdReqId: '', reason: undefined });
  });
});
