// The lifecycle rules as data: which transitions are legal, and how a parent's state is derived
// from its children's. Both tables are the ones of ARCHITECTURE.md ("Lifecycle").
import type { LifecycleState } from '@tm/contracts';

/**
 * Legal transitions, `from → to`. Two rows depend on history (see RETURN_ROWS): from Reconfigured
 * and from Waiting, a machine may return only to the state it left; Exited is terminal.
 */
export const LIFECYCLE_TRANSITIONS: Readonly<Record<LifecycleState, readonly LifecycleState[]>> =
  Object.freeze({
    Init: ['Deploying'],
    Deploying: ['Deployed', 'Waiting', 'Error'],
    Deployed: ['Running', 'Undeploying'],
    Running: ['Pausing', 'Reconfiguring', 'Stopping', 'Waiting', 'Error'],
    Pausing: ['Paused', 'Error'],
    Paused: ['Running', 'Reconfiguring', 'Stopping', 'Parked', 'Error'],
    Reconfiguring: ['Reconfigured', 'Error'],
    Reconfigured: ['Running', 'Paused'],
    Waiting: ['Running', 'Deploying', 'Stopping', 'Error'],
    Stopping: ['Stopped', 'Error'],
    Stopped: ['Running', 'Undeploying', 'Parked', 'Exited'],
    Undeploying: ['Undeployed', 'Error'],
    Undeployed: ['Deploying', 'Exited'],
    Parked: ['Deploying', 'Undeploying', 'Exited'],
    Error: ['Deploying', 'Parked', 'Stopping', 'Exited'],
    Exited: [],
  });

/** A row whose return target is "whichever it left" on entering `enteredAt`. */
export interface ReturnRow {
  readonly enteredAt: LifecycleState;
  readonly returns: readonly LifecycleState[];
}

/** Reconfigured → Running, Paused and Waiting → Running, Deploying: only back where it came from. */
export const RETURN_ROWS: Readonly<Partial<Record<LifecycleState, ReturnRow>>> = Object.freeze({
  Reconfigured: { enteredAt: 'Reconfiguring', returns: ['Running', 'Paused'] },
  Waiting: { enteredAt: 'Waiting', returns: ['Running', 'Deploying'] },
});

/**
 * Derivation, worst first: a parent's state is the first state of this list that any of its
 * counted children is in. Error, then Waiting (a dependency is missing), then the transitional
 * states in the order a machine meets them from start-up (Init, Deploying, Deployed, Pausing,
 * Stopping, Reconfiguring, Reconfigured, Undeploying), then Paused, then the states of a switched-off
 * machine (Stopped, Undeployed, Exited), then Running. Parked children do not count (switched off
 * on purpose); with no counted children a node keeps its own state.
 */
export const DERIVATION_ORDER: readonly LifecycleState[] = Object.freeze([
  'Error',
  'Waiting',
  'Init',
  'Deploying',
  'Deployed',
  'Pausing',
  'Stopping',
  'Reconfiguring',
  'Reconfigured',
  'Undeploying',
  'Paused',
  'Stopped',
  'Undeployed',
  'Exited',
  'Running',
]);

export function isLegalTransition(from: LifecycleState, to: LifecycleState): boolean {
  return LIFECYCLE_TRANSITIONS[from].includes(to);
}
