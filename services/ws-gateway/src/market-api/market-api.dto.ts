// The queries and answers of /api/market, validated where they enter and documented from the same schemas.
import { CandleV1, UnifiedSymbol } from '@tm/contracts';
import { z } from 'zod';
import { TIME_SPAN_PATTERN, timeSpanSeconds } from '../auth/time-span.js';
import { InstantParam, limitParam, refuseReversedRange } from '../openapi/query-fields.js';

export const DEFAULT_CANDLE_LIMIT = 500;
export const MAX_CANDLE_LIMIT = 5_000;

const instrument = UnifiedSymbol.meta({ description: 'a unified symbol', examples: ['BTC/USDT'] });

export const SnapshotQuery = z.object({ instrument });
export type SnapshotQuery = z.infer<typeof SnapshotQuery>;

/** `1m`, `1h`: one of the aggregator's candle intervals (TM_AGG_CANDLES), in microseconds after parsing. */
const CandleInterval = z
  .string()
  .regex(TIME_SPAN_PATTERN, 'must be a time span like 1s, 1m or 1h')
  .default('1m')
  .meta({ description: 'the candle interval, one the aggregator closes (default 1s, 1m, 1h)' })
  .transform((text) => ({ text, micros: timeSpanSeconds(text) * 1_000_000 }));

export const CandlesQuery = z
  .object({
    instrument,
    interval: CandleInterval,
    from: InstantParam.optional().meta({ description: 'first candle start, inclusive' }),
    to: InstantParam.optional().meta({ description: 'last candle start, exclusive (default now)' }),
    limit: limitParam(DEFAULT_CANDLE_LIMIT, MAX_CANDLE_LIMIT),
  })
  .superRefine((query, context) => refuseReversedRange(query.from?.micros, query.to?.micros, context));
export type CandlesQuery = z.infer<typeof CandlesQuery>;

export const CandleList = z.object({
  instrument: UnifiedSymbol,
  interval: z.string(),
  intervalMicros: z.number().int().positive(),
  /** Oldest first. */
  candles: z.array(CandleV1),
});
export type CandleList = z.infer<typeof CandleList>;
