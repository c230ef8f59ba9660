import { formatTopic, type Topic } from '../topic/topic.js';

/**
 * Which topics any connection of this gateway watches, counted, so NATS interest follows the clients:
 * the first watcher of a topic opens it, the last one to leave closes it.
 */
export class TopicInterest {
  private readonly watchers = new Map<string, number>();

  constructor(
    private readonly open: (topic: Topic) => void,
    private readonly close: (topic: Topic) => void,
  ) {}

  acquire(topics: readonly Topic[]): void {
    for (const topic of topics) {
      const text = formatTopic(topic);
      const count = this.watchers.get(text) ?? 0;
      this.watchers.set(text, count + 1);
      if (count === 0) this.open(topic);
    }
  }

  release(topics: readonly Topic[]): void {
    for (const topic of topics) {
      const text = formatTopic(topic);
      const count = this.watchers.get(text);
      if (count === undefined) continue;
      if (count > 1) this.watchers.set(text, count - 1);
      else {
        this.watchers.delete(text);
        this.close(topic);
      }
    }
  }

  /** Topics with at least one watcher, sorted. */
  watched(): string[] {
    return [...this.watchers.keys()].sort();
  }
}
