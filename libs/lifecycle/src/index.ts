export { DERIVATION_ORDER, isLegalTransition, LIFECYCLE_TRANSITIONS } from './lifecycle-table.js';
export { IllegalTransitionError } from './illegal-transition.exception.js';
export { LifecycleMachine, type TransitionRecord } from './lifecycle-machine.js';
export {
  deriveState,
  deriveTree,
  type DerivedLifecycleNode,
  type LifecycleNode,
} from './lifecycle-derivation.js';
export { LifecycleRecorder } from './lifecycle-recorder.js';
