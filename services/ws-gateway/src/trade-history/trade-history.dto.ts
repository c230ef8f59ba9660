// The queries and answers of /api/trades and /api/pnl/daily, validated where they enter and documented
// from the same schemas. Decimals are strings, exactly as PostgreSQL keeps them.
import { DecimalString, UnifiedSymbol } from '@tm/contracts';
import { z } from 'zod';
import { DateParam, InstantParam, limitParam, refuseReversedRange } from '../openapi/query-fields.js';

export const DEFAULT_FILL_LIMIT = 1_000;
export const MAX_FILL_LIMIT = 10_000;

const venueId = z.string().min(1).max(200);

const fillFilter = {
  account: venueId.optional().meta({ description: 'one venue account' }),
  venue: venueId.optional().meta({ description: 'one venue (`binance`, `paper`)' }),
  instrument: UnifiedSymbol.optional().meta({ description: 'one instrument, `BTC/USDT`' }),
};

export const TradesQuery = z
  .object({
    ...fillFilter,
    from: InstantParam.optional().meta({ description: 'fills at or after this time' }),
    to: InstantParam.optional().meta({ description: 'fills before this time (exclusive)' }),
    limit: limitParam(DEFAULT_FILL_LIMIT, MAX_FILL_LIMIT),
  })
  .superRefine((query, context) => refuseReversedRange(query.from?.micros, query.to?.micros, context));
export type TradesQuery = z.infer<typeof TradesQuery>;

/** One fill of ours at a venue (venue-connectors' venue_fills row). */
export const TradeFill = z.object({
  venue: z.string(),
  account: z.string(),
  instrument: z.string(),
  tradeId: z.string(),
  venueOrderId: z.string(),
  clientOrderId: z.string().nullable(),
  side: z.enum(['buy', 'sell']),
  price: DecimalString,
  amount: DecimalString,
  feeCost: DecimalString.nullable(),
  feeCurrency: z.string().nullable(),
  liquidity: z.string().nullable(),
  /** Found by reconciliation rather than the live feed. */
  reconciled: z.boolean(),
  /** Venue time: microseconds since the epoch, and the same as ISO 8601 UTC. */
  tsEvent: z.number().int(),
  time: z.string(),
});
export type TradeFill = z.infer<typeof TradeFill>;

export const TradeList = z.object({
  /** Oldest first. */
  fills: z.array(TradeFill),
  /** More fills matched than `limit`: ask again from the last one's time. */
  truncated: z.boolean(),
});
export type TradeList = z.infer<typeof TradeList>;

export const DailyPnlQuery = z
  .object({
    ...fillFilter,
    from: DateParam.optional().meta({ description: 'first UTC day reported, inclusive' }),
    to: DateParam.optional().meta({ description: 'last UTC day reported, inclusive' }),
  })
  .superRefine((query, context) => refuseReversedRange(query.from, query.to, context));
export type DailyPnlQuery = z.infer<typeof DailyPnlQuery>;

const FeeAmount = z.object({ currency: z.string(), amount: DecimalString });

/** Realized P&L of one (venue, account, instrument) on one UTC day, average-cost method, in the quote currency. */
export const DailyPnlRow = z.object({
  date: z.string(),
  venue: z.string(),
  account: z.string(),
  instrument: z.string(),
  quoteCurrency: z.string(),
  fills: z.number().int().positive(),
  bought: DecimalString,
  sold: DecimalString,
  /** Closed amount × (exit price − average cost), before fees. */
  grossRealizedPnl: DecimalString,
  /** Fees paid in the quote currency that day. */
  quoteFees: DecimalString,
  /** grossRealizedPnl − quoteFees. */
  realizedPnl: DecimalString,
  /** Fees in any other currency, by currency, not converted. */
  otherFees: z.array(FeeAmount),
  /** Signed position at the end of the day (negative: short), and its average cost (null when flat). */
  position: DecimalString,
  averageCost: DecimalString.nullable(),
});
export type DailyPnlRow = z.infer<typeof DailyPnlRow>;

export const DailyPnlReport = z.object({
  method: z.literal('average-cost'),
  days: z.array(DailyPnlRow),
});
export type DailyPnlReport = z.infer<typeof DailyPnlReport>;
