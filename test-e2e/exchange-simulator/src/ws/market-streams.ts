// Binance market streams over websockets: raw (/ws) and combined (/stream?streams=), SUBSCRIBE /
// UNSUBSCRIBE / LIST_SUBSCRIPTIONS, and the trade, aggTrade, depth (100 ms batches with consecutive
// U/u), ticker, miniTicker and bookTicker payloads built from the engine's events.
import type { DepthUpdate, InstrumentSpec, PublicTrade } from '@tm/matching';
import type { WebSocket } from 'ws';

import {
  aggTradeEventJson,
  fmt,
  miniTickerEventJson,
  tickerEventJson,
  tickerStats,
  tradeEventJson,
} from '../binance-format.js';
import type { FaultInjector } from '../faults.js';
import type { SimulatorContext } from '../simulator-context.js';

const DEPTH_INTERVAL_MS = 100;
const KINDS = new Set([
  'trade',
  'aggTrade',
  'depth',
  'depth@100ms',
  'depth@1000ms',
  'ticker',
  'miniTicker',
  'bookTicker',
]);

interface Connection {
  ws: WebSocket;
  combined: boolean;
  streams: Set<string>;
}

/** One instrument's depth changes since the last push. */
interface DepthBatch {
  first: number;
  last: number;
  bids: Map<string, string>;
  asks: Map<string, string>;
}

export class MarketStreams {
  private readonly subscribers = new Map<string, Set<Connection>>();
  private readonly connections = new Set<Connection>();
  private readonly batches = new Map<string, DepthBatch>();
  private readonly lastBookTicker = new Map<string, string>();
  private readonly timers: NodeJS.Timeout[] = [];

  constructor(
    private readonly context: SimulatorContext,
    private readonly faults: FaultInjector,
    tickerIntervalMs: number,
  ) {
    this.timers.push(setInterval(() => this.flushDepth(), DEPTH_INTERVAL_MS));
    this.timers.push(setInterval(() => this.pushTickers(), tickerIntervalMs));
    for (const timer of this.timers) timer.unref();
  }

  /** A new market websocket; `initial` are the streams named in its URL. */
  attach(ws: WebSocket, combined: boolean, initial: readonly string[]): void {
    const connection: Connection = { ws, combined, streams: new Set() };
    this.connections.add(connection);
    for (const stream of initial) if (this.validStream(stream)) this.subscribe(connection, stream);
    ws.on('message', (data, isBinary) => this.onMessage(connection, isBinary ? '' : data.toString()));
    ws.on('close', () => this.detach(connection));
    ws.on('error', () => this.detach(connection));
  }

  /** How many connections receive `stream` (lets tests wait for a SUBSCRIBE to land). */
  subscriberCount(stream: string): number {
    return this.subscribers.get(stream)?.size ?? 0;
  }

  onPublicTrade(trade: PublicTrade): void {
    const id = this.context.symbols.id(trade.instrument).toLowerCase();
    const tradeStream = `${id}@trade`;
    const aggStream = `${id}@aggTrade`;
    if (this.subscribers.has(tradeStream))
      this.publish(tradeStream, tradeEventJson(trade, this.context.symbols, Date.now()));
    if (this.subscribers.has(aggStream))
      this.publish(aggStream, aggTradeEventJson(trade, this.context.symbols, Date.now()));
  }

  onDepthUpdate(update: DepthUpdate): void {
    const id = this.context.symbols.id(update.instrument).toLowerCase();
    if (this.hasDepthSubscribers(id)) {
      let batch = this.batches.get(update.instrument);
      if (batch === undefined) {
        batch = { first: update.firstUpdateId, last: update.lastUpdateId, bids: new Map(), asks: new Map() };
        this.batches.set(update.instrument, batch);
      }
      batch.last = update.lastUpdateId;
      for (const level of update.bids) batch.bids.set(level.price, level.amount);
      for (const level of update.asks) batch.asks.set(level.price, level.amount);
    }
    const bookTickerStream = `${id}@bookTicker`;
    if (this.subscribers.has(bookTickerStream))
      this.pushBookTicker(update.instrument, bookTickerStream, update.lastUpdateId);
  }

  /** Closes every market websocket (the dropWebsockets fault and shutdown). */
  dropAll(): void {
    for (const connection of [...this.connections]) {
      connection.ws.terminate();
      this.detach(connection);
    }
  }

  close(): void {
    for (const timer of this.timers) clearInterval(timer);
    this.dropAll();
  }

  private onMessage(connection: Connection, text: string): void {
    let message: unknown;
    try {
      message = JSON.parse(text);
    } catch {
      this.send(connection, { error: { code: 3, msg: 'Invalid JSON: expected a JSON object' }, id: null });
      return;
    }
    if (message === null || typeof message !== 'object' || Array.isArray(message)) {
      this.send(connection, { error: { code: 3, msg: 'Invalid JSON: expected a JSON object' }, id: null });
      return;
    }
    const { method, params, id } = message as { method?: unknown; params?: unknown; id?: unknown };
    const requestId = typeof id === 'number' || typeof id === 'string' ? id : null;
    if (method === 'LIST_SUBSCRIPTIONS') {
      this.send(connection, { result: [...connection.streams], id: requestId });
      return;
    }
    if (method !== 'SUBSCRIBE' && method !== 'UNSUBSCRIBE') {
      this.send(connection, { error: { code: 2, msg: `Invalid request: unknown method` }, id: requestId });
      return;
    }
    if (!Array.isArray(params) || params.some((p) => typeof p !== 'string')) {
      this.send(connection, {
        error: { code: 2, msg: 'Invalid request: params must be a list of streams' },
        id: requestId,
      });
      return;
    }
    const streams = params as string[];
    const invalid = streams.find((stream) => !this.validStream(stream));
    if (invalid !== undefined) {
      this.send(connection, {
        error: { code: 2, msg: `Invalid request: unknown stream '${invalid}'` },
        id: requestId,
      });
      return;
    }
    for (const stream of streams) {
      if (method === 'SUBSCRIBE') this.subscribe(connection, stream);
      else this.unsubscribe(connection, stream);
    }
    this.send(connection, { result: null, id: requestId });
  }

  private validStream(stream: string): boolean {
    const at = stream.indexOf('@');
    if (at <= 0) return false;
    return this.context.symbols.spec(stream.slice(0, at)) !== undefined && KINDS.has(stream.slice(at + 1));
  }

  private subscribe(connection: Connection, stream: string): void {
    connection.streams.add(stream);
    let set = this.subscribers.get(stream);
    if (set === undefined) {
      set = new Set();
      this.subscribers.set(stream, set);
    }
    set.add(connection);
  }

  private unsubscribe(connection: Connection, stream: string): void {
    connection.streams.delete(stream);
    const set = this.subscribers.get(stream);
    if (set === undefined) return;
    set.delete(connection);
    if (set.size === 0) this.subscribers.delete(stream);
  }

  private detach(connection: Connection): void {
    if (!this.connections.delete(connection)) return;
    for (const stream of [...connection.streams]) this.unsubscribe(connection, stream);
  }

  private hasDepthSubscribers(id: string): boolean {
    return (
      this.subscribers.has(`${id}@depth@100ms`) ||
      this.subscribers.has(`${id}@depth`) ||
      this.subscribers.has(`${id}@depth@1000ms`)
    );
  }

  /** Pushes each instrument's batched changes as one depthUpdate; U..u cover every update id in it. */
  private flushDepth(): void {
    if (this.batches.size === 0) return;
    const now = Date.now();
    for (const [instrument, batch] of this.batches) {
      const id = this.context.symbols.id(instrument);
      const lower = id.toLowerCase();
      // A depthGapNext fault claims the batch starts one id later: the client sees U ≠ previous u + 1.
      const first = this.faults.takeDepthGap(instrument) ? batch.first + 1 : batch.first;
      const payload = {
        e: 'depthUpdate',
        E: now,
        s: id,
        U: first,
        u: batch.last,
        b: [...batch.bids].map(([price, amount]) => [fmt(price), fmt(amount)]),
        a: [...batch.asks].map(([price, amount]) => [fmt(price), fmt(amount)]),
      };
      // @depth and @depth@1000ms are served at the same 100 ms cadence: only the ids matter to clients.
      for (const stream of [`${lower}@depth@100ms`, `${lower}@depth`, `${lower}@depth@1000ms`])
        if (this.subscribers.has(stream)) this.publish(stream, payload);
    }
    this.batches.clear();
  }

  private pushBookTicker(instrument: string, stream: string, updateId: number): void {
    const book = this.context.exchange.depth(instrument, 1);
    const bid = book.bids[0];
    const ask = book.asks[0];
    const key = `${bid?.price}:${bid?.amount}:${ask?.price}:${ask?.amount}`;
    if (this.lastBookTicker.get(instrument) === key) return;
    this.lastBookTicker.set(instrument, key);
    this.publish(stream, {
      u: updateId,
      s: this.context.symbols.id(instrument),
      b: fmt(bid?.price ?? '0'),
      B: fmt(bid?.amount ?? '0'),
      a: fmt(ask?.price ?? '0'),
      A: fmt(ask?.amount ?? '0'),
    });
  }

  private pushTickers(): void {
    const now = Date.now();
    for (const spec of this.context.symbols.all()) {
      const lower = this.context.symbols.id(spec.symbol).toLowerCase();
      const ticker = this.subscribers.has(`${lower}@ticker`);
      const mini = this.subscribers.has(`${lower}@miniTicker`);
      if (!ticker && !mini) continue;
      const stats = tickerStats(this.context.exchange, spec, this.context.symbols);
      if (ticker) this.publish(`${lower}@ticker`, tickerEventJson(stats, this.lastQty(spec), now));
      if (mini) this.publish(`${lower}@miniTicker`, miniTickerEventJson(stats, now));
    }
  }

  private lastQty(spec: InstrumentSpec): string {
    const last = this.context.exchange.publicTrades(spec.symbol, 1);
    return fmt(last.length > 0 ? last[0].amount : '0');
  }

  private publish(stream: string, data: Record<string, unknown>): void {
    const set = this.subscribers.get(stream);
    if (set === undefined) return;
    let raw: string | undefined;
    let combined: string | undefined;
    for (const connection of set) {
      if (connection.combined) {
        combined ??= JSON.stringify({ stream, data });
        sendText(connection.ws, combined);
      } else {
        raw ??= JSON.stringify(data);
        sendText(connection.ws, raw);
      }
    }
  }

  private send(connection: Connection, message: Record<string, unknown>): void {
    sendText(connection.ws, JSON.stringify(message));
  }
}

/** Sends when open; a socket closing under us is not an error worth surfacing. */
export function sendText(ws: WebSocket, text: string): void {
  if (ws.readyState === ws.OPEN) ws.send(text);
}
