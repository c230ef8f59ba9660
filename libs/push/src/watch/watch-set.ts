import { PushError } from '../push.error.js';
import { formatTopic, matchesPattern, parsePattern, type Topic, type TopicPattern } from '../topic/topic.js';
import { WatchMachine, type WatchState } from './watch-state.js';

export interface WatchSetChange {
  /** Topics newly watched (Pending), in topic order. */
  added: Topic[];
  /** Topics no pattern holds any more (Unwatched), in topic order. */
  removed: Topic[];
  /** Topics the patterns match beyond the cap: not watched, so the client can be told. */
  truncated: number;
}

interface TopicWatch {
  readonly topic: Topic;
  readonly machine: WatchMachine;
}

const byText = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/**
 * One connection's watches: the patterns it asked for, expanded over the topics that exist, at most
 * `maxTopics` of them. A topic already watched keeps its place when new ones appear, so growing the
 * catalog never silently drops a live watch; new topics take what the cap leaves, in topic order.
 */
export class WatchSet {
  private readonly patterns = new Map<string, TopicPattern>();
  private readonly watches = new Map<string, TopicWatch>();

  constructor(private readonly maxTopics: number) {
    if (!Number.isInteger(maxTopics) || maxTopics < 1)
      throw new PushError(
        'INVALID_TOPIC',
        `maxTopics must be a whole number of at least 1, not ${maxTopics}`,
      );
  }

  /** Adds a pattern (effective at the next expand); throws PushError on a bad one. */
  watch(patternText: string): TopicPattern {
    const pattern = parsePattern(patternText);
    this.patterns.set(formatTopic(pattern), pattern);
    return pattern;
  }

  /** Removes a pattern (effective at the next expand); false when it was not watched. */
  unwatch(patternText: string): boolean {
    return this.patterns.delete(formatTopic(parsePattern(patternText)));
  }

  patternTexts(): string[] {
    return [...this.patterns.keys()].sort(byText);
  }

  /** Matches the patterns against the topics that exist now and applies the difference. */
  expand(catalog: Iterable<Topic>): WatchSetChange {
    const patterns = [...this.patterns.values()];
    const matched = new Map<string, Topic>();
    for (const topic of catalog) {
      if (patterns.some((pattern) => matchesPattern(pattern, topic))) matched.set(formatTopic(topic), topic);
    }
    const removed: Topic[] = [];
    for (const [text, watch] of [...this.watches].sort(([a], [b]) => byText(a, b))) {
      if (matched.has(text)) continue;
      watch.machine.transition('Unwatched', 'no watched pattern holds it');
      this.watches.delete(text);
      removed.push(watch.topic);
    }
    const added: Topic[] = [];
    let truncated = 0;
    for (const text of [...matched.keys()].sort(byText)) {
      if (this.watches.has(text)) continue;
      if (this.watches.size >= this.maxTopics) {
        truncated += 1;
        continue;
      }
      const topic = matched.get(text) as Topic;
      this.watches.set(text, { topic, machine: new WatchMachine() });
      added.push(topic);
    }
    return { added, removed, truncated };
  }

  /** Unwatches everything (the connection closed); returns what was watched. */
  clear(): Topic[] {
    const topics = this.topics();
    for (const watch of this.watches.values()) watch.machine.transition('Unwatched', 'connection closed');
    this.watches.clear();
    this.patterns.clear();
    return topics;
  }

  topics(): Topic[] {
    return [...this.watches.keys()].sort(byText).map((text) => (this.watches.get(text) as TopicWatch).topic);
  }

  state(topic: Topic): WatchState | undefined {
    return this.watches.get(formatTopic(topic))?.machine.state;
  }

  /** The watch's state machine; throws PushError for a topic this connection does not watch. */
  machine(topic: Topic): WatchMachine {
    const watch = this.watches.get(formatTopic(topic));
    if (watch === undefined)
      throw new PushError('UNKNOWN_WATCH', `topic "${formatTopic(topic)}" is not watched here`, 'topic');
    return watch.machine;
  }
}
