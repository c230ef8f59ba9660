import { describe, expect, it } from 'vitest';
import { PRODUCT_DEFAULTS } from './product-defaults.js';

// Literal copy of the "Defaults from the product" table of ARCHITECTURE.md: guards against drift.
const ARCHITECTURE_TABLE = {
  aggregationTickMs: 100,
  aggregationBroadcastMs: 500,
  gatewayPushBatchMs: 100,
  websocketPingMs: 20_000,
  dashboardPollMs: 3_000,
  eventBackfillCount: 50,
  heartbeatSnapshotMs: 60_000,
  beaconIntervalMs: 10_000,
  staleAfterMs: 30_000,
  persistBatchRows: 5_000,
  persistFlushMs: 300_000,
  digestEagerMs: 60_000,
  digestLazyMs: 300_000,
  venueDataMsgPerSec: 500,
  venueExecMsgPerSec: 100,
  reconnectMaxBackoffMs: 60_000,
  breakerFailureThreshold: 5,
  breakerWindowMs: 60_000,
  breakerHalfOpenAfterMs: 30_000,
  replayMaxRetries: 1_000,
  replayBatchPerTick: 20,
  replayInitialDelayMs: 5_000,
  drainTimeoutMs: 15_000,
  costRetentionDays: 30,
  costSweepIntervalMs: 3_600_000,
  costSweepBatchRows: 10_000,
  logBufferLines: 500,
  loginMaxAttempts: 5,
  loginWindowMs: 60_000,
  jwtAccessExpiry: '15m',
  jwtRefreshExpiry: '7d',
  jwtMinSecretLength: 32,
};

describe('PRODUCT_DEFAULTS', () => {
  it('matches every row of the architecture table, and nothing else', () => {
    expect({ ...PRODUCT_DEFAULTS }).toStrictEqual(ARCHITECTURE_TABLE);
  });

  it('cannot be changed at run time', () => {
    expect(Object.isFrozen(PRODUCT_DEFAULTS)).toBe(true);
  });
});
