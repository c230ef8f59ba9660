// Fills per (account, instrument) for accountTrades, and each instrument's recent public trades.
import { Dec, str } from './decimal.js';
import type { AccountTradesQuery, ExchangeFill, PublicTrade } from './exchange-types.js';

const PUBLIC_TRADES_KEPT = 1000;
const DAY_MICROS = 86_400_000_000;

export interface TradeStats {
  last: string | null;
  open: string | null;
  high: string | null;
  low: string | null;
  volume: string;
  quoteVolume: string;
}

export class TradeHistory {
  private readonly fills = new Map<string, ExchangeFill[]>();
  private readonly trades = new Map<string, PublicTrade[]>();

  constructor(private readonly maxAccountTrades: number) {}

  addFill(fill: ExchangeFill): void {
    const key = `${fill.account}\u0000${fill.instrument}`;
    let list = this.fills.get(key);
    if (list === undefined) {
      list = [];
      this.fills.set(key, list);
    }
    list.push(fill);
    // Trim in chunks so the cost stays amortised O(1).
    if (list.length > this.maxAccountTrades + Math.max(16, this.maxAccountTrades >> 3)) {
      list.splice(0, list.length - this.maxAccountTrades);
    }
  }

  /** Ascending tradeId. With fromId/since: the first `limit` from there; otherwise the most recent `limit`. */
  accountTrades(account: string, query: AccountTradesQuery): ExchangeFill[] {
    const list = this.fills.get(`${account}\u0000${query.instrument}`) ?? [];
    const limit = Math.max(1, query.limit ?? 500);
    let start = 0;
    if (query.fromId !== undefined) {
      const fromId = query.fromId;
      start = lowerBound(list, (f) => f.tradeId < fromId);
    }
    if (query.since !== undefined) {
      const since = query.since;
      start = Math.max(
        start,
        lowerBound(list, (f) => f.time < since),
      );
    }
    if (query.fromId === undefined && query.since === undefined) start = Math.max(0, list.length - limit);
    return list.slice(start, start + limit);
  }

  addPublicTrade(trade: PublicTrade): void {
    let list = this.trades.get(trade.instrument);
    if (list === undefined) {
      list = [];
      this.trades.set(trade.instrument, list);
    }
    list.push(trade);
    if (list.length > PUBLIC_TRADES_KEPT * 2) list.splice(0, list.length - PUBLIC_TRADES_KEPT);
  }

  /** The most recent trades (at most 1,000), ascending. */
  publicTrades(instrument: string, limit = 500): PublicTrade[] {
    const list = this.trades.get(instrument) ?? [];
    const n = Math.min(Math.max(1, limit), PUBLIC_TRADES_KEPT, list.length);
    return list.slice(list.length - n);
  }

  /** 24h statistics over the trades kept. */
  stats(instrument: string, now: number): TradeStats {
    const list = this.publicTrades(instrument, PUBLIC_TRADES_KEPT);
    const lastTrade = list[list.length - 1];
    let open: Dec | null = null;
    let high: Dec | null = null;
    let low: Dec | null = null;
    let volume = new Dec(0);
    let quoteVolume = new Dec(0);
    for (const trade of list) {
      if (trade.time < now - DAY_MICROS) continue;
      const price = new Dec(trade.price);
      const amount = new Dec(trade.amount);
      open ??= price;
      if (high === null || price.gt(high)) high = price;
      if (low === null || price.lt(low)) low = price;
      volume = volume.add(amount);
      quoteVolume = quoteVolume.add(price.mul(amount));
    }
    return {
      last: lastTrade?.price ?? null,
      open: open === null ? null : str(open),
      high: high === null ? null : str(high),
      low: low === null ? null : str(low),
      volume: str(volume),
      quoteVolume: str(quoteVolume),
    };
  }
}

/** First index where before(item) is false; items are sorted so before() is true then false. */
function lowerBound<T>(items: T[], before: (item: T) => boolean): number {
  let low = 0;
  let high = items.length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if (before(items[mid] as T)) low = mid + 1;
    else high = mid;
  }
  return low;
}
