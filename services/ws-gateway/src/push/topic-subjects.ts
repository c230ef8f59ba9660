import { UnifiedSymbol, type Subjects } from '@tm/contracts';
import { isStateStream, pushSubjectOfPattern, WILDCARD, type TopicPattern } from '@tm/push';
import { instrumentSlot } from '@tm/sharding';

/**
 * The NATS subjects that carry a pattern's topics. State streams come from the aggregates: the
 * instrument's slot subject when the key is named, the whole family when it is `*` (a client that watches
 * every instrument makes the gateway hear them all). Event streams come from stream PUSH: one
 * subscription that matches exactly the pattern's topics, whatever their slots.
 */
export function subjectsFor(pattern: TopicPattern, subjects: Subjects): string[] {
  const out: string[] = [];
  const wantsState = pattern.stream === WILDCARD || isStateStream(pattern.stream);
  const wantsEvents = pattern.stream === WILDCARD || !isStateStream(pattern.stream);
  if (wantsState) {
    if (pattern.key === WILDCARD) out.push(subjects.all.mdAgg());
    // A named key that is not an instrument (an account, a service) has no market state.
    else if (UnifiedSymbol.safeParse(pattern.key).success)
      out.push(subjects.mdAgg(instrumentSlot(pattern.key)));
  }
  if (wantsEvents) out.push(pushSubjectOfPattern(subjects, pattern));
  return out;
}
