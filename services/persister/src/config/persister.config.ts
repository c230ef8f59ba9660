import { env, PRODUCT_DEFAULTS } from '@tm/config';
import { DEFAULT_MEMBER_TTL_MS } from '@tm/membership';
import { hostedConfigSpec } from '@tm/service-host';
import { z } from 'zod';
import {
  PARTITIONED_TABLE_NAMES,
  PARTITIONED_TABLES,
  type PartitionedTable,
} from '../tables/partitioned-tables.js';

const DEFAULT_RETENTION_DAYS = Object.fromEntries(
  PARTITIONED_TABLE_NAMES.map((table) => [table, PARTITIONED_TABLES[table].retentionDays]),
) as Record<PartitionedTable, number>;

/** Days kept per table; a table left out keeps its default. */
const RetentionDays = z
  .partialRecord(z.enum(PARTITIONED_TABLE_NAMES), z.number().int().min(1).max(36_500))
  .transform((days): Record<PartitionedTable, number> => ({ ...DEFAULT_RETENTION_DAYS, ...days }));

/** persister's configuration: the platform's fields, its batches, digest, replays, retention and slot sharing. */
export const persisterConfigSpec = {
  ...hostedConfigSpec(7402),
  batchRows: env.int('TM_PERSIST_BATCH_ROWS', {
    default: PRODUCT_DEFAULTS.persistBatchRows,
    min: 1,
    max: 100_000,
  }),
  flushMs: env.durationMs('TM_PERSIST_FLUSH', { default: PRODUCT_DEFAULTS.persistFlushMs, min: 10 }),
  digestEagerMs: env.durationMs('TM_PERSIST_DIGEST_EAGER', {
    default: PRODUCT_DEFAULTS.digestEagerMs,
    min: 10,
  }),
  digestLazyMs: env.durationMs('TM_PERSIST_DIGEST_LAZY', { default: PRODUCT_DEFAULTS.digestLazyMs, min: 10 }),
  replayMaxRetries: env.int('TM_PERSIST_REPLAY_MAX_RETRIES', {
    default: PRODUCT_DEFAULTS.replayMaxRetries,
    min: 1,
  }),
  replayPerTick: env.int('TM_PERSIST_REPLAY_PER_TICK', {
    default: PRODUCT_DEFAULTS.replayBatchPerTick,
    min: 1,
  }),
  replayInitialDelayMs: env.durationMs('TM_PERSIST_REPLAY_DELAY', {
    default: PRODUCT_DEFAULTS.replayInitialDelayMs,
    min: 10,
  }),
  /** How often due replays are looked for. */
  replayTickMs: env.durationMs('TM_PERSIST_REPLAY_TICK', { default: 1_000, min: 10 }),
  retentionDays: env.json('TM_PERSIST_RETENTION', RetentionDays, {
    default: DEFAULT_RETENTION_DAYS,
    expected: `a JSON object of table → days kept, like {"ticks":7}; tables: ${PARTITIONED_TABLE_NAMES.join(', ')}`,
  }),
  /** How often expired partitions are dropped. */
  retentionSweepMs: env.durationMs('TM_PERSIST_RETENTION_SWEEP', { default: 3_600_000, min: 1_000 }),
  /** How long a dead instance keeps its slots: its membership key's TTL. */
  memberTtlMs: env.durationMs('TM_PERSIST_MEMBER_TTL', { default: DEFAULT_MEMBER_TTL_MS, min: 300 }),
};
