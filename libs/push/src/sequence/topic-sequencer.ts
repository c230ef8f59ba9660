import { nowMicros, type PushEventV1, type Subjects } from '@tm/contracts';
import { pushSubjectOf } from '../topic/push-subject.js';
import { formatTopic, type Topic } from '../topic/topic.js';

/** Stores one message under its id (a retry of a stored one is deduplicated): ReliablePublisher fits. */
export interface PushEventPublisher {
  publish(subject: string, payload: PushEventV1, msgId: string): Promise<void>;
}

/** The sequence of the topic's last stored event, 0 when it has none. */
export type LastSequenceLookup = (subject: string) => Promise<number>;

export interface TopicSequencerOptions {
  subjects: Subjects;
  publisher: PushEventPublisher;
  lastSequence: LastSequenceLookup;
  /** A failed publish or lookup (a lookup is retried; a publish is retried by the publisher). */
  onFailure: (error: unknown, topic: string) => void;
  /** Events held per topic while its last sequence is read; beyond it they are counted as lost. */
  maxWaitingPerTopic?: number;
  retryLookupMs?: number;
}

interface TopicCounter {
  readonly topic: string;
  readonly subject: string;
  readonly slot: number;
  /** Undefined until the last stored sequence has been read. */
  next: number | undefined;
  waiting: { value: unknown; at: number }[];
}

/**
 * Numbers the events of the topics whose slots this instance owns (ADR 0006): each event gets the topic's
 * previous sequence + 1 and is stored in stream PUSH under the id `<topic>:<seq>`. A topic's counter starts
 * from what the stream holds, so a new owner of a slot goes on where the last one stopped; the membership
 * never lets two instances own a slot at once.
 */
export class TopicSequencer {
  readonly counters = { numbered: 0, lost: 0, failed: 0 };
  private readonly topics = new Map<string, TopicCounter>();
  private readonly maxWaiting: number;
  private readonly retryLookupMs: number;
  private closed = false;

  constructor(private readonly opts: TopicSequencerOptions) {
    this.maxWaiting = opts.maxWaitingPerTopic ?? 10_000;
    this.retryLookupMs = opts.retryLookupMs ?? 1_000;
  }

  /** The next event of `topic`, whose key belongs to `slot`. */
  append(topic: Topic, slot: number, value: unknown): void {
    if (this.closed) return;
    const text = formatTopic(topic);
    let counter = this.topics.get(text);
    if (counter === undefined) {
      counter = {
        topic: text,
        subject: pushSubjectOf(this.opts.subjects, topic, slot),
        slot,
        next: undefined,
        waiting: [],
      };
      this.topics.set(text, counter);
      this.readLast(counter);
    }
    if (counter.next !== undefined) return this.send(counter, value, nowMicros());
    if (counter.waiting.length >= this.maxWaiting) {
      this.counters.lost += 1;
      return;
    }
    counter.waiting.push({ value, at: nowMicros() });
  }

  /** Forgets the counters of slots this instance no longer owns: whoever owns them next reads the stream. */
  forget(owned: (slot: number) => boolean): void {
    for (const [text, counter] of this.topics) {
      if (owned(counter.slot)) continue;
      this.counters.lost += counter.waiting.length;
      this.topics.delete(text);
    }
  }

  close(): void {
    this.closed = true;
    this.topics.clear();
  }

  private readLast(counter: TopicCounter): void {
    this.opts.lastSequence(counter.subject).then(
      (last) => {
        // Forgotten meanwhile (the slot moved): the next owner numbers it.
        if (this.topics.get(counter.topic) !== counter) return;
        counter.next = last + 1;
        for (const { value, at } of counter.waiting.splice(0)) this.send(counter, value, at);
      },
      (error: unknown) => {
        this.opts.onFailure(error, counter.topic);
        const retry = setTimeout(() => {
          if (this.topics.get(counter.topic) === counter && !this.closed) this.readLast(counter);
        }, this.retryLookupMs);
        retry.unref();
      },
    );
  }

  private send(counter: TopicCounter, value: unknown, at: number): void {
    const seq = counter.next as number;
    counter.next = seq + 1;
    this.counters.numbered += 1;
    const event: PushEventV1 = { v: 1, topic: counter.topic, seq, at, value };
    this.opts.publisher.publish(counter.subject, event, `${counter.topic}:${seq}`).catch((error: unknown) => {
      this.counters.failed += 1;
      this.opts.onFailure(error, counter.topic);
    });
  }
}
