import { AggregateV1, decodePayload, TradeV1 } from '@tm/contracts';
import { formatTopic, isStateStream, SubjectInterest, type Topic } from '@tm/push';
import type { Msg, NatsConnection, Subscription } from '@nats-io/transport-node';
import { aggregateTopics, tradeTopics, type TopicValue } from './market-topics.js';

/** Events kept per topic for a new watcher (the product's backfill) and for a short resume. */
export const EVENTS_KEPT_PER_TOPIC = 50;
/** Topics remembered at most: a flood of made-up instruments cannot grow the catalog without end. */
const MAX_TOPICS = 100_000;

export interface FeedUpdate {
  topic: Topic;
  text: string;
  value: unknown;
  /** Its JSON size, measured once for every connection that holds it against its byte cap. */
  bytes: number;
  /** Event topics: this gateway's per-topic sequence (ADR 0006 moves it to a shared sequencer). */
  seq?: number;
}

export interface RefusedFeedMessage {
  subject: string;
  payload: Uint8Array;
  reason: string;
}

/**
 * The market data this gateway's clients watch: NATS interest counted per subject (the first watcher
 * subscribes, the last one unsubscribes), the topics seen so far (what a `*` expands to), the latest
 * value of each state topic and the recent events of each event topic.
 */
export class MarketFeed {
  private readonly subscriptions = new Map<string, Subscription>();
  private readonly interest = new SubjectInterest(
    (subject) =>
      this.subscriptions.set(
        subject,
        this.nc.subscribe(subject, {
          callback: (error, msg) => {
            if (error === null) this.onMessage(msg);
          },
        }),
      ),
    (subject) => {
      this.subscriptions.get(subject)?.unsubscribe();
      this.subscriptions.delete(subject);
    },
  );
  private readonly catalog = new Map<string, Topic>();
  private readonly latest = new Map<string, unknown>();
  private readonly recent = new Map<string, { seq: number; value: unknown }[]>();
  private readonly sequences = new Map<string, number>();

  constructor(
    /** Names this gateway's sequence space: a resume from another epoch cannot be trusted to line up. */
    readonly epoch: string,
    private readonly nc: NatsConnection,
    private readonly deliver: (updates: FeedUpdate[], newTopics: boolean) => void,
    private readonly refuse: (refused: RefusedFeedMessage) => void,
  ) {}

  acquire(subject: string): void {
    this.interest.acquire([subject]);
  }

  release(subject: string): void {
    this.interest.release([subject]);
  }

  /** Resolves once the server has every subscription made so far: nothing published after it is missed. */
  interestLive(): Promise<void> {
    return this.nc.flush();
  }

  topics(): Iterable<Topic> {
    return this.catalog.values();
  }

  /** The latest value of a state topic, undefined before its first. */
  latestState(topic: Topic): unknown {
    return this.latest.get(formatTopic(topic));
  }

  /**
   * The kept events of an event topic after a client's resume point. A gap when what follows `lastSeq` is
   * no longer kept, or when it was counted in another epoch (then the sequence starts over: continue after 0).
   */
  eventsAfter(
    topic: Topic,
    resume?: { epoch: string; lastSeq: number },
  ): { events: { seq: number; value: unknown }[]; gap?: { lastSeq: number; continueAfter: number } } {
    const kept = this.recent.get(formatTopic(topic)) ?? [];
    if (resume === undefined) return { events: [...kept] };
    if (resume.epoch !== this.epoch)
      return { events: [...kept], gap: { lastSeq: resume.lastSeq, continueAfter: 0 } };
    const events = kept.filter((event) => event.seq > resume.lastSeq);
    const firstKept = events[0]?.seq ?? (this.sequences.get(formatTopic(topic)) ?? 0) + 1;
    return firstKept > resume.lastSeq + 1
      ? { events, gap: { lastSeq: resume.lastSeq, continueAfter: resume.lastSeq } }
      : { events };
  }

  private onMessage(msg: Msg): void {
    const family = msg.subject.split('.').at(-2);
    let values: TopicValue[];
    if (family === 'agg') {
      const decoded = decodePayload(AggregateV1, msg.data);
      if (!decoded.ok)
        return this.refuse({ subject: msg.subject, payload: msg.data, reason: decoded.reason });
      values = aggregateTopics(decoded.value);
    } else {
      const decoded = decodePayload(TradeV1, msg.data);
      if (!decoded.ok)
        return this.refuse({ subject: msg.subject, payload: msg.data, reason: decoded.reason });
      values = tradeTopics(decoded.value);
    }
    let newTopics = false;
    const updates: FeedUpdate[] = [];
    for (const { topic, value } of values) {
      const text = formatTopic(topic);
      if (!this.catalog.has(text)) {
        if (this.catalog.size >= MAX_TOPICS) continue;
        this.catalog.set(text, topic);
        newTopics = true;
      }
      if (isStateStream(topic.stream)) {
        this.latest.set(text, value);
        updates.push({ topic, text, value, bytes: jsonBytes(value) });
        continue;
      }
      const seq = (this.sequences.get(text) ?? 0) + 1;
      this.sequences.set(text, seq);
      let kept = this.recent.get(text);
      if (kept === undefined) this.recent.set(text, (kept = []));
      kept.push({ seq, value });
      if (kept.length > EVENTS_KEPT_PER_TOPIC) kept.shift();
      updates.push({ topic, text, value, seq, bytes: jsonBytes(value) });
    }
    this.deliver(updates, newTopics);
  }

  close(): void {
    for (const subscription of this.subscriptions.values()) subscription.unsubscribe();
    this.subscriptions.clear();
  }
}

export function jsonBytes(value: unknown): number {
  return Buffer.byteLength(JSON.stringify(value));
}
