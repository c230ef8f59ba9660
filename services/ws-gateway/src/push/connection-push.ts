import type { Subjects } from '@tm/contracts';
import {
  formatTopic,
  isStateStream,
  parsePattern,
  PushWindow,
  WatchSet,
  type PushBatch,
  type Topic,
} from '@tm/push';
import { jsonBytes, type FeedUpdate, type TopicFeed } from './topic-feed.js';
import { subjectsFor } from './topic-subjects.js';

export interface ConnectionPushOptions {
  windowMs: number;
  maxPendingBytes: number;
  maxTopics: number;
  /** Events a new watch of an event topic starts with. */
  backfill: number;
}

/** What a reconnecting client already has: the gateway epoch it was counting in, and each topic's last sequence. */
export interface ResumePoint {
  epoch: string;
  lastSeq: Readonly<Record<string, number>>;
}

export interface WatchResult {
  watching: string[];
  /** Topics the patterns match beyond the connection's cap. */
  truncated: number;
}

/**
 * One socket's watches and outgoing window: its patterns hold NATS interest through the feed, every new
 * topic they cover starts with its latest state or recent events (Pending → Committed), and what arrives
 * afterwards leaves at most once per window.
 */
export class ConnectionPush {
  private readonly watches: WatchSet;
  private readonly window: PushWindow;
  private readonly heldSubjects = new Map<string, string[]>();
  private resumeFrom: ResumePoint | undefined;
  private readonly backfill: number;

  constructor(
    private readonly feed: TopicFeed,
    private readonly subjects: Subjects,
    options: ConnectionPushOptions,
    /** Told of every topic this connection starts or stops watching (the gateway's index). */
    private readonly onTopics: (added: string[], removed: string[]) => void = () => undefined,
  ) {
    this.watches = new WatchSet(options.maxTopics);
    this.backfill = options.backfill;
    this.window = new PushWindow({ windowMs: options.windowMs, maxPendingBytes: options.maxPendingBytes });
  }

  /**
   * Adds patterns (all validated first: one bad pattern changes nothing; throws PushError). Resolves once
   * NATS interest is live at the server, so the watches it commits miss nothing published after the ack.
   */
  async watch(patterns: readonly string[], resume?: ResumePoint): Promise<WatchResult> {
    const parsed = patterns.map(parsePattern);
    if (resume !== undefined) this.resumeFrom = resume;
    parsed.forEach((pattern, i) => {
      const text = formatTopic(pattern);
      this.watches.watch(patterns[i] as string);
      if (this.heldSubjects.has(text)) return;
      const held = subjectsFor(pattern, this.subjects);
      for (const subject of held) this.feed.acquire(subject);
      this.heldSubjects.set(text, held);
    });
    await this.feed.interestLive();
    return this.reexpand();
  }

  unwatch(patterns: readonly string[]): WatchResult {
    for (const pattern of patterns.map(parsePattern)) {
      const text = formatTopic(pattern);
      if (!this.watches.unwatch(text)) continue;
      for (const subject of this.heldSubjects.get(text) ?? []) this.feed.release(subject);
      this.heldSubjects.delete(text);
    }
    return this.reexpand();
  }

  /** Matches the patterns against the topics known now; new topics get their backfill. */
  reexpand(): WatchResult {
    const change = this.watches.expand(this.feed.topics());
    for (const topic of change.removed) this.window.drop(formatTopic(topic));
    for (const topic of change.added) this.start(topic);
    if (change.added.length > 0 || change.removed.length > 0)
      this.onTopics(change.added.map(formatTopic), change.removed.map(formatTopic));
    return { watching: this.watches.topics().map(formatTopic), truncated: change.truncated };
  }

  /** Queues an update for the next push; true when it cut an event topic (the client fell behind). */
  offer(update: FeedUpdate): boolean {
    const state = this.watches.state(update.topic);
    if (state === undefined || state === 'Unwatched') return false;
    if (update.seq === undefined) {
      this.window.offerState(update.text, update.value, update.bytes);
      return false;
    }
    // The events before this one are gone for good (the stream no longer keeps them): said, never a silent hole.
    if (update.gapAfter !== undefined) this.window.markGap(update.text, update.gapAfter, update.seq - 1);
    if (this.window.offerEvent(update.text, update.seq, update.value, update.bytes) !== 'overflow')
      return false;
    this.watches.machine(update.topic).transition('RePending', 'the connection fell behind: events dropped');
    return true;
  }

  take(nowMs: number): PushBatch | null {
    return this.window.take(nowMs);
  }

  get hasPending(): boolean {
    return this.window.hasPending;
  }

  get pendingBytes(): number {
    return this.window.pendingBytes;
  }

  close(): void {
    for (const held of this.heldSubjects.values()) for (const subject of held) this.feed.release(subject);
    this.heldSubjects.clear();
    this.onTopics([], this.watches.clear().map(formatTopic));
  }

  private start(topic: Topic): void {
    const text = formatTopic(topic);
    if (isStateStream(topic.stream)) {
      const state = this.feed.latestState(topic);
      if (state !== undefined) this.window.offerState(text, state, jsonBytes(state));
    } else {
      // A resumed topic gets exactly what follows the client's last sequence, or is told of the gap.
      const lastSeq = this.resumeFrom?.lastSeq[text];
      const resume = lastSeq === undefined ? undefined : { epoch: this.resumeFrom?.epoch ?? '', lastSeq };
      const { events, gap } = this.feed.eventsAfter(topic, this.backfill, resume);
      if (gap !== undefined) this.window.markGap(text, gap.lastSeq, gap.continueAfter);
      else if (resume !== undefined) this.window.resume(text, resume.lastSeq);
      for (const event of events) this.window.offerEvent(text, event.seq, event.value, event.bytes);
    }
    this.watches.machine(topic).transition('Committed', 'interest live, backfill queued');
  }
}
