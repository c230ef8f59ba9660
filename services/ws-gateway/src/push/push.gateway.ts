import { Inject, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
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
import { createStreams, PUSH_EVENTS_KEPT_PER_TOPIC, validatePayload, type Subjects } from '@tm/contracts';
import { provisionStream, type DeadLetterPublisher, type NatsLink } from '@tm/messaging';
import { formatTopic, isStateStream, parsePattern, PushError, type PushBatch, type Topic } from '@tm/push';
import { DEAD_LETTERS, LOGGER, NATS_LINK, SERVICE_CONFIG, SUBJECTS } from '@tm/service-host';
import { MetricsRegistry, type Logger } from '@tm/telemetry';
import type { Server, Socket } from 'socket.io';
import { z } from 'zod';
import { mayWatch } from '../auth/roles.js';
import { TokenService, type Principal } from '../auth/token.service.js';
import type { wsGatewayConfigSpec } from '../config/ws-gateway.config.js';
import { ConnectionPush, type ResumePoint, type WatchResult } from './connection-push.js';
import { TopicFeed, type FeedUpdate } from './topic-feed.js';
import { PollLeases } from './poll-leases.js';
import { WatchRequestV1 } from './push-requests.js';
import { PushMetrics, type ConnectionHold } from './push-metrics.js';
import { TopicWatchers } from './topic-watchers.js';

type Config = ConfigOf<typeof wsGatewayConfigSpec>;
/** The access token, in socket.io's handshake `auth` and in an `auth` message that refreshes it. */
const SocketAuthV1 = z.object({ token: z.string().min(1) });

/** How often windows are checked: a connection still emits at most once per push window. */
const FLUSH_EVERY_MS = 20;
/** Events read back from stream PUSH for one new subscription at most (a `*` over many topics). */
const MAX_BACKFILL_READ = 20_000;

export type PollAnswer = PushBatch & { epoch: string };

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
  private feed!: TopicFeed;
  private readonly connections = new Map<
    string,
    { socket: Socket; push: ConnectionPush; principal: Principal; toldExpired: boolean }
  >();
  /** Socket ids by the topics they watch. */
  private readonly watchers = new TopicWatchers<string>();
  /** Connections with something to send: a flush walks these, not every connection. */
  private readonly pending = new Set<string>();
  private polls!: PollLeases;
  private server: Server | undefined;
  /** Identities of the values in batches, so equal batches are found without encoding them. */
  private readonly valueIds = new WeakMap<object, number>();
  private nextValueId = 0;
  private flushTimer: NodeJS.Timeout | undefined;
  private readonly metrics: PushMetrics;

  constructor(
    @Inject(SERVICE_CONFIG) private readonly config: Config,
    @Inject(NATS_LINK) private readonly link: NatsLink,
    @Inject(SUBJECTS) private readonly subjects: Subjects,
    @Inject(DEAD_LETTERS) private readonly deadLetters: DeadLetterPublisher,
    @Inject(LOGGER) private readonly logger: Logger,
    private readonly tokens: TokenService,
    registry: MetricsRegistry,
  ) {
    this.metrics = new PushMetrics(registry);
  }

  async onModuleInit(): Promise<void> {
    const pushStream = createStreams(this.subjects.root).PUSH;
    const jsm = await this.link.jetstreamManager();
    await provisionStream(jsm, pushStream);
    const reportLost = (error: unknown) => this.logger.warn({ err: error }, 'dead letter not stored');
    this.feed = new TopicFeed({
      nc: this.link.connection,
      js: this.link.jetstream,
      jsm,
      subjects: this.subjects,
      pushStream: pushStream.name,
      // The stream's creation names its numbering: a resume counted in an earlier incarnation is a gap.
      epoch: (await jsm.streams.info(pushStream.name)).created,
      eventsKept: PUSH_EVENTS_KEPT_PER_TOPIC,
      maxBackfillRead: MAX_BACKFILL_READ,
      deliver: (updates, newTopics) => this.fanOut(updates, newTopics),
      refuse: (refused) => void this.deadLetters.send(refused).catch(reportLost),
      onReadFailure: (error, subject) =>
        this.logger.warn({ err: error, subject }, 'kept events not read: the topics start with live ones'),
    });
    this.polls = new PollLeases(this.feed, this.subjects, this.config.pollLeaseMs);
    this.flushTimer = setInterval(() => this.flush(), FLUSH_EVERY_MS);
    this.flushTimer.unref();
    this.metrics.start(() => this.holds());
  }

  /** The keepalive from configuration: socket.io pings every connection this often. */
  afterInit(server: Server): void {
    this.server = server;
    server.engine.opts.pingInterval = this.config.pingIntervalMs;
    // Nothing here reads the upgrade request after the handshake (auth rides in socket.io's CONNECT
    // packet): dropping engine.io's reference frees its headers and parser state for every connection.
    server.engine.on('connection', (raw: { request: unknown }) => {
      raw.request = null;
    });
    // A socket is accepted only with a valid access token; its principal rides on the socket.
    server.use((socket, next) => {
      this.authenticate(socket.handshake.auth).then(
        (check) => {
          if (!check.ok) return next(new Error(`unauthorized: ${check.reason}`));
          socket.data.principal = check.principal;
          next();
        },
        () => next(new Error('unauthorized: invalid')),
      );
    });
  }

  onApplicationShutdown(): void {
    clearInterval(this.flushTimer);
    this.metrics.stop();
    for (const { push } of this.connections.values()) push.close();
    this.connections.clear();
    this.polls.close();
    this.feed.close();
  }

  handleConnection(socket: Socket): void {
    this.connections.set(socket.id, {
      socket,
      principal: socket.data.principal as Principal,
      toldExpired: false,
      push: this.newConnectionPush(socket.id),
    });
  }

  handleDisconnect(socket: Socket): void {
    this.connections.get(socket.id)?.push.close();
    this.connections.delete(socket.id);
    this.pending.delete(socket.id);
  }

  @SubscribeMessage('watch')
  watch(@ConnectedSocket() socket: Socket, @MessageBody() body: unknown): Promise<WatchAck> {
    return this.change(socket, body, (push, request) => push.watch(request.patterns, request.resume), true);
  }

  /** A fresh access token over the open socket: the watches stay, deliveries resume if they had stopped. */
  @SubscribeMessage('auth')
  async refresh(
    @ConnectedSocket() socket: Socket,
    @MessageBody() body: unknown,
  ): Promise<{ ok: true; expiresAt: number } | { ok: false; reason: string }> {
    const connection = this.connections.get(socket.id);
    const check = await this.authenticate(body);
    if (connection === undefined || !check.ok)
      return { ok: false, reason: check.ok ? 'closed' : check.reason };
    if (check.principal.userId !== connection.principal.userId) return { ok: false, reason: 'another user' };
    connection.principal = check.principal;
    // Other gateways on this socket (FlowGateway) read the principal from the socket's data.
    socket.data.principal = check.principal;
    connection.toldExpired = false;
    this.pending.add(socket.id);
    return { ok: true, expiresAt: check.principal.expiresAt };
  }

  @SubscribeMessage('unwatch')
  unwatch(@ConnectedSocket() socket: Socket, @MessageBody() body: unknown): Promise<WatchAck> {
    return this.change(socket, body, (push, request) => push.unwatch(request.patterns));
  }

  private async change(
    socket: Socket,
    body: unknown,
    apply: (push: ConnectionPush, request: WatchRequestV1) => WatchResult | Promise<WatchResult>,
    checkRole = false,
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
      const refused = checkRole
        ? request.value.patterns.find((text) => !mayWatch(connection.principal.role, parsePattern(text)))
        : undefined;
      if (refused !== undefined)
        return {
          ok: false,
          error: { code: 'FORBIDDEN', message: `role ${connection.principal.role} may not watch ${refused}` },
        };
      const result = await apply(connection.push, request.value);
      this.pending.add(socket.id);
      return { ok: true, epoch: this.feed.epoch, ...result };
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

  private async authenticate(auth: unknown) {
    const parsed = validatePayload(SocketAuthV1, auth);
    if (!parsed.ok) return { ok: false as const, reason: 'no access token' };
    return this.tokens.verifyAccessToken(parsed.value.token);
  }

  /**
   * The fallback for a client without its socket: the latest state of each state topic and the events
   * after its resume point (a gap said out loud), with the topics kept subscribed until the next poll.
   */
  async poll(topics: readonly Topic[], resume: ResumePoint | undefined): Promise<PollAnswer> {
    await this.polls.hold(topics, Date.now());
    const answer: PollAnswer = { epoch: this.feed.epoch, states: [], events: [], discontinuities: [] };
    for (const topic of topics) {
      const text = formatTopic(topic);
      if (isStateStream(topic.stream)) {
        const state = this.feed.latestState(topic);
        if (state !== undefined) answer.states.push({ topic: text, value: state });
        continue;
      }
      const lastSeq = resume?.lastSeq[text];
      const { events, gap } = this.feed.eventsAfter(
        topic,
        this.config.eventBackfill,
        lastSeq === undefined ? undefined : { epoch: resume?.epoch ?? '', lastSeq },
      );
      if (gap !== undefined)
        answer.discontinuities.push({ topic: text, lastSeq: gap.lastSeq, reason: 'gap' });
      for (const event of events) answer.events.push({ topic: text, seq: event.seq, value: event.value });
    }
    return answer;
  }

  private newConnectionPush(socketId: string): ConnectionPush {
    return new ConnectionPush(
      this.feed,
      this.subjects,
      {
        windowMs: this.config.pushWindowMs,
        maxPendingBytes: this.config.maxPendingBytes,
        maxTopics: this.config.maxTopicsPerConnection,
        backfill: this.config.eventBackfill,
      },
      (added, removed) => {
        this.watchers.remove(removed, socketId);
        this.watchers.add(added, socketId);
      },
    );
  }

  private fanOut(updates: FeedUpdate[], newTopics: boolean): void {
    // A new topic may fall under a connection's `*` (rare: once per topic): it starts with its backfill,
    // which already holds this update, so the duplicate below is dropped by its sequence or conflated.
    if (newTopics)
      for (const [id, { push }] of this.connections) {
        push.reexpand();
        if (push.hasPending) this.pending.add(id);
      }
    for (const update of updates) {
      const watchers = this.watchers.of(update.text);
      if (watchers === undefined) continue;
      for (const id of watchers) {
        if (this.connections.get(id)?.push.offer(update) === true) this.metrics.overflows += 1;
        this.pending.add(id);
      }
    }
  }

  private flush(): void {
    const now = Date.now();
    // Connections whose batches are equal (same topics, same values, same sequences: the usual case for
    // many clients of one topic) get one emit to all of them: socket.io encodes and frames it once.
    const groups = new Map<string, { batch: PushBatch; ids: string[] }>();
    for (const id of this.pending) {
      const connection = this.connections.get(id);
      if (connection === undefined) {
        this.pending.delete(id);
        continue;
      }
      const { socket, push } = connection;
      // An expired token stops deliveries until a fresh one arrives (`auth`); the watches are kept.
      if (connection.principal.expiresAt <= now) {
        if (!connection.toldExpired)
          socket.emit('token_expired', { expiresAt: connection.principal.expiresAt });
        connection.toldExpired = true;
        this.pending.delete(id);
        continue;
      }
      // A socket still writing the last push gets nothing more yet: its window conflates meanwhile, and
      // its cap bounds what waits, so a slow client never grows the process.
      if (!socket.conn.transport.writable) continue;
      const batch = push.take(now);
      if (!push.hasPending) this.pending.delete(id);
      if (batch === null) continue;
      const key = this.batchKey(batch);
      const group = groups.get(key);
      if (group === undefined) groups.set(key, { batch, ids: [id] });
      else group.ids.push(id);
    }
    for (const { batch, ids } of groups.values()) {
      // `at`: when the gateway sent it, so a client (and a test) can see the window is kept.
      const push = { at: now, epoch: this.feed.epoch, ...batch };
      if (ids.length === 1 || this.server === undefined)
        for (const id of ids) this.connections.get(id)?.socket.emit('push', push);
      // Every connected socket (the ids are a subset of them): the plain broadcast skips the lookup of each id.
      else if (ids.length === this.server.sockets.sockets.size) this.server.emit('push', push);
      else this.server.to(ids).emit('push', push);
    }
  }

  private *holds(): Generator<ConnectionHold> {
    for (const { socket, push } of this.connections.values()) {
      // engine.io's websocket transport keeps the `ws` socket as `socket`; polling has no such buffer.
      const transport = socket.conn.transport as unknown as { socket?: { bufferedAmount?: number } };
      yield { windowBytes: push.pendingBytes, socketBytes: transport.socket?.bufferedAmount ?? 0 };
    }
  }

  private batchKey(batch: PushBatch): string {
    let key = '';
    for (const state of batch.states) key += `s${state.topic}#${this.valueId(state.value)}|`;
    for (const event of batch.events) key += `e${event.topic}:${event.seq}|`;
    for (const cut of batch.discontinuities) key += `d${cut.topic}:${cut.lastSeq}:${cut.reason}|`;
    return key;
  }

  private valueId(value: unknown): string {
    if (typeof value !== 'object' || value === null) return `=${JSON.stringify(value)}`;
    let id = this.valueIds.get(value);
    if (id === undefined) this.valueIds.set(value, (id = this.nextValueId++));
    return String(id);
  }
}
