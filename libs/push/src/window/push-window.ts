// One connection's outgoing window: at most one emit per `windowMs`. State topics keep only their latest
// value; event topics keep every event in order with its per-topic sequence. Pending bytes are capped:
// a state update replaces the old one (a slow client is conflated, never buffered without bound), and an
// event that would pass the cap drops that topic's pending events for a discontinuity marker, so the
// client knows exactly where its copy stops and the watch goes back to RePending.

export interface StateUpdate {
  topic: string;
  value: unknown;
}

export interface SequencedEvent {
  topic: string;
  seq: number;
  value: unknown;
}

/**
 * The client's copy of `topic` is whole up to `lastSeq` (0 = nothing delivered); what follows is missing.
 * `overflow`: this connection fell behind, and the topic takes nothing more until it is resumed. `gap`: the
 * events after `lastSeq` cannot be replayed any more; what follows in the batch starts later.
 */
export interface Discontinuity {
  topic: string;
  lastSeq: number;
  reason: 'overflow' | 'gap';
}

export interface PushBatch {
  states: StateUpdate[];
  events: SequencedEvent[];
  discontinuities: Discontinuity[];
}

export interface PushWindowOptions {
  windowMs: number;
  /** Bytes held for this connection between emits, at most. */
  maxPendingBytes: number;
}

interface Pending<T> {
  item: T;
  bytes: number;
}

export type EventOffer = 'queued' | 'duplicate' | 'overflow' | 'discontinued';

export class PushWindow {
  private readonly states = new Map<string, Pending<StateUpdate>>();
  private readonly events: Pending<SequencedEvent>[] = [];
  /** Topics cut by an overflow: their events are refused until the watch is whole again (resume). */
  private readonly cut = new Map<string, number>();
  /** The last sequence handed to the connection (queued), per event topic. */
  private readonly lastQueued = new Map<string, number>();
  /** Gaps a resume could not fill, reported with the next batch. */
  private readonly gaps: Discontinuity[] = [];
  private bytes = 0;
  private lastEmitAt = Number.NEGATIVE_INFINITY;

  constructor(private readonly options: PushWindowOptions) {}

  get pendingBytes(): number {
    return this.bytes;
  }

  /** Whether a take() could give something (once the window has passed). */
  get hasPending(): boolean {
    return (
      this.states.size > 0 ||
      this.events.length > 0 ||
      this.gaps.length > 0 ||
      [...this.cut.values()].some((reported) => reported >= 0)
    );
  }

  /**
   * Replaces the topic's pending value, cutting event topics to make room if it must; false when it
   * does not fit even so (the caller re-sends the topic's snapshot once the connection drains).
   */
  offerState(topic: string, value: unknown, bytes: number): boolean {
    const max = this.options.maxPendingBytes;
    const replaced = this.states.get(topic)?.bytes ?? 0;
    if (bytes > max) return false;
    const over = this.bytes - replaced + bytes - max;
    if (over > 0) this.shedEventsFor(over);
    if (this.bytes - replaced + bytes > max) return false;
    this.bytes += bytes - replaced;
    this.states.set(topic, { item: { topic, value }, bytes });
    return true;
  }

  /**
   * Queues an event. `overflow`: it did not fit, the topic's pending events were dropped and a
   * discontinuity at the last sequence the client will have is queued instead. `duplicate`: a sequence at
   * or below one already queued (a backfill meeting the live feed) is ignored. `discontinued`: the topic
   * was cut earlier and takes nothing until `resume(topic, seq)`.
   */
  offerEvent(topic: string, seq: number, value: unknown, bytes: number): EventOffer {
    if (this.cut.has(topic)) return 'discontinued';
    // The same event from a backfill and from the live feed is queued once.
    if (seq <= (this.lastQueued.get(topic) ?? 0)) return 'duplicate';
    if (this.bytes + bytes > this.options.maxPendingBytes) {
      this.discontinue(topic);
      return 'overflow';
    }
    this.events.push({ item: { topic, seq, value }, bytes });
    this.bytes += bytes;
    this.lastQueued.set(topic, seq);
    return 'queued';
  }

  /** The topic is whole again up to `seq` (its gap was replayed or a snapshot sent): events flow again. */
  resume(topic: string, seq: number): void {
    this.cut.delete(topic);
    this.lastQueued.set(topic, seq);
  }

  /**
   * The client resumes `topic` from `lastSeq`, but what follows it is no longer kept: says so with the next
   * batch, and takes the events it does have after `continueAfter`.
   */
  markGap(topic: string, lastSeq: number, continueAfter = lastSeq): void {
    this.gaps.push({ topic, lastSeq, reason: 'gap' });
    // `continueAfter` differs from lastSeq when the sequence started over (another gateway epoch).
    this.lastQueued.set(topic, continueAfter);
  }

  /** Forgets an unwatched topic. */
  drop(topic: string): void {
    const state = this.states.get(topic);
    if (state !== undefined) {
      this.bytes -= state.bytes;
      this.states.delete(topic);
    }
    this.removeEvents((event) => event.topic === topic);
    this.cut.delete(topic);
    this.lastQueued.delete(topic);
    for (let i = this.gaps.length - 1; i >= 0; i--) if (this.gaps[i]?.topic === topic) this.gaps.splice(i, 1);
  }

  /** The batch to emit at `nowMs`, or null when the window has not passed or nothing waits. */
  take(nowMs: number): PushBatch | null {
    if (nowMs - this.lastEmitAt < this.options.windowMs) return null;
    if (!this.hasPending) return null;
    const discontinuities = [...this.cut].filter(([, reported]) => reported >= 0);
    const batch: PushBatch = {
      states: [...this.states.values()].map((p) => p.item),
      events: this.events.map((p) => p.item),
      discontinuities: [
        ...this.gaps.splice(0),
        ...discontinuities.map(([topic, lastSeq]) => ({ topic, lastSeq, reason: 'overflow' as const })),
      ],
    };
    // A discontinuity is reported once; the topic stays cut until resume().
    for (const [topic] of discontinuities) this.cut.set(topic, -1);
    this.states.clear();
    this.events.length = 0;
    this.bytes = 0;
    this.lastEmitAt = nowMs;
    return batch;
  }

  private discontinue(topic: string): void {
    const pendingOfTopic = this.events.filter((p) => p.item.topic === topic);
    // The client will have everything before the first dropped event of this topic.
    const lastSeq =
      pendingOfTopic.length > 0
        ? (pendingOfTopic[0] as Pending<SequencedEvent>).item.seq - 1
        : (this.lastQueued.get(topic) ?? 0);
    this.removeEvents((event) => event.topic === topic);
    this.cut.set(topic, lastSeq);
  }

  /** Makes room for state by cutting the event topics holding the most pending bytes. */
  private shedEventsFor(bytes: number): void {
    const perTopic = new Map<string, number>();
    for (const p of this.events) perTopic.set(p.item.topic, (perTopic.get(p.item.topic) ?? 0) + p.bytes);
    let freed = 0;
    for (const [topic, held] of [...perTopic].sort((a, b) => b[1] - a[1])) {
      if (freed >= bytes) break;
      this.discontinue(topic);
      freed += held;
    }
  }

  private removeEvents(drop: (event: SequencedEvent) => boolean): void {
    let kept = 0;
    for (const p of this.events) {
      if (drop(p.item)) this.bytes -= p.bytes;
      else this.events[kept++] = p;
    }
    this.events.length = kept;
  }
}
