import { ConfigError, loadConfig } from '@tm/config';
import { DEFAULT_POOL_SIZE } from '@tm/persistence';
import { hostedConfigSpec } from '@tm/service-host';
import { describe, expect, it } from 'vitest';
import { VENUE_CONNECTORS_POOL, venueConnectorsConfigSpec } from './venue-connectors.config.js';

function problemsOf(env: Record<string, string>): readonly string[] {
  try {
    loadConfig(venueConnectorsConfigSpec, env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  throw new Error('the configuration was accepted');
}

describe('venue-connectors database pool settings', () => {
  it('defaults to its own pool size and acquire timeout, above the platform default', () => {
    const config = loadConfig(venueConnectorsConfigSpec, {});
    expect(config.databasePoolSize).toBe(VENUE_CONNECTORS_POOL.poolSize);
    expect(config.databaseAcquireTimeoutMs).toBe(VENUE_CONNECTORS_POOL.acquireTimeoutMs);
    expect(VENUE_CONNECTORS_POOL.poolSize).toBeGreaterThan(DEFAULT_POOL_SIZE);
    expect(loadConfig(hostedConfigSpec(7000), {}).databasePoolSize).toBe(DEFAULT_POOL_SIZE);
  });

  it('takes TM_DATABASE_POOL_SIZE and TM_DATABASE_ACQUIRE_TIMEOUT', () => {
    const config = loadConfig(venueConnectorsConfigSpec, {
      TM_DATABASE_POOL_SIZE: '30',
      TM_DATABASE_ACQUIRE_TIMEOUT: '20s',
    });
    expect(config).toMatchObject({ databasePoolSize: 30, databaseAcquireTimeoutMs: 20_000 });
  });

  it('refuses a pool size that is not a whole number from 1 to 100, naming the variable', () => {
    for (const bad of ['0', '-3', '2.5', 'many', '101']) {
      expect(problemsOf({ TM_DATABASE_POOL_SIZE: bad })).toEqual([
        expect.stringMatching(new RegExp(`^TM_DATABASE_POOL_SIZE: expected an integer.*got "${bad}"$`)),
      ]);
    }
    expect(problemsOf({ TM_DATABASE_ACQUIRE_TIMEOUT: 'soon' })).toEqual([
      expect.stringMatching(/^TM_DATABASE_ACQUIRE_TIMEOUT: expected a duration/),
    ]);
  });
});
