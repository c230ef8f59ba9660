// Market data through ccxt: per instrument one loop each for ticks, trades and the book, websockets
// where the venue has them and REST polling where not. Any loop's failure ends the whole feed; the
// session reconnects by opening a new one.
import { setTimeout as sleep } from 'node:timers/promises';
import type { Exchange, OrderBook, Ticker, Trade } from 'ccxt';
import type {
  FeedEnd,
  MarketDataFeed,
  MarketDataSink,
} from '../../adapter/operations/watch-market-data.operation.js';
import { VenueError } from '../../adapter/venue-error.js';
import { nowMicros } from '../../adapter/venue-types.js';
import type { CcxtContext } from '../ccxt-context.js';
import { feedEndReason } from '../ccxt-error-map.js';
import { closeWebsockets, withinGrace } from '../ccxt-grace.js';
import { micros } from '../ccxt-normalise.js';

type Levels = Map<number, number>;

interface Subscription {
  readonly instrument: string;
  readonly stop: AbortController;
  /** False until the REST gap fill went out; websocket updates wait meanwhile. */
  live: boolean;
  /** The book as last emitted (deltas are computed against it), with its venue sequence and time. */
  book: { bids: Levels; asks: Levels } | null;
  bookSequence: number | null;
  bookTsEvent: number;
  /** A websocket book that arrived before the REST snapshot was emitted. */
  pendingBook: OrderBook | null;
  pendingTrades: Trade[];
  readonly seenTrades: Set<string>;
  lastTradeMs: number | undefined;
}

const SEEN_TRADES_KEPT = 2_000;
/** When the second gap fill after a subscribe runs. */
const GAP_REFILL_AFTER_MS = 1_000;

export function ccxtWatchMarketData(ctx: CcxtContext, sink: MarketDataSink): MarketDataFeed {
  return new CcxtMarketDataFeed(ctx, sink);
}

export class CcxtMarketDataFeed implements MarketDataFeed {
  readonly ended: Promise<FeedEnd>;
  private resolveEnded: (end: FeedEnd) => void = () => undefined;
  private done = false;
  private ending: Promise<void> | undefined;
  private readonly subs = new Map<string, Subscription>();
  private lastMessageAt = Date.now();
  private readonly idleTimer: NodeJS.Timeout | undefined;
  private readonly ex: Exchange;

  constructor(
    private readonly ctx: CcxtContext,
    private readonly sink: MarketDataSink,
  ) {
    this.ex = ctx.data;
    this.ended = new Promise((resolve) => (this.resolveEnded = resolve));
    const idleMs = ctx.config.feedIdleMs ?? 0;
    if (idleMs > 0) {
      this.idleTimer = setInterval(
        () => {
          if (this.subs.size > 0 && Date.now() - this.lastMessageAt > idleMs)
            void this.end({ reason: `idle for ${idleMs} ms` });
        },
        Math.max(Math.floor(idleMs / 4), 50),
      );
      this.idleTimer.unref();
    }
  }

  async subscribe(instrument: string): Promise<void> {
    if (this.done)
      throw new VenueError('VENUE_UNAVAILABLE', `${this.ctx.venue}: the market data feed has ended`);
    if (this.subs.has(instrument)) return;
    // Checked here: an unknown symbol failing inside a loop would end every subscription.
    const markets: unknown = this.ex.markets;
    if (markets === undefined || markets === null)
      throw new VenueError('VENUE_UNAVAILABLE', `${this.ctx.venue}: connect() before subscribing`);
    if (!Object.hasOwn(markets, instrument))
      throw new VenueError('INVALID_ORDER', `${this.ctx.venue}: unknown instrument ${instrument}`, {
        field: 'instrument',
      });
    const sub: Subscription = {
      instrument,
      stop: new AbortController(),
      live: false,
      book: null,
      bookSequence: null,
      bookTsEvent: 0,
      pendingBook: null,
      pendingTrades: [],
      seenTrades: new Set(),
      lastTradeMs: undefined,
    };
    this.subs.set(instrument, sub);
    if (this.lastMessageAt < Date.now() - 1000) this.lastMessageAt = Date.now();
    // Streams first, so nothing between the REST gap fill and the first pushed update is lost.
    this.startLoops(sub);
    try {
      await this.websocketsConnected();
      const trades = await this.ctx.call('fetchTrades', false, this.ex, () =>
        this.ex.fetchTrades(instrument),
      );
      if (!this.active(sub)) return;
      for (const trade of trades) this.emitTrade(sub, trade, true);
      const book = await this.ctx.call('fetchOrderBook', false, this.ex, () =>
        this.ex.fetchOrderBook(instrument, this.ctx.config.bookDepth),
      );
      if (!this.active(sub)) return;
      this.emitBook(sub, book, true);
    } catch (error) {
      if (this.subs.get(instrument) === sub) {
        this.subs.delete(instrument);
        sub.stop.abort();
      }
      throw error;
    }
    sub.live = true;
    for (const trade of sub.pendingTrades.splice(0)) this.emitTrade(sub, trade, false);
    if (sub.pendingBook !== null) this.emitBook(sub, sub.pendingBook, false);
    sub.pendingBook = null;
    this.refillTradesLater(sub);
  }

  /**
   * The venue does not say when its stream subscription took effect, so a trade printed between the
   * REST gap fill and that moment would be missed: one more gap fill a little later closes the race
   * (trades already seen are dropped by id).
   */
  private refillTradesLater(sub: Subscription): void {
    void sleep(GAP_REFILL_AFTER_MS, undefined, { signal: sub.stop.signal })
      .then(async () => {
        const trades = await this.ctx.call('fetchTrades', false, this.ex, () =>
          this.ex.fetchTrades(sub.instrument),
        );
        if (!this.active(sub)) return;
        for (const trade of trades) this.emitTrade(sub, trade, true);
      })
      .catch(() => undefined); // aborted, or the venue is down: the feed's own loops report that
  }

  resnapshot(instrument: string): boolean {
    const sub = this.subs.get(instrument);
    if (sub === undefined || sub.book === null || !this.active(sub)) return false;
    this.sink.book({
      instrument,
      snapshot: true,
      bids: [...sub.book.bids],
      asks: [...sub.book.asks],
      sequence: sub.bookSequence,
      tsEvent: sub.bookTsEvent,
      tsInit: nowMicros(),
    });
    return true;
  }

  async unsubscribe(instrument: string): Promise<void> {
    const sub = this.subs.get(instrument);
    if (sub === undefined) return;
    this.subs.delete(instrument);
    sub.stop.abort();
    if (this.done) return;
    // Best effort: a venue without unWatch keeps pushing into a loop that has stopped listening.
    const unwatch = async (capability: string, call: () => Promise<unknown>): Promise<void> => {
      if (!this.ctx.has(this.ex, capability)) return;
      await call().catch(() => undefined);
    };
    await Promise.all([
      unwatch('unWatchTrades', () => this.ex.unWatchTrades(instrument)),
      unwatch('unWatchOrderBook', () => this.ex.unWatchOrderBook(instrument)),
      this.ctx.has(this.ex, 'watchBidsAsks')
        ? unwatch('unWatchBidsAsks', () => this.ex.unWatchBidsAsks([instrument]))
        : unwatch('unWatchTicker', () => this.ex.unWatchTicker(instrument, this.tickerParams())),
    ]);
  }

  async close(): Promise<void> {
    await this.end({ reason: 'closed' });
  }

  private active(sub: Subscription): boolean {
    return !this.done && !sub.stop.signal.aborted;
  }

  private startLoops(sub: Subscription): void {
    const ex = this.ex;
    const instrument = sub.instrument;
    const pollMs = this.ctx.config.pollIntervalMs ?? 1000;
    // Polling is market data too: through the context, so it spends the data budget.
    const poll = async <T>(fetch: () => Promise<T>): Promise<T> => {
      await sleep(pollMs, undefined, { signal: sub.stop.signal });
      return this.ctx.call('poll', false, ex, fetch);
    };
    // ticks: bid/ask
    if (this.ctx.has(ex, 'watchBidsAsks'))
      this.loop(sub, async () => {
        const tickers = await ex.watchBidsAsks([instrument]);
        const ticker = tickers[instrument];
        if (ticker !== undefined) this.emitTick(sub, ticker);
      });
    else if (this.ctx.has(ex, 'watchTicker'))
      this.loop(sub, async () => this.emitTick(sub, await ex.watchTicker(instrument, this.tickerParams())));
    else this.loop(sub, async () => this.emitTick(sub, await poll(() => ex.fetchTicker(instrument))));
    // public trades
    if (this.ctx.has(ex, 'watchTrades'))
      this.loop(sub, async () => {
        for (const trade of await ex.watchTrades(instrument)) this.emitTrade(sub, trade, false);
      });
    else
      this.loop(sub, async () => {
        for (const trade of await poll(() => ex.fetchTrades(instrument, sub.lastTradeMs)))
          this.emitTrade(sub, trade, false);
      });
    // book
    const depth = this.ctx.config.bookDepth;
    if (this.ctx.has(ex, 'watchOrderBook'))
      this.loop(sub, async () => this.emitBook(sub, await ex.watchOrderBook(instrument, depth), false));
    else
      this.loop(sub, async () =>
        this.emitBook(sub, await poll(() => ex.fetchOrderBook(instrument, depth)), false),
      );
  }

  /** Binance's default ticker stream (miniTicker) has no bid/ask; its full ticker does. */
  private tickerParams(): Record<string, unknown> {
    return this.ex.id.startsWith('binance') ? { name: 'ticker' } : {};
  }

  private loop(sub: Subscription, step: () => Promise<void>): void {
    void (async () => {
      while (this.active(sub)) {
        try {
          await step();
          this.lastMessageAt = Date.now();
        } catch (error) {
          if (!this.active(sub)) return;
          await this.end({ reason: feedEndReason(error), error });
          return;
        }
      }
    })();
  }

  /** Lets the websockets the loops just opened finish their handshake (bounded). */
  private async websocketsConnected(): Promise<void> {
    await new Promise((resolve) => setImmediate(resolve));
    const clients = Object.values(
      (this.ex.clients ?? {}) as Record<string, { connected?: Promise<unknown> }>,
    );
    const connected = clients.flatMap((client) => (client.connected === undefined ? [] : [client.connected]));
    if (connected.length === 0) return;
    await withinGrace(Promise.allSettled(connected));
  }

  private emitTick(sub: Subscription, ticker: Ticker): void {
    if (!sub.live || !this.active(sub)) return;
    if (typeof ticker.bid !== 'number' || typeof ticker.ask !== 'number') return;
    this.sink.tick({
      instrument: sub.instrument,
      bid: ticker.bid,
      bidSize: ticker.bidVolume ?? 0,
      ask: ticker.ask,
      askSize: ticker.askVolume ?? 0,
      tsEvent: micros(ticker.timestamp),
      tsInit: nowMicros(),
    });
  }

  private emitTrade(sub: Subscription, trade: Trade, fromRest: boolean): void {
    if (!this.active(sub)) return;
    if (!fromRest && !sub.live) {
      sub.pendingTrades.push(trade);
      return;
    }
    const id = String(trade.id);
    if (sub.seenTrades.has(id)) return;
    sub.seenTrades.add(id);
    if (sub.seenTrades.size > SEEN_TRADES_KEPT)
      sub.seenTrades.delete(sub.seenTrades.values().next().value as string);
    if (typeof trade.timestamp === 'number')
      sub.lastTradeMs = Math.max(sub.lastTradeMs ?? 0, trade.timestamp);
    this.sink.trade({
      instrument: sub.instrument,
      tradeId: id,
      price: Number(trade.price),
      amount: Number(trade.amount),
      takerSide: trade.side === 'buy' || trade.side === 'sell' ? trade.side : null,
      tsEvent: micros(trade.timestamp),
      tsInit: nowMicros(),
    });
  }

  private emitBook(sub: Subscription, book: OrderBook, fromRest: boolean): void {
    if (!this.active(sub)) return;
    if (!fromRest && !sub.live) {
      sub.pendingBook = book; // the latest wins; emitted as a delta once the snapshot is out
      return;
    }
    const depth = this.ctx.config.bookDepth;
    const next = { bids: levels(book.bids, depth), asks: levels(book.asks, depth) };
    const base = {
      instrument: sub.instrument,
      sequence: book.nonce ?? null,
      tsEvent: micros(book.timestamp),
    };
    if (fromRest || sub.book === null) {
      this.sink.book({
        ...base,
        snapshot: true,
        bids: [...next.bids],
        asks: [...next.asks],
        tsInit: nowMicros(),
      });
    } else {
      const bids = diff(sub.book.bids, next.bids);
      const asks = diff(sub.book.asks, next.asks);
      if (bids.length > 0 || asks.length > 0)
        this.sink.book({ ...base, snapshot: false, bids, asks, tsInit: nowMicros() });
    }
    sub.book = next;
    sub.bookSequence = base.sequence;
    sub.bookTsEvent = base.tsEvent;
  }

  private end(end: FeedEnd): Promise<void> {
    if (this.ending !== undefined) return this.ending;
    this.done = true;
    if (this.idleTimer !== undefined) clearInterval(this.idleTimer);
    for (const sub of this.subs.values()) sub.stop.abort();
    this.subs.clear();
    this.ending = (async () => {
      await closeWebsockets(this.ex);
      this.resolveEnded(end);
    })();
    return this.ending;
  }
}

function levels(side: [unknown, unknown][], depth: number | undefined): Levels {
  const out: Levels = new Map();
  const count = depth === undefined ? side.length : Math.min(depth, side.length);
  for (let i = 0; i < count; i++) {
    const [price, amount] = side[i] as [unknown, unknown];
    if (typeof price === 'number' && typeof amount === 'number' && amount > 0) out.set(price, amount);
  }
  return out;
}

function diff(previous: Levels, next: Levels): [number, number][] {
  const out: [number, number][] = [];
  for (const [price, amount] of next) if (previous.get(price) !== amount) out.push([price, amount]);
  for (const price of previous.keys()) if (!next.has(price)) out.push([price, 0]);
  return out;
}
