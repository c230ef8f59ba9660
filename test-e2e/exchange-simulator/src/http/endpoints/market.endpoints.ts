// Public market data: ping, time, exchangeInfo, depth, trades, aggTrades, tickers.
import type { InstrumentSpec } from '@tm/matching';

import { binanceErrors } from '../../binance-error.js';
import {
  aggTradeJson,
  fmt,
  levelsJson,
  ms,
  publicTradeJson,
  ticker24hrJson,
  tickerStats,
} from '../../binance-format.js';
import { instrumentOf, type SimulatorContext } from '../../simulator-context.js';
import type { SimulatorLimits } from '../../simulator-options.js';
import type { Endpoint } from '../endpoint.js';
import type { RequestParams } from '../request-params.js';
import { WEIGHTS } from '../request-weights.js';

const API = '/api/v3';

function symbolEntry(spec: InstrumentSpec, id: string): Record<string, unknown> {
  return {
    symbol: id,
    status: 'TRADING',
    baseAsset: spec.base,
    baseAssetPrecision: 8,
    quoteAsset: spec.quote,
    quotePrecision: 8,
    quoteAssetPrecision: 8,
    baseCommissionPrecision: 8,
    quoteCommissionPrecision: 8,
    // LIMIT_MAKER must be listed or ccxt refuses postOnly itself.
    orderTypes: ['LIMIT', 'LIMIT_MAKER', 'MARKET'],
    icebergAllowed: false,
    ocoAllowed: false,
    otoAllowed: false,
    quoteOrderQtyMarketAllowed: true,
    allowTrailingStop: false,
    cancelReplaceAllowed: true,
    amendAllowed: false,
    isSpotTradingAllowed: true,
    isMarginTradingAllowed: false,
    filters: [
      {
        filterType: 'PRICE_FILTER',
        minPrice: fmt(spec.tickSize),
        maxPrice: '1000000.00000000',
        tickSize: fmt(spec.tickSize),
      },
      {
        filterType: 'LOT_SIZE',
        minQty: fmt(spec.lotSize),
        maxQty: '9000000.00000000',
        stepSize: fmt(spec.lotSize),
      },
      {
        filterType: 'NOTIONAL',
        minNotional: fmt(spec.minNotional),
        applyMinToMarket: false,
        maxNotional: '9000000000.00000000',
        applyMaxToMarket: false,
        avgPriceMins: 5,
      },
    ],
    permissions: [],
    permissionSets: [['SPOT']],
    defaultSelfTradePreventionMode: 'EXPIRE_MAKER',
    allowedSelfTradePreventionModes: ['NONE', 'EXPIRE_TAKER', 'EXPIRE_MAKER', 'EXPIRE_BOTH'],
  };
}

/** `symbol=X` or `symbols=["X","Y"]` or neither (all). */
function selectedInstruments(context: SimulatorContext, params: RequestParams): InstrumentSpec[] {
  const one = params.optional('symbol');
  if (one !== undefined) return [instrumentOf(context, one)];
  const many = params.optional('symbols');
  if (many === undefined) return context.symbols.all();
  let ids: unknown;
  try {
    ids = JSON.parse(many);
  } catch {
    throw binanceErrors.invalidParam('symbols');
  }
  if (!Array.isArray(ids) || ids.some((id) => typeof id !== 'string'))
    throw binanceErrors.invalidParam('symbols');
  return (ids as string[]).map((id) => instrumentOf(context, id));
}

function lastQty(context: SimulatorContext, spec: InstrumentSpec): string {
  const last = context.exchange.publicTrades(spec.symbol, 1);
  return fmt(last.length > 0 ? last[0].amount : '0');
}

export function marketEndpoints(context: SimulatorContext, limits: SimulatorLimits | false): Endpoint[] {
  const { exchange, symbols } = context;
  const ticker = (spec: InstrumentSpec) =>
    ticker24hrJson(tickerStats(exchange, spec, symbols), lastQty(context, spec));
  const bookTicker = (spec: InstrumentSpec) => {
    const t = exchange.ticker(spec.symbol);
    return {
      symbol: symbols.id(spec.symbol),
      bidPrice: fmt(t.bid ?? '0'),
      bidQty: fmt(t.bidSize),
      askPrice: fmt(t.ask ?? '0'),
      askQty: fmt(t.askSize),
    };
  };
  return [
    { method: 'GET', path: `${API}/ping`, security: 'NONE', weight: 1, handle: () => ({}) },
    {
      method: 'GET',
      path: `${API}/time`,
      security: 'NONE',
      weight: 1,
      handle: ({ now }) => ({ serverTime: now }),
    },
    {
      method: 'GET',
      path: `${API}/exchangeInfo`,
      security: 'NONE',
      weight: 20,
      handle: ({ params, now }) => ({
        timezone: 'UTC',
        serverTime: now,
        rateLimits:
          limits === false
            ? []
            : [
                {
                  rateLimitType: 'REQUEST_WEIGHT',
                  interval: 'MINUTE',
                  intervalNum: 1,
                  limit: limits.requestWeightPerMinute,
                },
                { rateLimitType: 'ORDERS', interval: 'SECOND', intervalNum: 10, limit: limits.ordersPer10s },
              ],
        exchangeFilters: [],
        symbols: selectedInstruments(context, params).map((spec) =>
          symbolEntry(spec, symbols.id(spec.symbol)),
        ),
      }),
    },
    {
      method: 'GET',
      path: `${API}/depth`,
      security: 'NONE',
      weight: (params) => WEIGHTS.depth(params.optionalInt('limit')),
      handle: ({ params }) => {
        const spec = instrumentOf(context, params.required('symbol'));
        const limit = Math.min(Math.max(params.optionalInt('limit') ?? 100, 1), 5000);
        const book = exchange.depth(spec.symbol, limit);
        return { lastUpdateId: book.updateId, bids: levelsJson(book.bids), asks: levelsJson(book.asks) };
      },
    },
    {
      method: 'GET',
      path: `${API}/trades`,
      security: 'NONE',
      weight: 25,
      handle: ({ params }) => {
        const spec = instrumentOf(context, params.required('symbol'));
        const limit = Math.min(Math.max(params.optionalInt('limit') ?? 500, 1), 1000);
        return exchange.publicTrades(spec.symbol, limit).map(publicTradeJson);
      },
    },
    {
      method: 'GET',
      path: `${API}/aggTrades`,
      security: 'NONE',
      weight: 4,
      handle: ({ params }) => {
        const spec = instrumentOf(context, params.required('symbol'));
        const limit = Math.min(Math.max(params.optionalInt('limit') ?? 500, 1), 1000);
        const fromId = params.optionalInt('fromId');
        const startTime = params.optionalInt('startTime');
        const endTime = params.optionalInt('endTime');
        const trades = exchange
          .publicTrades(spec.symbol, 1000)
          .filter(
            (t) =>
              (fromId === undefined || t.tradeId >= fromId) &&
              (startTime === undefined || ms(t.time) >= startTime) &&
              (endTime === undefined || ms(t.time) <= endTime),
          );
        // fromId/startTime read forward from there; otherwise the most recent.
        const window =
          fromId !== undefined || startTime !== undefined ? trades.slice(0, limit) : trades.slice(-limit);
        return window.map(aggTradeJson);
      },
    },
    {
      method: 'GET',
      path: `${API}/ticker/24hr`,
      security: 'NONE',
      weight: (params) => WEIGHTS.ticker24hr(params.has('symbol')),
      handle: ({ params }) =>
        params.has('symbol')
          ? ticker(instrumentOf(context, params.required('symbol')))
          : selectedInstruments(context, params).map(ticker),
    },
    {
      method: 'GET',
      path: `${API}/ticker/bookTicker`,
      security: 'NONE',
      weight: (params) => WEIGHTS.bookTicker(params.has('symbol')),
      handle: ({ params }) =>
        params.has('symbol')
          ? bookTicker(instrumentOf(context, params.required('symbol')))
          : selectedInstruments(context, params).map(bookTicker),
    },
    {
      method: 'GET',
      path: `${API}/ticker/price`,
      security: 'NONE',
      weight: (params) => (params.has('symbol') ? 2 : 4),
      handle: ({ params }) => {
        const price = (spec: InstrumentSpec) => ({
          symbol: symbols.id(spec.symbol),
          price: fmt(exchange.ticker(spec.symbol).last ?? '0'),
        });
        return params.has('symbol')
          ? price(instrumentOf(context, params.required('symbol')))
          : selectedInstruments(context, params).map(price);
      },
    },
  ];
}
