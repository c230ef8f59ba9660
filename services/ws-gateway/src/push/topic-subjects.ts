import { UnifiedSymbol, type Subjects } from '@tm/contracts';
import { WILDCARD, type TopicPattern } from '@tm/push';
import { instrumentSlot } from '@tm/sharding';

/** Market streams this gateway serves; others (orders, flows, system, logs, arb) land with their services. */
const AGGREGATE_STREAMS = new Set(['ticker', 'book', 'candles']);

/**
 * The NATS subjects that carry a pattern's topics: the instrument's slot subject when the key is named,
 * the whole family when it is `*` (a client that watches every instrument makes the gateway hear them all).
 */
export function subjectsFor(pattern: TopicPattern, subjects: Subjects): string[] {
  const out: string[] = [];
  const slot = pattern.key === WILDCARD ? undefined : instrumentSlotOf(pattern.key);
  // A named key that is not an instrument (an account, a service) has no market data.
  if (pattern.key !== WILDCARD && slot === undefined) return out;
  const wants = (stream: string) => pattern.stream === WILDCARD || pattern.stream === stream;
  if ([...AGGREGATE_STREAMS].some(wants))
    out.push(slot === undefined ? subjects.all.mdAgg() : subjects.mdAgg(slot));
  if (wants('trades')) out.push(slot === undefined ? subjects.all.mdTrade() : subjects.mdTrade(slot));
  return out;
}

function instrumentSlotOf(key: string): number | undefined {
  return UnifiedSymbol.safeParse(key).success ? instrumentSlot(key) : undefined;
}
