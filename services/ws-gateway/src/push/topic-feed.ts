import { AggregateV1, decodePayload, PushEventV1, type Subjects } from '@tm/contracts';
import {
  formatTopic,
  isStateStream,
  parseTopic,
  PushError,
  readKeptEvents,
  SubjectInterest,
  TopicEventLog,
  type LogAdvance,
  type LoggedEvent,
  type StoredPushEvent,
  type Topic,
} from '@tm/push';
import type { JetStreamClient, JetStreamManager } from '@nats-io/jetstream';
import type { Msg, NatsConnection, Subscription } from '@nats-io/transport-node';
import { aggregateTopics } from './market-topics.js';

/** Topics remembered at most: a flood of made-up instruments cannot grow the catalog without end. */
const MAX_TOPICS = 100_000;
/** How long an event may wait for a missing one before the stream is read again for it. */
const HOLE_WAIT_MS = 500;

export interface FeedUpdate {
  topic: Topic;
  text: string;
  value: unknown;
  /** Its JSON size, measured once for every connection that holds it against its byte cap. */
  bytes: number;
  /** Event topics: the topic's shared sequence (ADR 0006). */
  seq?: number;
  /** Events after this sequence and before `seq` are no longer kept anywhere: the watchers are told. */
  gapAfter?: number;
}

export interface RefusedFeedMessage {
  subject: string;
  payload: Uint8Array;
  reason: string;
}

export interface TopicFeedOptions {
  nc: NatsConnection;
  js: JetStreamClient;
  jsm: JetStreamManager;
  subjects: Subjects;
  /** Stream PUSH: the numbered events of every event topic. */
  pushStream: string;
  /** Names the stream's incarnation: sequences from another one cannot be trusted to line up. */
  epoch: string;
  /** Events each topic keeps here (the stream keeps as many), for resumes and first watches. */
  eventsKept: number;
  /** Events read from the stream for one new subscription at most; past it, each topic's last only. */
  maxBackfillRead: number;
  deliver: (updates: FeedUpdate[], newTopics: boolean) => void;
  refuse: (refused: RefusedFeedMessage) => void;
  onReadFailure: (error: unknown, subject: string) => void;
}

/**
 * What this gateway's clients watch: NATS interest counted per subject (the first watcher subscribes, the
 * last one unsubscribes), the topics known so far (what a `*` expands to), the latest value of each state
 * topic (from the aggregates) and the recent numbered events of each event topic (from stream PUSH: read
 * back when a subscription opens, then live).
 */
export class TopicFeed {
  private readonly subscriptions = new Map<string, Subscription>();
  private readonly interest = new SubjectInterest(
    (subject) => this.open(subject),
    (subject) => {
      this.subscriptions.get(subject)?.unsubscribe();
      this.subscriptions.delete(subject);
    },
  );
  private readonly catalog = new Map<string, Topic>();
  private readonly latest = new Map<string, unknown>();
  private readonly logs = new Map<string, { topic: Topic; log: TopicEventLog; subject: string }>();
  /** Backfills being read: a topic first heard meanwhile waits for them. */
  private readonly reads = new Set<Promise<void>>();
  private readonly holeChecks = new Set<string>();
  private closed = false;
  /** Subjects of stream PUSH start with it; everything else this feed hears is an aggregate. */
  private readonly pushPrefix: string;

  constructor(private readonly opts: TopicFeedOptions) {
    this.pushPrefix = opts.subjects.all.push().slice(0, -1); // `tm.push.>` without its `>`
  }

  get epoch(): string {
    return this.opts.epoch;
  }

  acquire(subject: string): void {
    this.interest.acquire([subject]);
  }

  release(subject: string): void {
    this.interest.release([subject]);
  }

  /**
   * Resolves once the server has every subscription made so far and their backfills are read: nothing
   * published after it is missed, and every topic they cover that the stream keeps is known.
   */
  async interestLive(): Promise<void> {
    await this.opts.nc.flush();
    await Promise.all(this.reads);
  }

  topics(): Iterable<Topic> {
    return this.catalog.values();
  }

  /** The latest value of a state topic, undefined before its first. */
  latestState(topic: Topic): unknown {
    return this.latest.get(formatTopic(topic));
  }

  /**
   * An event topic's kept events for a new watcher: after its resume point (a gap when what follows is no
   * longer kept, or was numbered in another epoch), or the last `backfill` of them.
   */
  eventsAfter(
    topic: Topic,
    backfill: number,
    resume?: { epoch: string; lastSeq: number },
  ): { events: LoggedEvent[]; gap?: { lastSeq: number; continueAfter: number } } {
    const log = this.logs.get(formatTopic(topic))?.log;
    if (log === undefined) return { events: [] };
    if (resume === undefined) return log.replay(undefined, backfill);
    if (resume.epoch !== this.epoch) {
      // Another stream incarnation numbered from 1 again: the client's sequence means nothing here.
      const { events } = log.replay(0, backfill);
      return { events, gap: { lastSeq: resume.lastSeq, continueAfter: (events[0]?.seq ?? 1) - 1 } };
    }
    return log.replay(resume.lastSeq, backfill);
  }

  close(): void {
    this.closed = true;
    for (const subscription of this.subscriptions.values()) subscription.unsubscribe();
    this.subscriptions.clear();
  }

  private open(subject: string): void {
    this.subscriptions.set(
      subject,
      this.opts.nc.subscribe(subject, {
        callback: (error, msg) => {
          if (error === null) this.onMessage(msg);
        },
      }),
    );
    if (!subject.startsWith(this.pushPrefix)) return;
    // The live subscription first, then what the stream kept: together they miss nothing.
    const read: Promise<void> = this.opts.nc
      .flush()
      .then(() => this.readBackfill(subject))
      .finally(() => {
        this.reads.delete(read);
        // Topics heard live while it was read and not in the stream: they start with what was heard.
        if (this.reads.size === 0)
          for (const [text, { log }] of this.logs) if (!log.ready) this.advance(text, undefined);
      });
    this.reads.add(read);
  }

  private async readBackfill(filter: string): Promise<void> {
    try {
      const kept = await readKeptEvents(
        this.opts.js,
        this.opts.jsm,
        this.opts.pushStream,
        filter,
        this.opts.maxBackfillRead,
      );
      for (const refused of kept.refused) this.opts.refuse(refused);
      const byTopic = new Map<string, StoredPushEvent[]>();
      for (const stored of kept.events) {
        let list = byTopic.get(stored.event.topic);
        if (list === undefined) byTopic.set(stored.event.topic, (list = []));
        list.push(stored);
      }
      for (const [text, list] of byTopic) {
        const record = this.logOf(text, (list[0] as StoredPushEvent).subject);
        if (record !== undefined) this.advance(text, record.log.fill(list.map(({ event }) => logged(event))));
      }
    } catch (error) {
      // Not fatal: the topics start with what arrives live, without their backfill.
      if (!this.closed) this.opts.onReadFailure(error, filter);
    }
  }

  private onMessage(msg: Msg): void {
    if (msg.subject.startsWith(this.pushPrefix)) return this.onEvent(msg);
    const decoded = decodePayload(AggregateV1, msg.data);
    if (!decoded.ok)
      return this.opts.refuse({ subject: msg.subject, payload: msg.data, reason: decoded.reason });
    let newTopics = false;
    const updates: FeedUpdate[] = [];
    for (const { topic, value } of aggregateTopics(decoded.value)) {
      const text = formatTopic(topic);
      if (!this.catalog.has(text)) {
        if (this.catalog.size >= MAX_TOPICS) continue;
        this.catalog.set(text, topic);
        newTopics = true;
      }
      this.latest.set(text, value);
      updates.push({ topic, text, value, bytes: jsonBytes(value) });
    }
    this.opts.deliver(updates, newTopics);
  }

  private onEvent(msg: Msg): void {
    const decoded = decodePayload(PushEventV1, msg.data);
    if (!decoded.ok)
      return this.opts.refuse({ subject: msg.subject, payload: msg.data, reason: decoded.reason });
    const record = this.logOf(decoded.value.topic, msg.subject);
    if (record === undefined)
      return this.opts.refuse({
        subject: msg.subject,
        payload: msg.data,
        reason: `topic "${decoded.value.topic}" is not an event topic`,
      });
    this.advance(decoded.value.topic, record.log.offer(logged(decoded.value)));
  }

  /** The topic's log, created on first sight; undefined for what is not an event topic. */
  private logOf(text: string, subject: string) {
    let record = this.logs.get(text);
    if (record !== undefined) return record;
    let topic: Topic;
    try {
      topic = parseTopic(text);
    } catch (error) {
      if (error instanceof PushError) return undefined;
      throw error;
    }
    if (isStateStream(topic.stream) || this.logs.size >= MAX_TOPICS) return undefined;
    record = { topic, log: new TopicEventLog(this.opts.eventsKept), subject };
    this.logs.set(text, record);
    return record;
  }

  /** Hands on what a log put in order; a topic becomes watchable once its log is. */
  private advance(text: string, advance: LogAdvance | undefined): void {
    const record = this.logs.get(text);
    if (record === undefined) return;
    // A topic first heard while no backfill is being read: the stream had nothing older for it.
    if (!record.log.ready && this.reads.size === 0) advance = record.log.fill([]);
    let newTopics = false;
    if (record.log.ready && !this.catalog.has(text)) {
      this.catalog.set(text, record.topic);
      newTopics = true;
    }
    const updates: FeedUpdate[] = (advance?.events ?? []).map((event, i) => ({
      topic: record.topic,
      text,
      value: event.value,
      bytes: event.bytes,
      seq: event.seq,
      ...(i === 0 && advance?.gapAfter !== undefined ? { gapAfter: advance.gapAfter } : {}),
    }));
    if (updates.length > 0 || newTopics) this.opts.deliver(updates, newTopics);
    if (record.log.hasHole) this.checkHole(text);
  }

  /** A missing event may still come (stored out of order); if not, the stream is asked for it. */
  private checkHole(text: string): void {
    if (this.holeChecks.has(text)) return;
    this.holeChecks.add(text);
    const timer = setTimeout(() => {
      const record = this.logs.get(text);
      if (record === undefined || !record.log.hasHole || this.closed) {
        this.holeChecks.delete(text);
        return;
      }
      void readKeptEvents(
        this.opts.js,
        this.opts.jsm,
        this.opts.pushStream,
        record.subject,
        this.opts.eventsKept,
      )
        .then(
          (kept) =>
            this.advance(
              text,
              record.log.fill(
                kept.events.filter(({ event }) => event.topic === text).map(({ event }) => logged(event)),
              ),
            ),
          (error: unknown) => this.opts.onReadFailure(error, record.subject),
        )
        .finally(() => this.holeChecks.delete(text));
    }, HOLE_WAIT_MS);
    timer.unref();
  }
}

function logged(event: PushEventV1): LoggedEvent {
  return { seq: event.seq, value: event.value, bytes: jsonBytes(event.value) };
}

export function jsonBytes(value: unknown): number {
  return Buffer.byteLength(JSON.stringify(value));
}
