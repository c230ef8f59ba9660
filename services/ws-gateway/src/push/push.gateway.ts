import { Inject, Logger, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import {
  ConnectedSocket,
  MessageBody,
  SubscribeMessage,
  WebSocketGateway,
  type OnGatewayConnection,
  type OnGatewayDisconnect,
  type OnGatewayInit,
} from '@nestjs/websockets';
import type { ConfigOf } from '@tm/config';
import { validatePayload, type Subjects } from '@tm/contracts';
import type { DeadLetterPublisher, NatsLink } from '@tm/messaging';
import { PushError } from '@tm/push';
import {
  DEAD_LETTERS,
  NATS_LINK,
  SERVICE_CONFIG,
  SERVICE_IDENTITY,
  SUBJECTS,
  type ServiceIdentity,
} from '@tm/service-host';
import type { Server, Socket } from 'socket.io';
import { z } from 'zod';
import type { wsGatewayConfigSpec } from '../config/ws-gateway.config.js';
import { ConnectionPush, type WatchResult } from './connection-push.js';
import { MarketFeed, type FeedUpdate } from './market-feed.js';

type Config = ConfigOf<typeof wsGatewayConfigSpec>;
const WatchRequestV1 = z.object({
  patterns: z.array(z.string()).min(1).max(100),
  /** A reconnecting client: the epoch of its last push and the last sequence it has per topic. */
  resume: z
    .object({ epoch: z.string().min(1), lastSeq: z.record(z.string(), z.number().int().nonnegative()) })
    .optional(),
});
/** How often windows are checked: a connection still emits at most once per push window. */
const FLUSH_EVERY_MS = 20;

export type WatchAck =
  | ({ ok: true; epoch: string } & WatchResult)
  | { ok: false; error: { code: string; message: string; details?: string[]; field?: string } };

/**
 * The socket.io side: `watch` / `unwatch` with patterns of the watch tree (acknowledged with what is
 * watched), and `push` batches out, at most one per connection per push window.
 */
@WebSocketGateway({ path: '/socket.io', cors: { origin: true } })
export class PushGateway
  implements OnModuleInit, OnApplicationShutdown, OnGatewayInit, OnGatewayConnection, OnGatewayDisconnect
{
  private readonly logger = new Logger('PushGateway');
  private feed!: MarketFeed;
  private readonly connections = new Map<string, { socket: Socket; push: ConnectionPush }>();
  private flushTimer: NodeJS.Timeout | undefined;

  constructor(
    @Inject(SERVICE_CONFIG) private readonly config: Config,
    @Inject(NATS_LINK) private readonly link: NatsLink,
    @Inject(SUBJECTS) private readonly subjects: Subjects,
    @Inject(DEAD_LETTERS) private readonly deadLetters: DeadLetterPublisher,
    @Inject(SERVICE_IDENTITY) private readonly identity: ServiceIdentity,
  ) {}

  onModuleInit(): void {
    this.feed = new MarketFeed(
      `${this.identity.instance}:${this.identity.startedAt}`,
      this.link.connection,
      (updates, newTopics) => this.fanOut(updates, newTopics),
      (refused) =>
        void this.deadLetters
          .send(refused)
          .catch((error: unknown) => this.logger.warn(`dead letter lost: ${String(error)}`)),
    );
    this.flushTimer = setInterval(() => this.flush(), FLUSH_EVERY_MS);
    this.flushTimer.unref();
  }

  /** The keepalive from configuration: socket.io pings every connection this often. */
  afterInit(server: Server): void {
    server.engine.opts.pingInterval = this.config.pingIntervalMs;
  }

  onApplicationShutdown(): void {
    clearInterval(this.flushTimer);
    for (const { push } of this.connections.values()) push.close();
    this.connections.clear();
    this.feed.close();
  }

  handleConnection(socket: Socket): void {
    this.connections.set(socket.id, {
      socket,
      push: new ConnectionPush(this.feed, this.subjects, {
        windowMs: this.config.pushWindowMs,
        maxPendingBytes: this.config.maxPendingBytes,
        maxTopics: this.config.maxTopicsPerConnection,
      }),
    });
  }

  handleDisconnect(socket: Socket): void {
    this.connections.get(socket.id)?.push.close();
    this.connections.delete(socket.id);
  }

  @SubscribeMessage('watch')
  watch(@ConnectedSocket() socket: Socket, @MessageBody() body: unknown): Promise<WatchAck> {
    return this.change(socket, body, (push, request) => push.watch(request.patterns, request.resume));
  }

  @SubscribeMessage('unwatch')
  unwatch(@ConnectedSocket() socket: Socket, @MessageBody() body: unknown): Promise<WatchAck> {
    return this.change(socket, body, (push, request) => push.unwatch(request.patterns));
  }

  /** NATS subjects this gateway listens to now (what its clients watch). */
  interest(): string[] {
    return this.feed.interest();
  }

  private async change(
    socket: Socket,
    body: unknown,
    apply: (
      push: ConnectionPush,
      request: z.infer<typeof WatchRequestV1>,
    ) => WatchResult | Promise<WatchResult>,
  ): Promise<WatchAck> {
    const request = validatePayload(WatchRequestV1, body);
    if (!request.ok)
      return {
        ok: false,
        error: { code: 'INVALID_PAYLOAD', message: request.reason, details: request.details },
      };
    const connection = this.connections.get(socket.id);
    if (connection === undefined)
      return { ok: false, error: { code: 'UNAVAILABLE', message: 'connection closed' } };
    try {
      return { ok: true, epoch: this.feed.epoch, ...(await apply(connection.push, request.value)) };
    } catch (error) {
      if (error instanceof PushError)
        return {
          ok: false,
          error: {
            code: 'INVALID_PAYLOAD',
            message: error.message,
            ...(error.field ? { field: error.field } : {}),
          },
        };
      throw error;
    }
  }

  private fanOut(updates: FeedUpdate[], newTopics: boolean): void {
    for (const { push } of this.connections.values()) {
      // A new topic may fall under a connection's `*`: it starts with its backfill, which holds this update.
      if (newTopics) push.reexpand();
      for (const update of updates) push.offer(update);
    }
  }

  private flush(): void {
    const now = Date.now();
    for (const { socket, push } of this.connections.values()) {
      // A socket still writing the last push gets nothing more yet: its window conflates meanwhile, and
      // its cap bounds what waits, so a slow client never grows the process.
      if (!socket.conn.transport.writable) continue;
      const batch = push.take(now);
      // `at`: when the gateway sent it, so a client (and a test) can see the window is kept.
      if (batch !== null) socket.emit('push', { at: now, epoch: this.feed.epoch, ...batch });
    }
  }
}
