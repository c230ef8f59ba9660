import { z } from 'zod';
import { AggregationError, AggregationErrorCode } from './aggregation.error.js';

const SECOND = 1_000_000;

export interface AggregationSettings {
  /** Candle intervals in microseconds; kept ascending, and VWAP "candle" uses the smallest. */
  candleIntervalsMicros: readonly number[];
  /** The period the service calls `tick()` at: one EMA step per period (missed periods are caught up). */
  tickIntervalMicros: number;
  /** Rolling window for ticks/s and receive latency, by each tick's `tsInit`. */
  tickRateWindowMicros: number;
  /** Feed-comparison EMA periods, in ticks of `tickIntervalMicros` (alpha = 2 / (n + 1)). */
  emaFastPeriodTicks: number;
  emaSlowPeriodTicks: number;
  /** An input is stale when its tsEvent is this much older than the source's last accepted one, or than the last tick(). */
  staleAfterMicros: number;
  /** Taker fee per source in basis points, for arbitrage edges; sources not listed pay `defaultFeeBps`. */
  feesBps: Readonly<Record<string, number>>;
  defaultFeeBps: number;
  /** Levels kept per side of each source's book, and per side of the consolidated book. */
  maxBookLevels: number;
  maxConsolidatedLevels: number;
  /** Allow-list of instruments; null accepts any. */
  instruments: readonly string[] | null;
}

/** Every default of the aggregation, written once. */
export const DEFAULT_AGGREGATION_SETTINGS: Readonly<AggregationSettings> = Object.freeze({
  candleIntervalsMicros: Object.freeze([SECOND, 60 * SECOND, 3_600 * SECOND]),
  tickIntervalMicros: 100_000,
  tickRateWindowMicros: 10 * SECOND,
  emaFastPeriodTicks: 10,
  emaSlowPeriodTicks: 100,
  staleAfterMicros: 5 * SECOND,
  feesBps: Object.freeze({}),
  defaultFeeBps: 0,
  maxBookLevels: 50,
  maxConsolidatedLevels: 50,
  instruments: null,
});

const positiveInt = z.number().int().positive();
const feeBps = z.number().refine(Number.isFinite, 'must be a finite number').min(0).max(10_000);

const AggregationSettingsSchema = z.object({
  candleIntervalsMicros: z.array(positiveInt).min(1),
  tickIntervalMicros: positiveInt,
  tickRateWindowMicros: positiveInt,
  emaFastPeriodTicks: positiveInt,
  emaSlowPeriodTicks: positiveInt,
  staleAfterMicros: positiveInt,
  feesBps: z.record(z.string().min(1), feeBps),
  defaultFeeBps: feeBps,
  maxBookLevels: positiveInt,
  maxConsolidatedLevels: positiveInt,
  instruments: z.array(z.string().min(1)).nullable(),
});

/** Defaults overlaid with the given values (undefined keeps the default), validated; throws AggregationError. */
export function resolveAggregationSettings(
  overrides: Partial<AggregationSettings> = {},
): AggregationSettings {
  const defined = Object.fromEntries(Object.entries(overrides).filter(([, value]) => value !== undefined));
  const parsed = AggregationSettingsSchema.safeParse({ ...DEFAULT_AGGREGATION_SETTINGS, ...defined });
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new AggregationError(
      AggregationErrorCode.InvalidSettings,
      `invalid aggregation setting ${issue?.path.join('.') ?? '?'}: ${issue?.message ?? 'invalid'}`,
    );
  }
  const settings = parsed.data;
  return {
    ...settings,
    candleIntervalsMicros: [...new Set(settings.candleIntervalsMicros)].sort((a, b) => a - b),
  };
}
