import { BookResyncRequestV1, decodePayload, type Subjects } from '@tm/contracts';
import type { DeadLetterPublisher } from '@tm/messaging';
import type { Msg, NatsConnection, Subscription } from '@nats-io/transport-node';
import type { Logger } from '@tm/telemetry';
import type { VenueSession } from '../sessions/venue-session.js';

/** One snapshot per venue and instrument per this long, however many consumers ask. */
const MIN_RESNAPSHOT_INTERVAL_MS = 1_000;

/**
 * Answers `tm.md.resync.*`: a consumer that lost a source's book (an aggregator that took a slot over)
 * gets the book again as a snapshot from the session streaming it, instead of waiting for a reconnect.
 */
export class BookResyncListener {
  private subscription: Subscription | undefined;
  private readonly lastSent = new Map<string, number>();

  constructor(
    private readonly nc: NatsConnection,
    private readonly subjects: Subjects,
    private readonly sessions: () => Iterable<VenueSession>,
    private readonly deadLetters: DeadLetterPublisher,
    private readonly logger: Pick<Logger, 'warn'>,
  ) {}

  start(): void {
    this.subscription ??= this.nc.subscribe(this.subjects.all.mdResync(), {
      callback: (error, msg) => {
        if (error === null) this.handle(msg);
      },
    });
  }

  stop(): void {
    this.subscription?.unsubscribe();
    this.subscription = undefined;
  }

  private handle(msg: Msg): void {
    const request = decodePayload(BookResyncRequestV1, msg.data);
    if (!request.ok) {
      this.deadLetters
        .send({ subject: msg.subject, payload: msg.data, reason: request.reason })
        .catch((error: unknown) => this.logger.warn({ err: error }, 'dead letter not stored'));
      return;
    }
    const { instrument, source } = request.value;
    const key = `${source}\u0000${instrument}`;
    const now = Date.now();
    if (now - (this.lastSent.get(key) ?? Number.NEGATIVE_INFINITY) < MIN_RESNAPSHOT_INTERVAL_MS) return;
    for (const session of this.sessions()) {
      if (session.venue !== source || !session.resnapshot(instrument)) continue;
      this.lastSent.set(key, now);
      return; // one snapshot is enough; another account of the same venue streams the same book
    }
  }
}
