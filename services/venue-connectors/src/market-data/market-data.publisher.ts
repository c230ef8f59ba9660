import { encodePayload, type BookDeltaV1, type Subjects, type TickV1, type TradeV1 } from '@tm/contracts';
import type { NatsLink } from '@tm/messaging';
import { instrumentSlot } from '@tm/sharding';
import type { BookDelta, MarketDataSink, MarketTick, MarketTrade } from '@tm/venues';
import { TradeDeduper } from './trade-deduper.js';

export interface MarketDataCounters {
  ticks: number;
  trades: number;
  duplicateTrades: number;
  books: number;
}

/**
 * Normalised market data of one venue onto `tm.md.{tick,trade,book}.<slot of instrument>`: core NATS
 * publishes (the hot path), which the MD stream captures for the persister. Trades are published once
 * per trade id, across reconnects and gap fills.
 */
export class MarketDataPublisher implements MarketDataSink {
  private readonly dedupe = new TradeDeduper();
  private readonly slots = new Map<string, number>();
  readonly counters: MarketDataCounters = { ticks: 0, trades: 0, duplicateTrades: 0, books: 0 };
  /** Called on every message, for idle-feed detection. */
  onActivity: () => void = () => undefined;

  constructor(
    private readonly link: NatsLink,
    private readonly subjects: Subjects,
    private readonly source: string,
  ) {}

  tick(t: MarketTick): void {
    const payload: TickV1 = {
      v: 1,
      instrument: t.instrument,
      source: this.source,
      bid: t.bid,
      bidSize: t.bidSize,
      ask: t.ask,
      askSize: t.askSize,
      tsEvent: t.tsEvent,
      tsInit: t.tsInit,
    };
    this.counters.ticks += 1;
    this.send(this.subjects.mdTick(this.slotOf(t.instrument)), payload);
  }

  trade(t: MarketTrade): void {
    if (!this.dedupe.firstSighting(t.instrument, t.tradeId)) {
      this.counters.duplicateTrades += 1;
      this.onActivity();
      return;
    }
    const payload: TradeV1 = {
      v: 1,
      instrument: t.instrument,
      source: this.source,
      tradeId: t.tradeId,
      price: t.price,
      amount: t.amount,
      takerSide: t.takerSide,
      tsEvent: t.tsEvent,
      tsInit: t.tsInit,
    };
    this.counters.trades += 1;
    this.send(this.subjects.mdTrade(this.slotOf(t.instrument)), payload);
  }

  book(b: BookDelta): void {
    const payload: BookDeltaV1 = {
      v: 1,
      instrument: b.instrument,
      source: this.source,
      snapshot: b.snapshot,
      bids: b.bids,
      asks: b.asks,
      sequence: b.sequence,
      tsEvent: b.tsEvent,
      tsInit: b.tsInit,
    };
    this.counters.books += 1;
    this.send(this.subjects.mdBook(this.slotOf(b.instrument)), payload);
  }

  private send(subject: string, payload: unknown): void {
    this.onActivity();
    // A dropped NATS connection buffers in the client; a closed one throws, which must not kill the feed.
    try {
      this.link.connection.publish(subject, encodePayload(payload));
    } catch {
      /* NATS closed: the service is stopping */
    }
  }

  private slotOf(instrument: string): number {
    let slot = this.slots.get(instrument);
    if (slot === undefined) {
      slot = instrumentSlot(instrument);
      this.slots.set(instrument, slot);
    }
    return slot;
  }
}
