import { describe, expect, it } from 'vitest';
import { isServiceName, SERVICE_FEATURES, SERVICE_NAMES } from './fleet.js';

describe('fleet', () => {
  it('lists the seven back-end services of the architecture with their platform feature', () => {
    expect(SERVICE_NAMES).toEqual([
      'venue-connectors',
      'aggregator',
      'persister',
      'flow-engine',
      'fix-server',
      'ws-gateway',
      'observability',
    ]);
    expect(SERVICE_FEATURES.aggregator).toBe('market-data');
    expect(SERVICE_FEATURES['fix-server']).toBe('execution');
  });

  it('recognises service names, and nothing inherited', () => {
    expect(isServiceName('persister')).toBe(true);
    expect(isServiceName('dashboard')).toBe(false);
    expect(isServiceName('toString')).toBe(false);
  });
});
