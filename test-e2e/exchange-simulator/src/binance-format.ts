// Engine objects → Binance spot JSON (REST bodies and stream payloads), and Binance symbols ↔ unified.
import { Decimal } from 'decimal.js';

import type {
  Balance,
  DepthLevel,
  ExchangeFill,
  ExchangeOrder,
  InstrumentSpec,
  PaperExchange,
  PublicTrade,
  TimeInForce,
} from '@tm/matching';

/** 'BTC/USDT' ↔ 'BTCUSDT' for the instruments the engine lists. */
export class SymbolMap {
  private readonly byId = new Map<string, InstrumentSpec>();
  private readonly idBySymbol = new Map<string, string>();

  constructor(instruments: readonly InstrumentSpec[]) {
    for (const spec of instruments) {
      const id = `${spec.base}${spec.quote}`.toUpperCase();
      this.byId.set(id, spec);
      this.idBySymbol.set(spec.symbol, id);
    }
  }

  /** Binance id (any case) → spec, or undefined. */
  spec(id: string): InstrumentSpec | undefined {
    return this.byId.get(id.toUpperCase());
  }

  id(symbol: string): string {
    return this.idBySymbol.get(symbol) ?? symbol.replace('/', '').toUpperCase();
  }

  all(): InstrumentSpec[] {
    return [...this.byId.values()];
  }
}

/** Engine micros → Binance millis. */
export const ms = (micros: number): number => Math.floor(micros / 1000);

/** Binance prints 8 decimals; more only when the value needs them. */
export function fmt(value: string | null | undefined): string {
  if (value === null || value === undefined || value === '') return '0.00000000';
  const decimal = new Decimal(value);
  return decimal.decimalPlaces() > 8 ? decimal.toFixed() : decimal.toFixed(8);
}

const side = (s: 'buy' | 'sell'): 'BUY' | 'SELL' => (s === 'buy' ? 'BUY' : 'SELL');

export function orderType(order: Pick<ExchangeOrder, 'type' | 'timeInForce'>): string {
  if (order.type === 'market') return 'MARKET';
  return order.timeInForce === 'PO' ? 'LIMIT_MAKER' : 'LIMIT';
}

/** Binance reports GTC for market and LIMIT_MAKER orders. */
export function timeInForce(order: Pick<ExchangeOrder, 'type' | 'timeInForce'>): Exclude<TimeInForce, 'PO'> {
  if (order.type === 'market' || order.timeInForce === 'PO') return 'GTC';
  return order.timeInForce;
}

/** The fields every order body shares (GET order, openOrders, cancel, place RESULT). */
function orderCore(order: ExchangeOrder, symbols: SymbolMap): Record<string, unknown> {
  return {
    symbol: symbols.id(order.instrument),
    orderId: order.orderId,
    orderListId: -1,
    clientOrderId: order.clientOrderId,
    price: fmt(order.price),
    origQty: fmt(order.amount),
    executedQty: fmt(order.filled),
    cummulativeQuoteQty: fmt(order.quoteFilled),
    status: order.status,
    timeInForce: timeInForce(order),
    type: orderType(order),
    side: side(order.side),
  };
}

/** GET /api/v3/order and openOrders entries. */
export function queryOrderJson(order: ExchangeOrder, symbols: SymbolMap): Record<string, unknown> {
  return {
    ...orderCore(order, symbols),
    stopPrice: '0.00000000',
    icebergQty: '0.00000000',
    time: ms(order.createdAt),
    updateTime: ms(order.updatedAt),
    isWorking: true,
    workingTime: ms(order.createdAt),
    origQuoteOrderQty: '0.00000000',
    selfTradePreventionMode: 'EXPIRE_MAKER',
  };
}

export type OrderResponseType = 'ACK' | 'RESULT' | 'FULL';

/** POST /api/v3/order answer in the requested shape. */
export function placeOrderJson(
  order: ExchangeOrder,
  fills: readonly ExchangeFill[],
  symbols: SymbolMap,
  respType: OrderResponseType,
): Record<string, unknown> {
  const ack = {
    symbol: symbols.id(order.instrument),
    orderId: order.orderId,
    orderListId: -1,
    clientOrderId: order.clientOrderId,
    transactTime: ms(order.updatedAt),
  };
  if (respType === 'ACK') return ack;
  const result = {
    ...orderCore(order, symbols),
    transactTime: ms(order.updatedAt),
    origQuoteOrderQty: '0.00000000',
    workingTime: ms(order.createdAt),
    selfTradePreventionMode: 'EXPIRE_MAKER',
  };
  if (respType === 'RESULT') return result;
  return {
    ...result,
    fills: fills.map((fill) => ({
      price: fmt(fill.price),
      qty: fmt(fill.amount),
      commission: fmt(fill.fee),
      commissionAsset: fill.feeCurrency,
      tradeId: fill.tradeId,
    })),
  };
}

/** DELETE /api/v3/order answer; `clientOrderId` is the cancel request's own id, as on Binance. */
export function cancelOrderJson(
  order: ExchangeOrder,
  cancelClientOrderId: string,
  symbols: SymbolMap,
): Record<string, unknown> {
  return {
    symbol: symbols.id(order.instrument),
    origClientOrderId: order.clientOrderId,
    orderId: order.orderId,
    orderListId: -1,
    clientOrderId: cancelClientOrderId,
    transactTime: ms(order.updatedAt),
    price: fmt(order.price),
    origQty: fmt(order.amount),
    executedQty: fmt(order.filled),
    cummulativeQuoteQty: fmt(order.quoteFilled),
    status: order.status,
    timeInForce: timeInForce(order),
    type: orderType(order),
    side: side(order.side),
    selfTradePreventionMode: 'EXPIRE_MAKER',
  };
}

/** GET /api/v3/myTrades entry. */
export function myTradeJson(fill: ExchangeFill, symbols: SymbolMap): Record<string, unknown> {
  return {
    symbol: symbols.id(fill.instrument),
    id: fill.tradeId,
    orderId: fill.orderId,
    orderListId: -1,
    price: fmt(fill.price),
    qty: fmt(fill.amount),
    quoteQty: fmt(fill.quoteAmount),
    commission: fmt(fill.fee),
    commissionAsset: fill.feeCurrency,
    time: ms(fill.time),
    isBuyer: fill.side === 'buy',
    isMaker: fill.liquidity === 'maker',
    isBestMatch: true,
  };
}

/** GET /api/v3/trades entry (m = the buyer was the maker, i.e. the taker sold). */
export function publicTradeJson(trade: PublicTrade): Record<string, unknown> {
  return {
    id: trade.tradeId,
    price: fmt(trade.price),
    qty: fmt(trade.amount),
    quoteQty: fmt(new Decimal(trade.price).mul(trade.amount).toFixed()),
    time: ms(trade.time),
    isBuyerMaker: trade.takerSide === 'sell',
    isBestMatch: true,
  };
}

/** GET /api/v3/aggTrades entry: one engine match is one aggregate trade. */
export function aggTradeJson(trade: PublicTrade): Record<string, unknown> {
  return {
    a: trade.tradeId,
    p: fmt(trade.price),
    q: fmt(trade.amount),
    f: trade.tradeId,
    l: trade.tradeId,
    T: ms(trade.time),
    m: trade.takerSide === 'sell',
    M: true,
  };
}

export const levelsJson = (levels: readonly DepthLevel[]): [string, string][] =>
  levels.map((level) => [fmt(level.price), fmt(level.amount)]);

/** The `<sym>@trade` stream payload. */
export function tradeEventJson(
  trade: PublicTrade,
  symbols: SymbolMap,
  eventTime: number,
): Record<string, unknown> {
  return {
    e: 'trade',
    E: eventTime,
    s: symbols.id(trade.instrument),
    t: trade.tradeId,
    p: fmt(trade.price),
    q: fmt(trade.amount),
    T: ms(trade.time),
    m: trade.takerSide === 'sell',
    M: true,
  };
}

/** The `<sym>@aggTrade` stream payload. */
export function aggTradeEventJson(
  trade: PublicTrade,
  symbols: SymbolMap,
  eventTime: number,
): Record<string, unknown> {
  return { e: 'aggTrade', E: eventTime, s: symbols.id(trade.instrument), ...aggTradeJson(trade) };
}

/** 24h statistics shared by GET ticker/24hr and the `@ticker` stream. */
export interface TickerStats {
  symbol: string;
  last: string;
  open: string;
  high: string;
  low: string;
  bid: string;
  bidSize: string;
  ask: string;
  askSize: string;
  volume: string;
  quoteVolume: string;
  change: string;
  changePercent: string;
  weightedAvg: string;
  openTime: number;
  closeTime: number;
  firstId: number;
  lastId: number;
  count: number;
}

export function tickerStats(exchange: PaperExchange, spec: InstrumentSpec, symbols: SymbolMap): TickerStats {
  const t = exchange.ticker(spec.symbol);
  const trades = exchange.publicTrades(spec.symbol, 1000);
  const closeTime = ms(t.time);
  const dayAgo = closeTime - 86_400_000;
  const recent = trades.filter((trade) => ms(trade.time) >= dayAgo);
  const last = t.last ?? '0';
  const open = t.open ?? last;
  const change = new Decimal(last).minus(open);
  const volume = new Decimal(t.volume);
  return {
    symbol: symbols.id(spec.symbol),
    last: fmt(last),
    open: fmt(open),
    high: fmt(t.high ?? last),
    low: fmt(t.low ?? last),
    bid: fmt(t.bid ?? '0'),
    bidSize: fmt(t.bidSize),
    ask: fmt(t.ask ?? '0'),
    askSize: fmt(t.askSize),
    volume: fmt(t.volume),
    quoteVolume: fmt(t.quoteVolume),
    change: fmt(change.toFixed()),
    changePercent: new Decimal(open).isZero() ? '0.000' : change.div(open).mul(100).toFixed(3),
    weightedAvg: volume.isZero() ? fmt('0') : fmt(new Decimal(t.quoteVolume).div(volume).toFixed(8)),
    openTime: dayAgo,
    closeTime,
    firstId: recent.length > 0 ? recent[0].tradeId : -1,
    lastId: recent.length > 0 ? recent[recent.length - 1].tradeId : -1,
    count: recent.length,
  };
}

export function ticker24hrJson(s: TickerStats, lastQty: string): Record<string, unknown> {
  return {
    symbol: s.symbol,
    priceChange: s.change,
    priceChangePercent: s.changePercent,
    weightedAvgPrice: s.weightedAvg,
    prevClosePrice: s.open,
    lastPrice: s.last,
    lastQty,
    bidPrice: s.bid,
    bidQty: s.bidSize,
    askPrice: s.ask,
    askQty: s.askSize,
    openPrice: s.open,
    highPrice: s.high,
    lowPrice: s.low,
    volume: s.volume,
    quoteVolume: s.quoteVolume,
    openTime: s.openTime,
    closeTime: s.closeTime,
    firstId: s.firstId,
    lastId: s.lastId,
    count: s.count,
  };
}

/** The `<sym>@ticker` stream payload. */
export function tickerEventJson(s: TickerStats, lastQty: string, eventTime: number): Record<string, unknown> {
  return {
    e: '24hrTicker',
    E: eventTime,
    s: s.symbol,
    p: s.change,
    P: s.changePercent,
    w: s.weightedAvg,
    x: s.open,
    c: s.last,
    Q: lastQty,
    b: s.bid,
    B: s.bidSize,
    a: s.ask,
    A: s.askSize,
    o: s.open,
    h: s.high,
    l: s.low,
    v: s.volume,
    q: s.quoteVolume,
    O: s.openTime,
    C: s.closeTime,
    F: s.firstId,
    L: s.lastId,
    n: s.count,
  };
}

/** The `<sym>@miniTicker` stream payload. */
export function miniTickerEventJson(s: TickerStats, eventTime: number): Record<string, unknown> {
  return {
    e: '24hrMiniTicker',
    E: eventTime,
    s: s.symbol,
    c: s.last,
    o: s.open,
    h: s.high,
    l: s.low,
    v: s.volume,
    q: s.quoteVolume,
  };
}

/** GET /api/v3/account balances entry. */
export const balanceJson = (balance: Balance): Record<string, string> => ({
  asset: balance.currency,
  free: fmt(balance.free),
  locked: fmt(balance.locked),
});

/** The user stream's executionReport for one engine order update. */
export function executionReportJson(
  order: ExchangeOrder,
  fill: ExchangeFill | undefined,
  symbols: SymbolMap,
  eventTime: number,
): Record<string, unknown> {
  const executionType =
    fill !== undefined ? 'TRADE' : order.status === 'PARTIALLY_FILLED' ? 'TRADE' : order.status;
  const canceled = order.status === 'CANCELED';
  return {
    e: 'executionReport',
    E: eventTime,
    s: symbols.id(order.instrument),
    c: order.clientOrderId,
    S: side(order.side),
    o: orderType(order),
    f: timeInForce(order),
    q: fmt(order.amount),
    p: fmt(order.price),
    P: '0.00000000',
    F: '0.00000000',
    g: -1,
    C: canceled ? order.clientOrderId : '',
    x: executionType,
    X: order.status,
    r: 'NONE',
    i: order.orderId,
    l: fmt(fill?.amount ?? '0'),
    z: fmt(order.filled),
    L: fmt(fill?.price ?? '0'),
    n: fmt(fill?.fee ?? '0'),
    N: fill?.feeCurrency ?? null,
    T: ms(fill?.time ?? order.updatedAt),
    t: fill?.tradeId ?? -1,
    I: order.orderId,
    w: order.status === 'NEW' || order.status === 'PARTIALLY_FILLED',
    m: fill?.liquidity === 'maker',
    M: false,
    O: ms(order.createdAt),
    Z: fmt(order.quoteFilled),
    Y: fmt(fill?.quoteAmount ?? '0'),
    Q: '0.00000000',
    W: ms(order.createdAt),
    V: 'EXPIRE_MAKER',
  };
}

/** The user stream's outboundAccountPosition for the balances an update touched. */
export function accountPositionJson(
  balances: readonly Balance[],
  eventTime: number,
): Record<string, unknown> {
  return {
    e: 'outboundAccountPosition',
    E: eventTime,
    u: eventTime,
    B: balances.map((b) => ({ a: b.currency, f: fmt(b.free), l: fmt(b.locked) })),
  };
}
