import type { Msg, NatsConnection, Subscription } from '@nats-io/transport-node';
import { NatsContext, ServerNats, type NatsStatus } from '@nestjs/microservices';
import { encodePayload } from '@tm/contracts';
import { lastValueFrom } from 'rxjs';
import type { DeadLetterPublisher } from '../dead-letter-publisher.js';
import { InvalidPayloadError } from '../messaging.exception.js';
import type { MessagingLogger } from '../messaging-logger.js';
import type { NatsLink } from '../nats-link.js';
import { replyErrorOf } from '../reply-error.js';
import { PlatformMessageDeserializer, type PlatformMessage } from './platform-message.deserializer.js';

export interface TmNatsTransportOptions {
  link: NatsLink;
  deadLetters: DeadLetterPublisher;
  /** Defaults to the link's logger. */
  logger?: MessagingLogger;
  /** Queue group of every subscription (a handler's `extras.queue` wins); none by default. */
  queue?: string;
}

/**
 * Nest's NATS transport on the platform's wire format: plain JSON in, `{ v: 1, ok, result | error }` out.
 * It rides the process's NatsLink (never a second connection, never closing it) and dispatches messages
 * itself, so invalid JSON, schema failures and handler exceptions become error replies and dead letters,
 * and nothing a sender does can crash the process or end a subscription.
 */
export class TmNatsTransport extends ServerNats {
  override readonly propagatesEventHandlerErrors = true;
  private readonly link: NatsLink;
  private readonly deadLetters: DeadLetterPublisher;
  private readonly log: MessagingLogger;
  private readonly queue: string | undefined;
  private readonly natsSubscriptions: Subscription[] = [];
  private stopStatus: (() => void) | undefined;

  constructor(opts: TmNatsTransportOptions) {
    super({ deserializer: new PlatformMessageDeserializer() });
    this.link = opts.link;
    this.deadLetters = opts.deadLetters;
    this.log = opts.logger ?? opts.link.logger;
    this.queue = opts.queue;
  }

  override async createNatsClient(): Promise<NatsConnection> {
    return this.link.connection;
  }

  override async handleStatusUpdates(): Promise<void> {
    this.stopStatus = this.link.onStatus((status) =>
      this._status$.next((status === 'up' ? 'connected' : 'disconnected') as NatsStatus),
    );
  }

  override bindEvents(client: NatsConnection): void {
    for (const [channel, handler] of this.messageHandlers) {
      const queue = (handler.extras?.queue as string | undefined) ?? this.queue;
      const subscription = client.subscribe(channel, {
        ...(queue ? { queue } : {}),
        callback: (error, msg) => {
          if (error) return this.log.error({ err: error, channel }, 'nats subscription error');
          void this.handleMessage(channel, msg);
        },
      });
      this.natsSubscriptions.push(subscription);
    }
  }

  /** Drains this transport's subscriptions; the connection belongs to the NatsLink and stays open. */
  override async close(): Promise<void> {
    this.stopStatus?.();
    const subscriptions = this.natsSubscriptions.splice(0);
    await Promise.allSettled(subscriptions.map((subscription) => subscription.drain()));
  }

  override async handleMessage(channel: string, msg: Msg): Promise<void> {
    try {
      const message = (await this.deserializer.deserialize(msg, { channel })) as PlatformMessage;
      if (message.undecodable !== undefined)
        return this.refuse(message, msg, new InvalidPayloadError(message.undecodable));
      const handler = this.getHandlerByPattern(channel);
      if (!handler)
        return this.respond(
          msg,
          encodePayload({
            v: 1,
            ok: false,
            error: { code: 'UNSUPPORTED', message: `no handler for ${channel}` },
          }),
        );
      const context = new NatsContext([msg.subject, msg.headers]);
      try {
        const result: unknown = await lastValueFrom(
          this.transformToObservable(await handler(message.data, context)),
          {
            defaultValue: undefined,
          },
        );
        // Encoded here, so a result that is not JSON-encodable is answered INTERNAL like any other failure.
        if (message.id) this.respond(msg, encodePayload({ v: 1, ok: true, result: result ?? null }));
      } catch (error) {
        this.refuse(message, msg, error);
      }
    } catch (error) {
      this.log.error({ err: error, subject: msg.subject }, 'nats message handling failed');
    }
  }

  private refuse(message: PlatformMessage, msg: Msg, error: unknown): void {
    const replyError = replyErrorOf(error);
    if (error instanceof InvalidPayloadError) {
      this.log.warn({ subject: message.subject, reason: error.message }, 'message refused, dead-lettered');
      this.deadLetters
        .send({
          subject: message.subject,
          payload: message.raw,
          reason: error.message,
          ...(message.headers ? { headers: message.headers } : {}),
        })
        .catch((sendError: unknown) =>
          this.log.error({ err: sendError, subject: message.subject }, 'dead letter lost'),
        );
    } else if (replyError.code === 'INTERNAL') {
      this.log.error({ err: error, subject: message.subject }, 'nats handler failed');
    }
    if (message.id) this.respond(msg, encodePayload({ v: 1, ok: false, error: replyError }));
  }

  private respond(msg: Msg, envelope: Uint8Array): void {
    try {
      msg.respond(envelope);
    } catch (error) {
      this.log.error({ err: error, subject: msg.subject }, 'nats reply failed');
    }
  }
}
