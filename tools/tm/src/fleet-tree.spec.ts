import type { InstanceStatusV1 } from '@tm/contracts';
import { describe, expect, it } from 'vitest';
import { judgeHealth } from './commands/health.command.js';
import { parseTarget } from './commands/control.command.js';
import { fleetTree, formatAge, renderTree } from './fleet-tree.js';

const NOW = 1_000_000_000_000;

function status(
  service: string,
  state: InstanceStatusV1['state'],
  features: InstanceStatusV1['features'] = [],
): InstanceStatusV1 {
  return {
    v: 1,
    service,
    instance: `${service}-1`,
    state,
    since: NOW - 5_000_000,
    startedAt: NOW - 60_000_000,
    tsInit: NOW,
    pid: 1,
    host: 'h',
    features,
    dependencies: {},
  };
}

describe('tm health', () => {
  it('is healthy only when every expected service answers Running', () => {
    const all = ['aggregator', 'persister'];
    expect(judgeHealth([status('aggregator', 'Running'), status('persister', 'Running')], all).healthy).toBe(
      true,
    );
    const paused = judgeHealth([status('aggregator', 'Paused'), status('persister', 'Running')], all);
    expect(paused.healthy).toBe(false);
    expect(paused.lines.join('\n')).toContain('NOT OK');
    const missing = judgeHealth([status('aggregator', 'Running')], all);
    expect(missing.healthy).toBe(false);
    expect(missing.lines.join('\n')).toMatch(/persister\s+MISSING/);
  });
});

describe('tm ps', () => {
  it('nests applications under their platform feature and derives the worst state upwards', () => {
    const tree = fleetTree(
      [
        status('aggregator', 'Running', [
          { name: 'nats', state: 'Waiting', since: NOW - 1_000_000, reason: 'NATS lost' },
        ]),
        status('venue-connectors', 'Running'),
        status('persister', 'Running'),
      ],
      'tm',
    );
    expect(tree.state).toBe('Waiting');
    const marketData = tree.children.find((c) => c.name === 'market-data');
    expect(marketData?.children.map((c) => c.name)).toEqual([
      'aggregator/aggregator-1',
      'venue-connectors/venue-connectors-1',
    ]);
    expect(marketData?.state).toBe('Waiting');
    expect(tree.children.find((c) => c.name === 'persistence')?.state).toBe('Running');
    const text = renderTree(tree, NOW);
    expect(text).toMatch(/^ {6}nats\s+Waiting\s+1s\s+\(NATS lost\)$/m);
  });

  it('prints ages in seconds, minutes and hours', () => {
    expect(formatAge(NOW - 12_000_000, NOW)).toBe('12s');
    expect(formatAge(NOW - 245_000_000, NOW)).toBe('4m05s');
    expect(formatAge(NOW - 7_800_000_000, NOW)).toBe('2h10m');
  });
});

describe('tm control targets', () => {
  it('takes a service or service/instance and refuses anything else', () => {
    expect(parseTarget('aggregator')).toEqual({ service: 'aggregator' });
    expect(parseTarget('aggregator/a-1')).toEqual({ service: 'aggregator', instance: 'a-1' });
    expect(() => parseTarget('a.b')).toThrow(/expected <service>/);
    expect(() => parseTarget(undefined)).toThrow(/expected <service>/);
  });
});
