// Rolls the dirty instrument-hours of 1-minute candles into hourly candles (candles_1h). Each hour is
// recomputed whole from its minutes and upserted, so a re-digest, or minutes arriving late, just rewrite it.
import type pg from 'pg';
import { dayOf, type PartitionKeeper } from '../tables/partition-keeper.js';
import { claimDirtyBuckets, type SlotSpan } from './dirty-buckets.js';
import { inTransaction } from './in-transaction.js';

const ONE_MINUTE_MICROS = 60_000_000;

export interface CandleRollupResult {
  /** Dirty instrument-hours claimed. */
  hours: number;
  /** Hourly candles written. */
  candles: number;
}

export class CandleRollup {
  constructor(
    private readonly pool: pg.Pool,
    private readonly schema: string,
    private readonly partitions: PartitionKeeper,
  ) {}

  /** Claims up to `limit` dirty hours of the owned slots and rewrites their hourly candles, in one transaction. */
  async run(spans: readonly SlotSpan[], limit: number): Promise<CandleRollupResult> {
    const s = `"${this.schema}"`;
    return inTransaction(this.pool, async (client) => {
      const claimed = await claimDirtyBuckets(client, this.schema, 'candle_hour', spans, limit);
      if (claimed.length === 0) return { hours: 0, candles: 0 };
      // Its own short transaction: this one holds no lock on candles_1h yet, so the DDL never waits on us.
      await this.partitions.ensure(
        'candles_1h',
        claimed.map(({ bucket }) => dayOf(bucket.getTime())),
      );
      const { rowCount } = await client.query(
        `INSERT INTO ${s}.candles_1h AS h (slot, instrument, start, open, high, low, close, volume, trades)
         SELECT min(c.slot), c.instrument, d.hour,
                (array_agg(c.open ORDER BY c.start))[1], max(c.high), min(c.low),
                (array_agg(c.close ORDER BY c.start DESC))[1], sum(c.volume), sum(c.trades)::integer
           FROM (SELECT DISTINCT instrument, hour FROM unnest($1::text[], $2::timestamptz[]) AS u(instrument, hour)) d
           JOIN ${s}.candles c
             ON c.instrument = d.instrument AND c.interval_micros = $3
            AND c.start >= d.hour AND c.start < d.hour + interval '1 hour'
          GROUP BY c.instrument, d.hour
         ON CONFLICT (instrument, start) DO UPDATE
            SET open = EXCLUDED.open, high = EXCLUDED.high, low = EXCLUDED.low, close = EXCLUDED.close,
                volume = EXCLUDED.volume, trades = EXCLUDED.trades`,
        [claimed.map(({ key }) => key), claimed.map(({ bucket }) => bucket.toISOString()), ONE_MINUTE_MICROS],
      );
      return { hours: claimed.length, candles: rowCount ?? 0 };
    });
  }
}
