import type { Logger } from '@tm/telemetry';
import type { PartitionKeeper } from './partition-keeper.js';
import { PARTITIONED_TABLE_NAMES, type PartitionedTable } from './partitioned-tables.js';

/** Drops the daily partitions past each table's retention, at start and every `everyMs`. */
export class RetentionSweeper {
  private timer: NodeJS.Timeout | undefined;
  private sweeping: Promise<void> | undefined;

  constructor(
    private readonly partitions: PartitionKeeper,
    private readonly retentionDays: Readonly<Record<PartitionedTable, number>>,
    private readonly everyMs: number,
    private readonly logger: Logger,
  ) {}

  start(): void {
    void this.sweep();
    this.timer = setInterval(() => void this.sweep(), this.everyMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.sweeping;
  }

  /** One pass over every table; a table that fails (PostgreSQL away) is tried again next pass. */
  sweep(nowMs = Date.now()): Promise<void> {
    this.sweeping ??= (async () => {
      for (const table of PARTITIONED_TABLE_NAMES) {
        try {
          const dropped = await this.partitions.dropExpired(table, this.retentionDays[table], nowMs);
          if (dropped.length > 0) this.logger.info({ table, dropped }, 'expired partitions dropped');
        } catch (error) {
          this.logger.warn({ err: error, table }, 'retention sweep failed');
        }
      }
    })().finally(() => {
      this.sweeping = undefined;
    });
    return this.sweeping;
  }
}
