import type { LifecycleTransitionV1 } from '@tm/contracts';

/** The application-level states one service walked through, in order. */
export function applicationStates(events: readonly LifecycleTransitionV1[], service: string): string[] {
  return events.filter((e) => e.level === 'application' && e.service === service).map((e) => e.to);
}
