import { LIFECYCLE_STATES, type LifecycleState } from '@tm/contracts';
import { describe, expect, it } from 'vitest';
import { DERIVATION_ORDER, isLegalTransition, LIFECYCLE_TRANSITIONS } from './lifecycle-table.js';

// The table of ARCHITECTURE.md ("Lifecycle"), copied by hand so the data is checked against the document.
const ARCHITECTURE_TABLE: Record<LifecycleState, LifecycleState[]> = {
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
};

describe('LIFECYCLE_TRANSITIONS', () => {
  it('is the table of the architecture, one row per state', () => {
    expect(Object.keys(LIFECYCLE_TRANSITIONS).sort()).toEqual([...LIFECYCLE_STATES].sort());
    for (const state of LIFECYCLE_STATES) {
      expect([...LIFECYCLE_TRANSITIONS[state]].sort(), state).toEqual([...ARCHITECTURE_TABLE[state]].sort());
    }
  });

  it('cannot be changed at run time', () => {
    expect(Object.isFrozen(LIFECYCLE_TRANSITIONS)).toBe(true);
  });

  it('isLegalTransition answers from the table for all 16 × 16 pairs', () => {
    let legal = 0;
    for (const from of LIFECYCLE_STATES) {
      for (const to of LIFECYCLE_STATES) {
        const expected = ARCHITECTURE_TABLE[from].includes(to);
        expect(isLegalTransition(from, to), `${from} → ${to}`).toBe(expected);
        if (expected) legal += 1;
      }
    }
    expect(legal).toBe(43);
  });
});

describe('DERIVATION_ORDER', () => {
  const transitional: LifecycleState[] = [
    'Init',
    'Deploying',
    'Deployed',
    'Pausing',
    'Stopping',
    'Reconfiguring',
    'Reconfigured',
    'Undeploying',
  ];

  it('holds every state but Parked, once', () => {
    expect(new Set(DERIVATION_ORDER).size).toBe(DERIVATION_ORDER.length);
    expect([...DERIVATION_ORDER].sort()).toEqual(
      LIFECYCLE_STATES.filter((state) => state !== 'Parked').sort(),
    );
  });

  it('is Error, Waiting, the transitional states, Paused, Stopped, Undeployed, Exited, Running', () => {
    expect(DERIVATION_ORDER.slice(0, 2)).toEqual(['Error', 'Waiting']);
    expect([...DERIVATION_ORDER.slice(2, 10)].sort()).toEqual([...transitional].sort());
    expect(DERIVATION_ORDER.slice(10)).toEqual(['Paused', 'Stopped', 'Undeployed', 'Exited', 'Running']);
  });
});
