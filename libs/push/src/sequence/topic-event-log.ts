/** An event of a topic as a gateway holds it: its shared sequence, its value and its JSON size. */
export interface LoggedEvent {
  readonly seq: number;
  readonly value: unknown;
  readonly bytes: number;
}

/** Events that are now in order, to hand on. `gapAfter`: those after it and before the first are lost for good. */
export interface LogAdvance {
  events: LoggedEvent[];
  gapAfter?: number;
}

/** What a watcher gets: kept events after its point, and whether some in between are no longer kept. */
export interface LogReplay {
  events: LoggedEvent[];
  gap?: { lastSeq: number; continueAfter: number };
}

/**
 * One event topic's recent events on a gateway, whole and in sequence order. Until the stream's backfill
 * has been read, nothing is known of where the topic stands and live events wait; afterwards an event
 * beyond the next one waits for the ones before it (a re-read of the stream fills the hole, or says the
 * events are gone).
 */
export class TopicEventLog {
  private readonly kept: LoggedEvent[] = [];
  private readonly early = new Map<number, LoggedEvent>();
  /** The last sequence held in order; undefined until the backfill was read. */
  private last: number | undefined;

  constructor(private readonly keep: number) {}

  get ready(): boolean {
    return this.last !== undefined;
  }

  get lastSeq(): number {
    return this.last ?? 0;
  }

  /** Events that arrived ahead of one still missing. */
  get hasHole(): boolean {
    return this.ready && this.early.size > 0;
  }

  /** A live event. */
  offer(event: LoggedEvent): LogAdvance | undefined {
    if (this.last !== undefined && event.seq <= this.last) return undefined;
    this.early.set(event.seq, event);
    return this.last === undefined ? undefined : this.drain();
  }

  /**
   * What the stream keeps of the topic, read after the live subscription was made. The first read sets
   * where the topic starts here; a later one (to fill a hole) that no longer has the missing events says so.
   */
  fill(events: readonly LoggedEvent[]): LogAdvance | undefined {
    for (const event of events)
      if (this.last === undefined || event.seq > this.last) this.early.set(event.seq, event);
    // Nothing kept and nothing live yet: the topic starts with its next event.
    if (this.early.size === 0) return undefined;
    const first = Math.min(...this.early.keys());
    if (this.last === undefined) {
      this.last = first - 1;
      return this.drain();
    }
    if (first === this.last + 1) return this.drain();
    // The stream has moved past what is missing here: go on, saying where the hole is.
    const gapAfter = this.last;
    this.last = first - 1;
    return { ...this.drain(), gapAfter };
  }

  /** The kept events after `lastSeq` (a resume), or the last `backfill` of them (a first watch). */
  replay(lastSeq: number | undefined, backfill: number): LogReplay {
    if (lastSeq === undefined) return { events: this.kept.slice(-backfill) };
    const held = this.lastSeq;
    if (lastSeq > held) return { events: [], gap: { lastSeq, continueAfter: held } };
    const firstKept = this.kept[0]?.seq ?? held + 1;
    const events = this.kept.filter((event) => event.seq > lastSeq);
    return firstKept > lastSeq + 1 ? { events, gap: { lastSeq, continueAfter: firstKept - 1 } } : { events };
  }

  private drain(): LogAdvance {
    const events: LoggedEvent[] = [];
    let next = (this.last as number) + 1;
    for (let event = this.early.get(next); event !== undefined; event = this.early.get(++next)) {
      this.early.delete(next);
      events.push(event);
      this.kept.push(event);
    }
    this.last = next - 1;
    if (this.kept.length > this.keep) this.kept.splice(0, this.kept.length - this.keep);
    return { events };
  }
}
