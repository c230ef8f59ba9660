import type { VenueError } from '@tm/venues';

/** What the order desk needs of the venue account's rate budget (the shared VenueRateBudget). */
export interface ExecutionThrottle {
  /** Resolves when one message of this kind may go; cancels are served ahead of orders. */
  acquire(kind: 'order' | 'cancel' | 'query'): Promise<unknown>;
  /** The venue said 429/418: every replica pauses this account. */
  penalise(error: VenueError): Promise<unknown>;
}
