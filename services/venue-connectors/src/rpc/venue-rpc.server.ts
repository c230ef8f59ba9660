import {
  decodePayload,
  encodePayload,
  VENUE_OP_NAMES,
  VENUE_OPS,
  type ReplyEnvelope,
  type Subjects,
  type VenueOp,
} from '@tm/contracts';
import { replyErrorOf, type DeadLetterPublisher, type NatsLink } from '@tm/messaging';
import type { Logger } from '@tm/telemetry';
import { VenueError } from '@tm/venues';
import type { Subscription, Msg } from '@nats-io/transport-node';
import type { VenueSession } from '../sessions/venue-session.js';
import { VENUE_RPC_HANDLERS } from './operations/index.js';

/** Replicas share the requests of a venue account: each request is answered once. */
export const VENUE_RPC_QUEUE = 'venue-connectors';

/**
 * Venue RPC on NATS, `tm.venue.<venue>.<account>.<op>`: each request validated against its op's schema
 * (an invalid one is answered INVALID_PAYLOAD with the failing fields and dead-lettered), handled by the
 * op's handler, answered with the reply envelope; a venue failure answers its venue code, never a stack.
 */
export class VenueRpcServer {
  private readonly subscriptions: Subscription[] = [];
  private inFlight = 0;

  constructor(
    private readonly link: NatsLink,
    private readonly subjects: Subjects,
    private readonly deadLetters: DeadLetterPublisher,
    private readonly logger: Logger,
  ) {}

  serve(session: VenueSession): void {
    for (const op of VENUE_OP_NAMES) {
      const subject = this.subjects.venueRpc(session.venue, session.account, op);
      this.subscriptions.push(
        this.link.connection.subscribe(subject, {
          queue: VENUE_RPC_QUEUE,
          callback: (error, msg) => {
            if (error) return this.logger.warn({ subject, err: error }, 'venue RPC subscription error');
            void this.handle(session, op, msg);
          },
        }),
      );
    }
  }

  /** Stops taking requests and waits for the ones being handled. */
  async drain(deadline: number): Promise<void> {
    for (const subscription of this.subscriptions.splice(0)) subscription.unsubscribe();
    while (this.inFlight > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  }

  private async handle(session: VenueSession, op: VenueOp, msg: Msg): Promise<void> {
    this.inFlight += 1;
    try {
      const decoded = decodePayload(VENUE_OPS[op].request, msg.data);
      if (!decoded.ok) {
        this.respond(msg, {
          v: 1,
          ok: false,
          error: { code: 'INVALID_PAYLOAD', message: decoded.reason, details: decoded.details },
        });
        await this.deadLetters
          .send({ subject: msg.subject, payload: msg.data, reason: decoded.reason })
          .catch((error: unknown) => this.logger.warn({ err: error }, 'dead letter not sent'));
        return;
      }
      const handler = VENUE_RPC_HANDLERS[op] as (s: VenueSession, r: unknown) => Promise<unknown>;
      const result = await handler(session, decoded.value);
      this.respond(msg, { v: 1, ok: true, result });
    } catch (error) {
      const reply = replyErrorOf(this.replyable(error));
      // A venue refusal or a deliberate answer (UNSUPPORTED) is no fault of ours; anything else is.
      if (reply.code === 'INTERNAL') this.logger.error({ op, err: error }, 'venue RPC failed');
      this.respond(msg, { v: 1, ok: false, error: reply });
    } finally {
      this.inFlight -= 1;
    }
  }

  /** A VenueError answers its code, its field as a detail and the wait the venue asked for. */
  private replyable(error: unknown): unknown {
    if (!(error instanceof VenueError)) return error;
    return Object.assign(new Error(error.message), {
      code: error.code,
      ...(error.field ? { details: [`${error.field}: ${error.message}`] } : {}),
      ...(error.retryAfterMs !== undefined ? { retryAfterMs: error.retryAfterMs } : {}),
    });
  }

  private respond(msg: Msg, envelope: ReplyEnvelope<unknown>): void {
    if (!msg.reply) return;
    try {
      msg.respond(encodePayload(envelope));
    } catch (error) {
      this.logger.warn({ err: error }, 'venue RPC reply not sent');
    }
  }
}
