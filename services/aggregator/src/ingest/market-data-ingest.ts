import {
  MarketDataDecoder,
  type BookDeltaV1,
  type MarketDataKind,
  type MarketDataPayload,
  type Subjects,
  type TickV1,
  type TradeV1,
} from '@tm/contracts';
import type { IngestResult, MarketAggregator } from '@tm/aggregation';
import type { Msg, NatsConnection, Subscription } from '@nats-io/transport-node';
import { instrumentSlot } from '@tm/sharding';
import type { OwnedSlots } from './owned-slots.js';

/** A message the ingest refused: the original subject and bytes, and why (for the dead-letter stream). */
export interface RefusedMarketData {
  subject: string;
  payload: Uint8Array;
  reason: string;
}

/** Refusals the ingest itself makes, before the aggregation sees the input. */
export type IngestRefusal = 'invalid_payload' | 'wrong_slot';

export interface IngestCounters {
  /** Messages for slots this instance owns. */
  received: number;
  ingested: number;
  refused: number;
  /** Messages for slots owned by another instance (every instance hears the whole feed). */
  notOwned: number;
}

const NO_SOURCE = '(unknown)';
const MAX_CACHED_SLOTS = 100_000;

/** The decoder checked the payload against the schema of `kind`. */
function ingestInto(
  aggregator: MarketAggregator,
  kind: MarketDataKind,
  payload: MarketDataPayload,
): IngestResult {
  if (kind === 'tick') return aggregator.ingestTick(payload as TickV1);
  if (kind === 'trade') return aggregator.ingestTrade(payload as TradeV1);
  return aggregator.ingestBook(payload as BookDeltaV1);
}

/**
 * Core-NATS subscriptions to the tick, trade and book wildcards: a message of a slot this instance owns
 * is decoded, checked against its slot and handed to the aggregation; anything refused is dead-lettered
 * with its reason and counted per source. Nothing here throws on input.
 */
export class MarketDataIngest {
  readonly counters: IngestCounters = { received: 0, ingested: 0, refused: 0, notOwned: 0 };
  private readonly decoder = new MarketDataDecoder();
  private readonly refusedBySource = new Map<string, Map<IngestRefusal, number>>();
  private readonly instrumentSlots = new Map<string, number>();
  private subscriptions: Subscription[] = [];

  constructor(
    private readonly nc: NatsConnection,
    private readonly subjects: Subjects,
    private readonly aggregator: MarketAggregator,
    private readonly owned: OwnedSlots,
    private readonly refuse: (refused: RefusedMarketData) => void,
    /** A delta arrived for a source whose book is not trusted: that source's book must be sent again. */
    private readonly bookLost: (instrument: string, source: string) => void = () => undefined,
    /** Each trade the aggregation took, in the order it came, with its slot (the push events). */
    private readonly tradeTaken: (trade: TradeV1, slot: number) => void = () => undefined,
  ) {}

  get running(): boolean {
    return this.subscriptions.length > 0;
  }

  start(): void {
    if (this.running) return;
    const all = this.subjects.all;
    const on = (kind: MarketDataKind) => (error: Error | null, msg: Msg) => {
      if (error === null) this.handle(kind, msg.subject, msg.data);
    };
    this.subscriptions = [
      this.nc.subscribe(all.mdTick(), { callback: on('tick') }),
      this.nc.subscribe(all.mdTrade(), { callback: on('trade') }),
      this.nc.subscribe(all.mdBook(), { callback: on('book') }),
    ];
  }

  stop(): void {
    for (const subscription of this.subscriptions) subscription.unsubscribe();
    this.subscriptions = [];
  }

  /** One message; public so the benchmark can measure the path without the network. */
  handle(kind: MarketDataKind, subject: string, data: Uint8Array): void {
    const slot = Number(subject.slice(subject.lastIndexOf('.') + 1));
    if (!this.owned.has(slot)) {
      this.counters.notOwned += 1;
      return;
    }
    this.counters.received += 1;
    const decoded = this.decoder.decode(kind, data);
    if (!decoded.ok) {
      this.refuseOwn(
        MarketDataDecoder.sourceOf(data) ?? NO_SOURCE,
        'invalid_payload',
        subject,
        data,
        decoded.reason,
      );
      return;
    }
    const payload = decoded.value;
    const home = this.slotOf(payload.instrument);
    if (home !== slot) {
      this.refuseOwn(
        payload.source,
        'wrong_slot',
        subject,
        data,
        `instrument ${payload.instrument} belongs to slot ${home}, not ${slot}`,
      );
      return;
    }
    const result = ingestInto(this.aggregator, kind, payload);
    if (result.ok) {
      this.counters.ingested += 1;
      if (kind === 'trade') this.tradeTaken(payload as TradeV1, slot);
      return;
    }
    this.counters.refused += 1;
    // Not bad input: the book is being rebuilt (a moved slot, a crossed book). Counted, not dead-lettered.
    if (result.reason === 'book_awaiting_snapshot') this.bookLost(payload.instrument, payload.source);
    else this.refuse({ subject, payload: data, reason: `${result.reason}: ${result.field}` });
  }

  /** Refusals made here, per source and reason (the aggregation counts its own). */
  refusals(): Record<string, Partial<Record<IngestRefusal, number>>> {
    const out: Record<string, Partial<Record<IngestRefusal, number>>> = {};
    for (const [source, counts] of [...this.refusedBySource].sort(([a], [b]) => (a < b ? -1 : 1)))
      out[source] = Object.fromEntries(counts);
    return out;
  }

  private refuseOwn(
    source: string,
    refusal: IngestRefusal,
    subject: string,
    data: Uint8Array,
    reason: string,
  ): void {
    let counts = this.refusedBySource.get(source);
    if (counts === undefined) this.refusedBySource.set(source, (counts = new Map()));
    counts.set(refusal, (counts.get(refusal) ?? 0) + 1);
    this.counters.refused += 1;
    this.refuse({ subject, payload: data, reason: `${refusal}: ${reason}` });
  }

  private slotOf(instrument: string): number {
    let slot = this.instrumentSlots.get(instrument);
    if (slot === undefined) {
      if (this.instrumentSlots.size >= MAX_CACHED_SLOTS) this.instrumentSlots.clear();
      slot = instrumentSlot(instrument);
      this.instrumentSlots.set(instrument, slot);
    }
    return slot;
  }
}
