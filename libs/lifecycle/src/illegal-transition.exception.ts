import type { LifecycleState } from '@tm/contracts';

/** A transition the table (or the machine's history) does not allow; the code matches ReplyErrorV1's. */
export class IllegalTransitionError extends Error {
  readonly code = 'ILLEGAL_TRANSITION' as const;
  readonly from: LifecycleState;
  readonly to: LifecycleState;
  readonly machine: string;

  /** `why` explains a refusal that the table alone does not (history, terminal state). */
  constructor(machine: string, from: LifecycleState, to: LifecycleState, why?: string) {
    super(`illegal lifecycle transition of ${machine}: ${from} → ${to}${why ? ` (${why})` : ''}`);
    this.name = 'IllegalTransitionError';
    this.machine = machine;
    this.from = from;
    this.to = to;
  }
}
