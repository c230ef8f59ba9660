import { LIFECYCLE_STATES, type LifecycleState } from '@tm/contracts';
import { describe, expect, it } from 'vitest';
import { deriveState, deriveTree, type LifecycleNode } from './lifecycle-derivation.js';
import { DERIVATION_ORDER } from './lifecycle-table.js';

const COUNTED = LIFECYCLE_STATES.filter((state) => state !== 'Parked');

describe('deriveState', () => {
  it('picks, of any two counted states, the one earlier in DERIVATION_ORDER', () => {
    for (const a of COUNTED) {
      for (const b of COUNTED) {
        const worse = DERIVATION_ORDER.indexOf(a) <= DERIVATION_ORDER.indexOf(b) ? a : b;
        expect(deriveState([a, b], 'Init'), `${a} + ${b}`).toBe(worse);
      }
    }
  });

  it('follows the documented order on a mixed set', () => {
    const children: LifecycleState[] = ['Running', 'Exited', 'Undeployed', 'Stopped', 'Paused', 'Deploying'];
    expect(deriveState(children, 'Init')).toBe('Deploying');
    expect(deriveState([...children, 'Waiting'], 'Init')).toBe('Waiting');
    expect(deriveState([...children, 'Waiting', 'Error'], 'Init')).toBe('Error');
    expect(deriveState(['Running', 'Paused'], 'Init')).toBe('Paused');
    expect(deriveState(['Running', 'Stopped', 'Exited'], 'Init')).toBe('Stopped');
  });

  it('ignores Parked children', () => {
    expect(deriveState(['Running', 'Parked'], 'Init')).toBe('Running');
    expect(deriveState(['Parked', 'Paused', 'Parked'], 'Init')).toBe('Paused');
  });

  it('falls back when no child counts', () => {
    expect(deriveState([], 'Running')).toBe('Running');
    expect(deriveState(['Parked', 'Parked'], 'Stopped')).toBe('Stopped');
  });
});

function feature(name: string, state: LifecycleState, extra: Partial<LifecycleNode> = {}): LifecycleNode {
  return { level: 'application-feature', name, state, ...extra };
}

// Platform ⊃ market-data ⊃ aggregator + venue-connectors (with two venue sessions) ⊃ …
function platform(venue: LifecycleState, aggregator: LifecycleState = 'Running'): LifecycleNode {
  return {
    level: 'platform',
    name: 'tm',
    children: [
      {
        level: 'feature',
        name: 'market-data',
        children: [
          { level: 'application', name: 'aggregator/a-1', state: aggregator, since: 5 },
          {
            level: 'application',
            name: 'venue-connectors/v-1',
            state: 'Running',
            since: 7,
            reason: 'started',
            children: [
              feature('binance', venue, { since: 42, reason: 'venue said no' }),
              feature('paper', 'Running'),
              feature('kraken', 'Parked'),
            ],
          },
        ],
      },
      {
        level: 'feature',
        name: 'persistence',
        children: [{ level: 'application', name: 'persister/p-1', state: 'Running' }],
      },
    ],
  };
}

describe('deriveTree', () => {
  it('is Running all the way up when every counted node runs, Parked ignored', () => {
    const tree = deriveTree(platform('Running'));
    expect(tree.state).toBe('Running');
    const marketData = tree.children[0]!;
    expect(marketData).toMatchObject({ level: 'feature', name: 'market-data', state: 'Running' });
    const venues = marketData.children[1]!;
    expect(venues).toMatchObject({ state: 'Running', since: 7, reason: 'started' });
    expect(venues.children.map((child) => [child.name, child.state])).toEqual([
      ['binance', 'Running'],
      ['paper', 'Running'],
      ['kraken', 'Parked'],
    ]);
  });

  it('lifts the worst application-feature through all four levels, with its since and reason', () => {
    const tree = deriveTree(platform('Error'));
    const marketData = tree.children[0]!;
    expect(tree).toMatchObject({ level: 'platform', state: 'Error', since: 42, reason: 'venue said no' });
    expect(marketData).toMatchObject({ state: 'Error', since: 42, reason: 'venue said no' });
    expect(marketData.children[1]).toMatchObject({ level: 'application', state: 'Error', since: 42 });
    expect(tree.children[1]).toMatchObject({ name: 'persistence', state: 'Running' });
  });

  it('takes the worst of an own state and the children', () => {
    expect(deriveTree(platform('Running', 'Stopping')).children[0]!.state).toBe('Stopping');
    expect(deriveTree(platform('Waiting', 'Stopping')).state).toBe('Waiting');
    const app = deriveTree({
      level: 'application',
      name: 'fix-server/f-1',
      state: 'Paused',
      reason: 'operator',
      children: [feature('lp-1', 'Running')],
    });
    expect(app).toMatchObject({ state: 'Paused', reason: 'operator' });
  });

  it('agrees with deriveState over the own state and the children at every node', () => {
    for (const own of COUNTED) {
      for (const child of LIFECYCLE_STATES) {
        const node = deriveTree({
          level: 'application',
          name: 'a',
          state: own,
          children: [feature('f', child)],
        });
        expect(node.state, `${own} with child ${child}`).toBe(deriveState([own, child], own));
      }
    }
  });

  it('keeps its own state when no child counts', () => {
    const node = deriveTree({
      level: 'application',
      name: 'fix-server/f-1',
      state: 'Deployed',
      since: 3,
      children: [feature('client-a', 'Parked')],
    });
    expect(node).toMatchObject({ state: 'Deployed', since: 3 });
  });

  it('an own Parked state stands whatever its children say', () => {
    const node = deriveTree({
      level: 'application',
      name: 'fix-server/f-1',
      state: 'Parked',
      children: [feature('lp-1', 'Error')],
    });
    expect(node.state).toBe('Parked');
    expect(node.children[0]!.state).toBe('Error');
  });

  it('without an own state: Parked when every child is, Init when it has none', () => {
    const parkedFeature = deriveTree({
      level: 'feature',
      name: 'execution',
      children: [{ level: 'application', name: 'fix-server/f-1', state: 'Parked' }],
    });
    expect(parkedFeature.state).toBe('Parked');
    expect(deriveTree({ level: 'platform', name: 'tm' })).toEqual({
      level: 'platform',
      name: 'tm',
      state: 'Init',
      children: [],
    });
  });

  it('a parked application does not count for its platform feature', () => {
    const tree = deriveTree({
      level: 'feature',
      name: 'execution',
      children: [
        { level: 'application', name: 'fix-server/f-1', state: 'Parked', children: [feature('lp', 'Error')] },
        { level: 'application', name: 'flow-engine/e-1', state: 'Running' },
      ],
    });
    expect(tree.state).toBe('Running');
  });
});
