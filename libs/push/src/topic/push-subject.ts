import type { Subjects } from '@tm/contracts';
import { CONSOLIDATED, WILDCARD, type Topic, type TopicPattern } from './topic.js';

// A topic's subject in stream PUSH (ADR 0006): `<root>.push.<stream>.<slot>.<source>.<key>`. A subject
// token cannot hold `.` or `*`: the consolidated source `*` is written `~`, a `.` in a key is written `~`
// (neither alphabet has a `~`, so nothing else is rewritten).
const CONSOLIDATED_TOKEN = '~';

function keyToken(key: string): string {
  return key.replaceAll('.', '~');
}

function sourceToken(source: string): string {
  return source === CONSOLIDATED ? CONSOLIDATED_TOKEN : source;
}

/** Where the owner of `slot` stores the topic's numbered events. */
export function pushSubjectOf(subjects: Subjects, topic: Topic, slot: number): string {
  return subjects.push(topic.stream, slot, sourceToken(topic.source), keyToken(topic.key));
}

/**
 * The subscription that hears every topic of a pattern, whatever its slot. A `*` source in a pattern
 * means every source, the consolidated one included, so it stays a wildcard.
 */
export function pushSubjectOfPattern(subjects: Subjects, pattern: TopicPattern): string {
  return subjects.push(
    pattern.stream,
    '*',
    pattern.source === WILDCARD ? '*' : pattern.source,
    pattern.key === WILDCARD ? '*' : keyToken(pattern.key),
  );
}
