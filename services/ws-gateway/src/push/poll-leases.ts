import type { Subjects } from '@tm/contracts';
import { formatTopic, type Topic } from '@tm/push';
import type { TopicFeed } from './topic-feed.js';
import { subjectsFor } from './topic-subjects.js';

/**
 * NATS interest for topics read by polling (a client that lost its socket): each poll keeps its topics'
 * subjects subscribed for `leaseMs` more, so the events between two polls are caught for the next one.
 */
export class PollLeases {
  private readonly leases = new Map<string, { subjects: string[]; until: number }>();
  private readonly sweeper: NodeJS.Timeout;

  constructor(
    private readonly feed: TopicFeed,
    private readonly subjects: Subjects,
    private readonly leaseMs: number,
  ) {
    this.sweeper = setInterval(() => this.sweep(Date.now()), Math.max(100, Math.floor(leaseMs / 4)));
    this.sweeper.unref();
  }

  /** Holds the topics for another lease; resolves once any new interest is live at the server. */
  async hold(topics: readonly Topic[], now: number): Promise<void> {
    let opened = false;
    for (const topic of topics) {
      const text = formatTopic(topic);
      const lease = this.leases.get(text);
      if (lease !== undefined) {
        lease.until = now + this.leaseMs;
        continue;
      }
      const held = subjectsFor(topic, this.subjects);
      for (const subject of held) this.feed.acquire(subject);
      this.leases.set(text, { subjects: held, until: now + this.leaseMs });
      opened = true;
    }
    if (opened) await this.feed.interestLive();
  }

  sweep(now: number): void {
    for (const [text, lease] of this.leases) {
      if (lease.until > now) continue;
      for (const subject of lease.subjects) this.feed.release(subject);
      this.leases.delete(text);
    }
  }

  close(): void {
    clearInterval(this.sweeper);
    this.sweep(Number.POSITIVE_INFINITY);
  }
}
