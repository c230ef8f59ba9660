// Where an LP session's books and ticks go: `tm.md.{tick,book}.<slot>` as core NATS publishes, the same way
// venue-connectors publishes a venue's, so the aggregator and the MD stream (persister) see one kind of source.
import type { NatsConnection } from '@nats-io/transport-node';
import { encodePayload, type BookDeltaV1, type Subjects, type TickV1 } from '@tm/contracts';
import { instrumentSlot } from '@tm/sharding';

export interface LpMarketDataSink {
  tick(tick: TickV1): void;
  book(book: BookDeltaV1): void;
}

export class NatsLpMarketDataPublisher implements LpMarketDataSink {
  private readonly slots = new Map<string, number>();

  constructor(
    private readonly nc: NatsConnection,
    private readonly subjects: Subjects,
  ) {}

  tick(tick: TickV1): void {
    this.send(this.subjects.mdTick(this.slotOf(tick.instrument)), tick);
  }

  book(book: BookDeltaV1): void {
    this.send(this.subjects.mdBook(this.slotOf(book.instrument)), book);
  }

  private send(subject: string, payload: TickV1 | BookDeltaV1): void {
    // A dropped NATS connection buffers in the client; a closed one throws, which must not kill the session.
    try {
      this.nc.publish(subject, encodePayload(payload));
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
