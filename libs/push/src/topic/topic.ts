// Topics a client watches: `<stream>/<source>/<key>`. The key is an instrument for market streams (it may
// hold a `/`, as in BTC/USDT, so it is everything after the second `/`), an account for orders and flows,
// a service for system and logs. The source is a venue, a FIX session (`fix:lp1`) or `*`, the
// consolidated view across sources.
import { PushError } from '../push.error.js';

/** Streams whose latest value is all that matters: conflated within a push window. */
export const STATE_STREAMS = ['ticker', 'book', 'candles'] as const;
/** Streams whose every event is delivered, in order, each with a per-topic sequence number. */
export const EVENT_STREAMS = ['trades', 'arb', 'orders', 'flows', 'system', 'logs'] as const;
export const STREAMS = [...STATE_STREAMS, ...EVENT_STREAMS] as const;
export type StreamName = (typeof STREAMS)[number];

/** The consolidated source in a topic; in a pattern, any source (the consolidated one included). */
export const CONSOLIDATED = '*';
export const WILDCARD = '*';

const SOURCE = /^[A-Za-z0-9:_-]{1,64}$/;
const KEY = /^[A-Za-z0-9/:_.=-]{1,128}$/;
const STATE_SET: ReadonlySet<string> = new Set(STATE_STREAMS);
const STREAM_SET: ReadonlySet<string> = new Set(STREAMS);

/** One concrete topic: a stream, a source (or the consolidated `*`) and a key. */
export interface Topic {
  readonly stream: StreamName;
  readonly source: string;
  readonly key: string;
}

/** What a client asks to watch: any level may be `*`, for the whole subtree below it. */
export interface TopicPattern {
  readonly stream: StreamName | typeof WILDCARD;
  readonly source: string;
  readonly key: string;
}

export function isStateStream(stream: StreamName): boolean {
  return STATE_SET.has(stream);
}

export function formatTopic(topic: Topic | TopicPattern): string {
  return `${topic.stream}/${topic.source}/${topic.key}`;
}

/** A concrete topic; `*` is allowed only as the consolidated source. Throws PushError naming the level. */
export function parseTopic(text: string): Topic {
  const pattern = parsePattern(text);
  if (pattern.stream === WILDCARD) throw invalid(text, 'stream', 'a topic names one stream');
  if (pattern.key === WILDCARD) throw invalid(text, 'key', 'a topic names one key');
  return { stream: pattern.stream, source: pattern.source, key: pattern.key };
}

/** A watch pattern: each level a name or `*`. Throws PushError naming the level that is wrong. */
export function parsePattern(text: string): TopicPattern {
  const first = text.indexOf('/');
  const second = first < 0 ? -1 : text.indexOf('/', first + 1);
  if (first < 0 || second < 0) throw invalid(text, 'stream', 'expected <stream>/<source>/<key>');
  const stream = text.slice(0, first);
  const source = text.slice(first + 1, second);
  const key = text.slice(second + 1);
  if (stream !== WILDCARD && !STREAM_SET.has(stream))
    throw invalid(text, 'stream', `unknown stream "${stream}" (one of ${STREAMS.join(', ')} or *)`);
  if (source !== WILDCARD && !SOURCE.test(source))
    throw invalid(text, 'source', 'a venue, a FIX session like fix:lp1, or *');
  if (key !== WILDCARD && (!KEY.test(key) || key.includes('*')))
    throw invalid(text, 'key', 'an instrument like BTC/USDT, an account or a service, or *');
  return { stream: stream as TopicPattern['stream'], source, key };
}

/** Whether the pattern's subtree holds the topic. */
export function matchesPattern(pattern: TopicPattern, topic: Topic): boolean {
  return (
    (pattern.stream === WILDCARD || pattern.stream === topic.stream) &&
    (pattern.source === WILDCARD || pattern.source === topic.source) &&
    (pattern.key === WILDCARD || pattern.key === topic.key)
  );
}

function invalid(text: string, field: string, why: string): PushError {
  return new PushError('INVALID_TOPIC', `topic "${text}": ${field}: ${why}`, field);
}
