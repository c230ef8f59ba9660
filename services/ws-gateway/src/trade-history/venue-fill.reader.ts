import { Inject, Injectable } from '@nestjs/common';
import { DATA_SOURCE } from '@tm/service-host';
import type { DataSource } from 'typeorm';
import { formatInstant } from '../openapi/query-fields.js';
import type { TradeFill } from './trade-history.dto.js';
import { TRADE_HISTORY_OPTIONS, type TradeHistoryOptions } from './trade-history.options.js';

export interface FillFilter {
  account?: string;
  venue?: string;
  instrument?: string;
  /** Venue time, microseconds: at or after `fromMicros`, before `toMicros`. */
  fromMicros?: number;
  toMicros?: number;
  /** At most this many; absent: every match. */
  limit?: number;
}

const SCHEMA_NAME = /^[a-z][a-z0-9_]{0,62}$/;
/** undefined_table, invalid_schema_name. */
const MISSING_TABLE_CODES = new Set(['42P01', '3F000']);

interface FillRow extends Omit<TradeFill, 'tsEvent' | 'time'> {
  /** bigint: pg hands it over as a string. */
  tsEvent: string;
}

/**
 * Reads venue-connectors' fills (`<schema>.venue_fills`), never writes them. Parameterized SQL, ordered
 * by venue time; numeric columns stay the strings PostgreSQL sends.
 */
@Injectable()
export class VenueFillReader {
  private readonly table: string;

  constructor(
    @Inject(DATA_SOURCE) private readonly dataSource: DataSource,
    @Inject(TRADE_HISTORY_OPTIONS) options: TradeHistoryOptions,
  ) {
    if (!SCHEMA_NAME.test(options.fillsSchema))
      throw new Error(`fills schema "${options.fillsSchema}" must match ${SCHEMA_NAME}`);
    this.table = `"${options.fillsSchema}".venue_fills`;
  }

  async fills(filter: FillFilter): Promise<TradeFill[]> {
    const sql = `
      SELECT venue, account, instrument, trade_id AS "tradeId", venue_order_id AS "venueOrderId",
             client_order_id AS "clientOrderId", side, price, amount, fee_cost AS "feeCost",
             fee_currency AS "feeCurrency", liquidity, reconciled,
             (extract(epoch FROM ts_event) * 1000000)::bigint AS "tsEvent"
        FROM ${this.table}
       WHERE ($1::text IS NULL OR account = $1)
         AND ($2::text IS NULL OR venue = $2)
         AND ($3::text IS NULL OR instrument = $3)
         AND ($4::timestamptz IS NULL OR ts_event >= $4)
         AND ($5::timestamptz IS NULL OR ts_event < $5)
       ORDER BY ts_event, venue, account, instrument, trade_id
       LIMIT $6`;
    const parameters = [
      filter.account ?? null,
      filter.venue ?? null,
      filter.instrument ?? null,
      filter.fromMicros === undefined ? null : formatInstant(filter.fromMicros),
      filter.toMicros === undefined ? null : formatInstant(filter.toMicros),
      filter.limit ?? null,
    ];
    let rows: FillRow[];
    try {
      rows = await this.dataSource.query(sql, parameters);
    } catch (error) {
      // venue-connectors never ran against this database, so nobody has filled anything here: no fills,
      // not a server error.
      if (MISSING_TABLE_CODES.has(sqlStateOf(error))) return [];
      throw error;
    }
    return rows.map((row) => {
      const tsEvent = Number(row.tsEvent);
      return { ...row, tsEvent, time: formatInstant(tsEvent) };
    });
  }
}

function sqlStateOf(error: unknown): string {
  const driverError = (error as { driverError?: { code?: unknown } } | null)?.driverError;
  return typeof driverError?.code === 'string' ? driverError.code : '';
}
