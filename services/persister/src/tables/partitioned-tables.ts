// The persister's time-partitioned tables: the column each is split on and how long it is kept by
// default (days). Retention drops whole daily partitions, never rows.
export const PARTITIONED_TABLES = {
  ticks: { column: 'ts_event', retentionDays: 7 },
  trades: { column: 'ts_event', retentionDays: 30 },
  candles: { column: 'start', retentionDays: 365 },
  candles_1h: { column: 'start', retentionDays: 1_095 },
  arbitrage_windows: { column: 'opened_at', retentionDays: 90 },
  execution_events: { column: 'ts_init', retentionDays: 365 },
  fills: { column: 'ts_event', retentionDays: 1_825 },
  flow_events: { column: 'ts_init', retentionDays: 365 },
  metric_snapshots: { column: 'ts_init', retentionDays: 7 },
} as const;

export type PartitionedTable = keyof typeof PARTITIONED_TABLES;

export const PARTITIONED_TABLE_NAMES = Object.keys(PARTITIONED_TABLES) as PartitionedTable[];

export function isPartitionedTable(name: string): name is PartitionedTable {
  return Object.hasOwn(PARTITIONED_TABLES, name);
}
