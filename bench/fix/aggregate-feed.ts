// The bench's stand-in for the aggregator: answers `mdSnapshot` requests for its synthetic instruments with
// a valid AggregateV1 (as the aggregator's SnapshotResponder does) and publishes changing AggregateV1s on
// `mdAgg`, each one moving the best bid's and best ask's sizes so every subscribed FIX session has an X to send.
import type { NatsConnection, Subscription } from '@nats-io/transport-node';
import {
  AggregateSnapshotRequestV1,
  decodePayload,
  encodePayload,
  type AggregateV1,
  type ReplyEnvelope,
  type Subjects,
} from '@tm/contracts';
import { instrumentSlot } from '@tm/sharding';

const SOURCE = 'bench';
const DEPTH = 10;
const CANDLE_MICROS = 60_000_000;

type Level = AggregateV1['book']['bids'][number];

function level(price: number, size: number): Level {
  return { price, size, sources: [{ source: SOURCE, size }] };
}

/** `B01/USDT`, `B02/USDT`, …: unified symbols no venue lists, so nothing else publishes them. */
export function syntheticSymbols(count: number): string[] {
  return Array.from({ length: count }, (_, i) => `B${String(i + 1).padStart(2, '0')}/USDT`);
}

export class AggregateFeed {
  /** Aggregates published on `mdAgg`. */
  published = 0;
  private readonly latest = new Map<string, AggregateV1>();
  private readonly subjectOf = new Map<string, string>();
  private responder: Subscription | undefined;
  private tsInit: number;
  private sequence = 0;

  constructor(
    private readonly nc: NatsConnection,
    private readonly subjects: Subjects,
    readonly symbols: readonly string[],
  ) {
    this.tsInit = Date.now() * 1_000;
    symbols.forEach((symbol, i) => {
      this.subjectOf.set(symbol, subjects.mdAgg(instrumentSlot(symbol)));
      this.latest.set(symbol, this.aggregate(symbol, 100 + i, 0));
    });
  }

  /** Answers snapshot requests for our instruments; stays silent for any other (no aggregator runs meanwhile). */
  startResponder(): void {
    this.responder = this.nc.subscribe(this.subjects.all.mdSnapshot(), {
      callback: (error, msg) => {
        if (error !== null || msg.reply === undefined) return;
        const request = decodePayload(AggregateSnapshotRequestV1, msg.data);
        if (!request.ok) return;
        const aggregate = this.latest.get(request.value.instrument);
        if (aggregate === undefined) return;
        const reply: ReplyEnvelope<AggregateV1> = { v: 1, ok: true, result: aggregate };
        msg.respond(encodePayload(reply));
      },
    });
  }

  stop(): void {
    this.responder?.unsubscribe();
    this.responder = undefined;
  }

  /** Publishes `count` aggregates, round-robin over the instruments, each newer than the last. */
  publish(count: number): void {
    for (let n = 0; n < count; n++) {
      const symbol = this.symbols[this.sequence % this.symbols.length] as string;
      const index = this.sequence % this.symbols.length;
      this.sequence += 1;
      const aggregate = this.aggregate(symbol, 100 + index, this.sequence);
      this.latest.set(symbol, aggregate);
      this.nc.publish(this.subjectOf.get(symbol) as string, encodePayload(aggregate));
    }
    this.published += count;
  }

  /** A 10-level book around `mid`; `step` changes the best levels' sizes (never the prices, so X stays small). */
  private aggregate(instrument: string, mid: number, step: number): AggregateV1 {
    this.tsInit += 1;
    const spread = mid * 0.0005;
    const topSize = 1 + (step % 97) / 100;
    const bids = Array.from({ length: DEPTH }, (_, i) =>
      level(round(mid - spread - i * spread), i === 0 ? topSize : 1 + i),
    );
    const asks = Array.from({ length: DEPTH }, (_, i) =>
      level(round(mid + spread + i * spread), i === 0 ? topSize + 0.5 : 1 + i),
    );
    const bid = bids[0] as Level;
    const ask = asks[0] as Level;
    return {
      v: 1,
      instrument,
      tsInit: this.tsInit,
      sources: [
        {
          source: SOURCE,
          bid: bid.price,
          bidSize: bid.size,
          ask: ask.price,
          askSize: ask.size,
          mid,
          tsEvent: this.tsInit,
          tsInit: this.tsInit,
          ticksPerSec: 0,
          receiveLatencyMicros: null,
          book: 'trusted',
        },
      ],
      book: { bids, asks },
      bestBid: { price: bid.price, size: bid.size, source: SOURCE },
      bestAsk: { price: ask.price, size: ask.size, source: SOURCE },
      lastTrade: null,
      vwap: { candle: null, candleIntervalMicros: CANDLE_MICROS, session: null },
      candles: [],
      comparisons: [],
      arbitrage: [],
    };
  }
}

function round(price: number): number {
  return Math.round(price * 10_000) / 10_000;
}
