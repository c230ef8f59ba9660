import { PushError } from '../push.error.js';

/**
 * A watch of one topic: Pending until NATS interest is live and its first snapshot (or backlog) went out,
 * Committed while it streams, RePending after a lost connection or a gap until it is whole again,
 * Unwatched at the end.
 */
export const WATCH_STATES = ['Pending', 'Committed', 'RePending', 'Unwatched'] as const;
export type WatchState = (typeof WATCH_STATES)[number];

/** The allowed moves, as data. */
export const WATCH_TRANSITIONS: Readonly<Record<WatchState, readonly WatchState[]>> = {
  Pending: ['Committed', 'Unwatched'],
  Committed: ['RePending', 'Unwatched'],
  RePending: ['Committed', 'Unwatched'],
  Unwatched: [],
};

export interface WatchTransition {
  from: WatchState;
  to: WatchState;
  reason: string;
}

export class WatchMachine {
  private current: WatchState = 'Pending';
  readonly history: WatchTransition[] = [];

  get state(): WatchState {
    return this.current;
  }

  canTransition(to: WatchState): boolean {
    return WATCH_TRANSITIONS[this.current].includes(to);
  }

  transition(to: WatchState, reason: string): void {
    if (!this.canTransition(to)) {
      throw new PushError(
        'ILLEGAL_WATCH_TRANSITION',
        `a watch cannot go from ${this.current} to ${to} (${reason})`,
        'state',
      );
    }
    this.history.push({ from: this.current, to, reason });
    this.current = to;
  }
}
