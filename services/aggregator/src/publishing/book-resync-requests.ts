import { encodePayload, type BookResyncRequestV1, type Subjects } from '@tm/contracts';
import type { NatsConnection } from '@nats-io/transport-node';
import { instrumentSlot } from '@tm/sharding';

/** Asked again no sooner than this for one source's book of one instrument. */
const MIN_REQUEST_INTERVAL_MS = 1_000;

/**
 * Asks the venue session streaming a source for a fresh snapshot of a book this instance cannot trust
 * (it took the slot over, or the book crossed), on `tm.md.resync.<slot>`, at most once a second per book.
 */
export class BookResyncRequests {
  sent = 0;
  private readonly lastSent = new Map<string, number>();

  constructor(
    private readonly nc: NatsConnection,
    private readonly subjects: Subjects,
    private readonly clock: () => number = Date.now,
  ) {}

  request(instrument: string, source: string): void {
    const key = `${source}\u0000${instrument}`;
    const now = this.clock();
    if (now - (this.lastSent.get(key) ?? Number.NEGATIVE_INFINITY) < MIN_REQUEST_INTERVAL_MS) return;
    this.lastSent.set(key, now);
    const request: BookResyncRequestV1 = { v: 1, instrument, source };
    this.nc.publish(this.subjects.mdResync(instrumentSlot(instrument)), encodePayload(request));
    this.sent += 1;
  }
}
