/** The 16 lifecycle states, as they appear on the wire. Transitions live in @tm/lifecycle. */
export const LIFECYCLE_STATES = [
  'Init',
  'Deploying',
  'Deployed',
  'Running',
  'Pausing',
  'Paused',
  'Stopping',
  'Stopped',
  'Reconfiguring',
  'Reconfigured',
  'Undeploying',
  'Undeployed',
  'Parked',
  'Error',
  'Exited',
  'Waiting',
] as const;
export type LifecycleState = (typeof LIFECYCLE_STATES)[number];

/** The four nesting levels: Platform ⊃ Feature ⊃ Application ⊃ Application-feature. */
export const LIFECYCLE_LEVELS = ['platform', 'feature', 'application', 'application-feature'] as const;
export type LifecycleLevel = (typeof LIFECYCLE_LEVELS)[number];
