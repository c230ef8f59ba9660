// Serves FIX clients' MarketDataRequests from the aggregator's consolidated book: snapshots asked of the slot's
// owner (`mdSnapshot`), live updates from `mdAgg`, one NATS subscription per slot shared by every session.
import { errors, type Msg, type NatsConnection, type Subscription } from '@nats-io/transport-node';
import {
  AggregateV1,
  decodePayload,
  encodePayload,
  replyEnvelope,
  type AggregateSnapshotRequestV1,
  type Subjects,
} from '@tm/contracts';
import type { DeadLetterInput } from '@tm/messaging';
import { instrumentSlot } from '@tm/sharding';
import {
  MARKET_DATA_MSG_TYPE,
  MD_REQ_REJ_REASON,
  type MarketDataMsgType,
  type MdReqRejReason,
} from './market-data-fix.js';
import { incrementalOf, rejectOf, snapshotOf } from './market-data-messages.js';
import { parseMarketDataRequest, type MarketDataRequest } from './market-data-request.js';

/** What the desk needs of a FIX session: the session layer (jspurefix AsciiSession) adds header and trailer. */
export interface MarketDataSession {
  readonly key: string;
  /** Symbols this session may have subscribed at once, across all its MDReqIDs. */
  readonly maxSubscriptions: number;
  /** msgType is 'W', 'X' or 'Y'. */
  send(msgType: string, obj: object): void;
}

/** The slice of a pino logger the desk writes to. */
export interface MarketDataLogger {
  warn(obj: object, msg?: string): void;
}

export interface MarketDataDeskOptions {
  nc: NatsConnection;
  subjects: Subjects;
  logger?: MarketDataLogger;
  /** How long a snapshot request waits for the slot's owner before the symbol is refused. */
  snapshotTimeoutMs: number;
  /** Where refused aggregates and snapshot replies go (a DeadLetterPublisher); without it they are only logged. */
  deadLetters?: { send(input: DeadLetterInput): Promise<void> };
}

export interface MarketDataDeskCounters {
  /** MarketDataSnapshotFullRefresh (W) sent. */
  readonly snapshots: number;
  /** MarketDataIncrementalRefresh (X) sent. */
  readonly incrementals: number;
  /** MarketDataRequestReject (Y) sent. */
  readonly rejects: number;
  /** Aggregates and snapshot replies that failed their schema (dead-lettered). */
  readonly refused: number;
}

/** One symbol of one subscription: what it last sent, and what arrived before its first W went out. */
interface Watch {
  readonly symbol: string;
  last: AggregateV1 | undefined;
  pending: AggregateV1 | undefined;
}

interface ActiveSubscription {
  readonly session: MarketDataSession;
  readonly request: MarketDataRequest;
  readonly watches: Map<string, Watch>;
  /** False until the initial W of every symbol went out; updates until then are held in `pending`. */
  live: boolean;
}

interface SlotFeed {
  readonly subscription: Subscription;
  /** Watches (symbol of a subscription) that need this slot. */
  refs: number;
}

type SnapshotResult = { ok: true; aggregate: AggregateV1 } | { ok: false; text: string };

const SNAPSHOT_REPLY = replyEnvelope(AggregateV1);
const silentLogger: MarketDataLogger = { warn: () => undefined };

export class MarketDataDesk {
  private readonly nc: NatsConnection;
  private readonly subjects: Subjects;
  private readonly logger: MarketDataLogger;
  private readonly snapshotTimeoutMs: number;
  private readonly deadLetters: MarketDataDeskOptions['deadLetters'];
  /** session key → MDReqID → subscription. */
  private readonly sessions = new Map<string, Map<string, ActiveSubscription>>();
  /** instrument → the subscriptions watching it: an aggregate is routed by its instrument, since slots are shared. */
  private readonly bySymbol = new Map<string, Set<ActiveSubscription>>();
  private readonly feeds = new Map<number, SlotFeed>();
  private readonly sent = { snapshots: 0, incrementals: 0, rejects: 0, refused: 0 };
  private closed = false;

  constructor(opts: MarketDataDeskOptions) {
    this.nc = opts.nc;
    this.subjects = opts.subjects;
    this.logger = opts.logger ?? silentLogger;
    this.snapshotTimeoutMs = opts.snapshotTimeoutMs;
    this.deadLetters = opts.deadLetters;
  }

  get counters(): MarketDataDeskCounters {
    return { ...this.sent };
  }

  /** W + X + Y sent, for the metrics wiring to come. */
  get messagesSent(): number {
    return this.sent.snapshots + this.sent.incrementals + this.sent.rejects;
  }

  /** NATS subscriptions open on `mdAgg` slots: one per slot however many sessions watch it. */
  get slotSubscriptions(): number {
    return this.feeds.size;
  }

  /** Handles one MarketDataRequest (V). Never rejects: whatever goes wrong is answered with a Y or logged. */
  async request(session: MarketDataSession, message: unknown): Promise<void> {
    try {
      await this.handle(session, message);
    } catch (error) {
      this.logger.warn({ err: error, session: session.key }, 'market data request not handled');
    }
  }

  /** Drops every subscription of a session (logout, disconnect). */
  closeSession(key: string): void {
    for (const active of [...(this.sessions.get(key)?.values() ?? [])]) this.drop(active);
  }

  close(): void {
    this.closed = true;
    for (const feed of this.feeds.values()) feed.subscription.unsubscribe();
    this.feeds.clear();
    this.sessions.clear();
    this.bySymbol.clear();
  }

  private async handle(session: MarketDataSession, message: unknown): Promise<void> {
    if (this.closed) return;
    const parsed = parseMarketDataRequest(message);
    if (!parsed.ok) return this.reject(session, parsed.mdReqId, parsed.reason, parsed.text);
    const { request } = parsed;
    const own = this.sessions.get(session.key);

    if (request.subscriptionRequestType === 'unsubscribe') {
      const active = own?.get(request.mdReqId);
      // No MDReqRejReason means "nothing to unsubscribe"; Y's reason is optional, so Text alone says it.
      if (active === undefined)
        return this.reject(
          session,
          request.mdReqId,
          undefined,
          `no active subscription with MDReqID ${request.mdReqId}`,
        );
      return this.drop(active);
    }

    if (own?.has(request.mdReqId)) {
      return this.reject(
        session,
        request.mdReqId,
        MD_REQ_REJ_REASON.duplicateMdReqId,
        `MDReqID ${request.mdReqId} is already an active subscription of this session`,
      );
    }

    if (request.subscriptionRequestType === 'snapshot') return this.answerSnapshot(session, request);

    const watched = [...(own?.values() ?? [])].reduce((sum, active) => sum + active.watches.size, 0);
    if (watched + request.symbols.length > session.maxSubscriptions) {
      // FIX 4.4 has no "too many subscriptions"; InsufficientBandwidth is what venues use for a capacity limit.
      return this.reject(
        session,
        request.mdReqId,
        MD_REQ_REJ_REASON.insufficientBandwidth,
        `at most ${session.maxSubscriptions} subscribed symbols a session: ${watched} active, ${request.symbols.length} asked`,
      );
    }
    return this.subscribe(session, request);
  }

  private async answerSnapshot(session: MarketDataSession, request: MarketDataRequest): Promise<void> {
    const results = await Promise.all(request.symbols.map((symbol) => this.fetchSnapshot(symbol)));
    if (this.closed) return;
    const refusal = refusalOf(results);
    if (refusal !== undefined)
      return this.reject(session, request.mdReqId, MD_REQ_REJ_REASON.unknownSymbol, refusal);
    for (const result of results)
      if (result.ok) this.send(session, MARKET_DATA_MSG_TYPE.snapshot, snapshotOf(result.aggregate, request));
  }

  private async subscribe(session: MarketDataSession, request: MarketDataRequest): Promise<void> {
    // Registered (and the slots subscribed) before the snapshot is asked for: the MDReqID and the limit are
    // taken at once, and no aggregate published while the snapshot is on its way is missed.
    const active: ActiveSubscription = { session, request, watches: new Map(), live: false };
    let own = this.sessions.get(session.key);
    if (own === undefined) this.sessions.set(session.key, (own = new Map()));
    own.set(request.mdReqId, active);
    try {
      for (const symbol of request.symbols) {
        this.watch(active, symbol);
        active.watches.set(symbol, { symbol, last: undefined, pending: undefined });
      }
    } catch (error) {
      // The connection is closing or closed: undo what was taken, tell the client, carry on.
      this.drop(active);
      this.logger.warn({ err: error, session: session.key }, 'market data subscription not opened');
      return this.reject(
        session,
        request.mdReqId,
        undefined,
        'market data is unavailable, try again shortly',
      );
    }

    const results = await Promise.all(request.symbols.map((symbol) => this.fetchSnapshot(symbol)));
    // Unsubscribed, or its session closed, while the snapshots were on their way.
    if (this.closed || this.sessions.get(session.key)?.get(request.mdReqId) !== active) return;

    const initial = request.symbols.map((symbol, index) => {
      const watch = active.watches.get(symbol) as Watch;
      const result = results[index] as SnapshotResult;
      return { watch, aggregate: newer(result.ok ? result.aggregate : undefined, watch.pending) };
    });
    // A live aggregate that beat a failed snapshot (a slot between owners) is as good as the snapshot.
    const refusal = refusalOf(results.filter((_, index) => initial[index]?.aggregate === undefined));
    if (refusal !== undefined) {
      this.drop(active);
      return this.reject(session, request.mdReqId, MD_REQ_REJ_REASON.unknownSymbol, refusal);
    }
    for (const { watch, aggregate } of initial) {
      if (aggregate === undefined) continue;
      watch.last = aggregate;
      watch.pending = undefined;
      this.send(session, MARKET_DATA_MSG_TYPE.snapshot, snapshotOf(aggregate, request));
    }
    active.live = true;
  }

  private onAggregate(msg: Msg): void {
    const decoded = decodePayload(AggregateV1, msg.data);
    if (!decoded.ok) return this.refuse(msg.subject, msg.data, decoded.reason);
    const aggregate = decoded.value;
    const watchers = this.bySymbol.get(aggregate.instrument);
    if (watchers === undefined) return;
    for (const active of watchers) {
      const watch = active.watches.get(aggregate.instrument);
      if (watch !== undefined) this.update(active, watch, aggregate);
    }
  }

  private update(active: ActiveSubscription, watch: Watch, aggregate: AggregateV1): void {
    if (!active.live) {
      watch.pending = newer(watch.pending, aggregate);
      return;
    }
    const last = watch.last;
    // An older aggregate (a slot handed over between two owners) must not take the client back in time.
    if (last === undefined || aggregate.tsInit <= last.tsInit) return;
    watch.last = aggregate;
    const { request, session } = active;
    const change = incrementalOf(last, aggregate, request);
    if (change === null) return;
    // Full refresh: a W only when something the client sees changed, not on every aggregate (~2 a second).
    if (request.updateType === 'incremental') this.send(session, MARKET_DATA_MSG_TYPE.incremental, change);
    else this.send(session, MARKET_DATA_MSG_TYPE.snapshot, snapshotOf(aggregate, request));
  }

  /**
   * The instrument's AggregateV1 from its slot's owner. Every failure refuses the symbol (Y reason 0) and the
   * client may ask again: NOT_FOUND means the aggregator has no data for it; no responders or a timeout means
   * no owner answered (aggregator down, or the slot between owners), and we cannot tell a real symbol from a typo.
   */
  private async fetchSnapshot(symbol: string): Promise<SnapshotResult> {
    const subject = this.subjects.mdSnapshot(instrumentSlot(symbol));
    const payload: AggregateSnapshotRequestV1 = { v: 1, instrument: symbol };
    let reply: Msg;
    try {
      reply = await this.nc.request(subject, encodePayload(payload), { timeout: this.snapshotTimeoutMs });
    } catch (error) {
      const unanswered =
        error instanceof errors.TimeoutError ||
        (error instanceof errors.RequestError && error.isNoResponders());
      if (!unanswered) this.logger.warn({ err: error, subject }, 'market data snapshot request failed');
      return { ok: false, text: `no market data for ${symbol}: no aggregator answered, try again shortly` };
    }
    const decoded = decodePayload(SNAPSHOT_REPLY, reply.data);
    if (!decoded.ok || (decoded.value.ok && decoded.value.result.instrument !== symbol)) {
      this.refuse(
        subject,
        reply.data,
        decoded.ok ? `snapshot reply for ${symbol} is for another instrument` : decoded.reason,
      );
      return { ok: false, text: `market data for ${symbol} is unavailable` };
    }
    const envelope = decoded.value;
    if (envelope.ok) return { ok: true, aggregate: envelope.result };
    if (envelope.error.code === 'NOT_FOUND')
      return { ok: false, text: `unknown symbol ${symbol}: ${envelope.error.message}` };
    return { ok: false, text: `no market data for ${symbol}: ${envelope.error.message}` };
  }

  /** Subscribes the slot first, so a failing subscribe leaves nothing half-registered. */
  private watch(active: ActiveSubscription, symbol: string): void {
    const slot = instrumentSlot(symbol);
    const feed = this.feeds.get(slot);
    if (feed !== undefined) feed.refs += 1;
    else {
      const subscription = this.nc.subscribe(this.subjects.mdAgg(slot), {
        callback: (error, msg) => {
          if (error === null) this.onAggregate(msg);
        },
      });
      this.feeds.set(slot, { subscription, refs: 1 });
    }
    let watchers = this.bySymbol.get(symbol);
    if (watchers === undefined) this.bySymbol.set(symbol, (watchers = new Set()));
    watchers.add(active);
  }

  private unwatch(active: ActiveSubscription, symbol: string): void {
    const watchers = this.bySymbol.get(symbol);
    watchers?.delete(active);
    if (watchers?.size === 0) this.bySymbol.delete(symbol);
    const slot = instrumentSlot(symbol);
    const feed = this.feeds.get(slot);
    if (feed === undefined) return;
    feed.refs -= 1;
    if (feed.refs > 0) return;
    feed.subscription.unsubscribe();
    this.feeds.delete(slot);
  }

  private drop(active: ActiveSubscription): void {
    const own = this.sessions.get(active.session.key);
    if (own?.get(active.request.mdReqId) !== active) return;
    own.delete(active.request.mdReqId);
    if (own.size === 0) this.sessions.delete(active.session.key);
    for (const symbol of active.watches.keys()) this.unwatch(active, symbol);
  }

  private reject(
    session: MarketDataSession,
    mdReqId: string,
    reason: MdReqRejReason | undefined,
    text: string,
  ): void {
    this.send(session, MARKET_DATA_MSG_TYPE.reject, rejectOf(mdReqId, reason, text));
  }

  private send(session: MarketDataSession, msgType: MarketDataMsgType, obj: object): void {
    try {
      session.send(msgType, obj);
    } catch (error) {
      // A session that went away mid-send is the session layer's to notice; the desk carries on.
      this.logger.warn({ err: error, session: session.key, msgType }, 'market data message not sent');
      return;
    }
    if (msgType === MARKET_DATA_MSG_TYPE.snapshot) this.sent.snapshots += 1;
    else if (msgType === MARKET_DATA_MSG_TYPE.incremental) this.sent.incrementals += 1;
    else this.sent.rejects += 1;
  }

  private refuse(subject: string, payload: Uint8Array, reason: string): void {
    this.sent.refused += 1;
    this.logger.warn({ subject, reason }, 'market data message refused');
    this.deadLetters
      ?.send({ subject, payload, reason })
      .catch((error: unknown) => this.logger.warn({ err: error, subject }, 'dead letter not stored'));
  }
}

function refusalOf(results: readonly SnapshotResult[]): string | undefined {
  const texts = results.flatMap((result) => (result.ok ? [] : [result.text]));
  return texts.length === 0 ? undefined : texts.join('; ');
}

function newer(a: AggregateV1 | undefined, b: AggregateV1 | undefined): AggregateV1 | undefined {
  if (a === undefined) return b;
  if (b === undefined) return a;
  return b.tsInit > a.tsInit ? b : a;
}
