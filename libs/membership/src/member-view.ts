// The set of live members as this instance last saw it. Two sources feed it: the bucket watch (fast,
// but blind to max-age expiry on NATS 2.9) and periodic key listings (the truth, but slower). Each
// observation carries a sequence number so a listing only overrides what the watch said before it.
interface Verdict {
  live: boolean;
  seq: number;
}

export class MemberView {
  private readonly verdicts = new Map<string, Verdict>();
  private seq = 0;

  /** A sequence number to take just before a listing is requested. */
  mark(): number {
    return ++this.seq;
  }

  /** A put (live) or a delete/purge (gone) seen on the watch. */
  observe(key: string, live: boolean): void {
    this.verdicts.set(key, { live, seq: ++this.seq });
  }

  /**
   * The keys a listing returned. It started at `mark`, so what the watch saw after that is newer
   * and stands; everything older is replaced by what the server listed.
   */
  applyListing(keys: Iterable<string>, mark: number): void {
    const listed = new Set(keys);
    for (const [key, verdict] of this.verdicts) {
      if (verdict.seq > mark) continue;
      if (listed.has(key)) verdict.live = true;
      else this.verdicts.delete(key);
    }
    for (const key of listed) if (!this.verdicts.has(key)) this.verdicts.set(key, { live: true, seq: mark });
  }

  /** The live ids, sorted. */
  live(): string[] {
    return [...this.verdicts]
      .filter(([, verdict]) => verdict.live)
      .map(([key]) => key)
      .sort();
  }
}
