import { z } from 'zod';

// The whole state of one instrument, JSON-serialisable, so a moved slot is rebuilt from a KV snapshot.
const finite = z.number().refine(Number.isFinite, 'must be a finite number');
const nonneg = finite.nonnegative();
const level = z.tuple([nonneg, nonneg]);

const sourceState = z.object({
  source: z.string().min(1),
  quote: z
    .object({ bid: nonneg, bidSize: nonneg, ask: nonneg, askSize: nonneg, tsEvent: nonneg, tsInit: nonneg })
    .nullable(),
  /** tsEvent of the last accepted input of each kind (stale check); null when none yet. */
  lastTsEvent: z.object({ tick: nonneg.nullable(), trade: nonneg.nullable(), book: nonneg.nullable() }),
  lastSequence: z.number().int().nonnegative().nullable(),
  book: z.object({
    status: z.enum(['none', 'trusted', 'awaiting_snapshot']),
    tsEvent: nonneg,
    tsInit: nonneg,
    bids: z.array(level),
    asks: z.array(level),
  }),
  window: z.object({ tsInit: z.array(finite), latency: z.array(finite) }),
});

const candle = z.object({
  start: nonneg,
  open: nonneg,
  openTs: nonneg,
  high: nonneg,
  low: nonneg,
  close: nonneg,
  closeTs: nonneg,
  volume: nonneg,
  turnover: nonneg,
  trades: z.number().int().positive(),
});

export const AggregationStateV1 = z.object({
  v: z.literal(1),
  instrument: z.string().min(1),
  sources: z.array(sourceState),
  /** Open candles per interval; intervals not configured on the importing side are dropped. */
  candles: z.array(z.object({ intervalMicros: z.number().int().positive(), open: z.array(candle) })),
  lastTrade: z
    .object({ price: nonneg, amount: nonneg, source: z.string().min(1), tsEvent: nonneg })
    .nullable(),
  session: z.object({ turnover: nonneg, volume: nonneg }),
  pairs: z.array(
    z.object({
      sourceA: z.string().min(1),
      sourceB: z.string().min(1),
      midDelta: finite,
      emaFast: finite,
      emaSlow: finite,
      updatedAt: nonneg,
    }),
  ),
  arbitrage: z.array(
    z.object({
      buySource: z.string().min(1),
      sellSource: z.string().min(1),
      openedAt: nonneg,
      edgeBps: finite,
      bestEdgeBps: finite,
      bestEdgeAt: nonneg,
    }),
  ),
});
export type AggregationStateV1 = z.infer<typeof AggregationStateV1>;
