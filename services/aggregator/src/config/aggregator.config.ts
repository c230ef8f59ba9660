import { env, PRODUCT_DEFAULTS } from '@tm/config';
import { UnifiedSymbol } from '@tm/contracts';
import { DEFAULT_AGGREGATION_SETTINGS } from '@tm/aggregation';
import { hostedConfigSpec } from '@tm/service-host';
import { z } from 'zod';

const MICROS_PER_MS = 1_000;
const FeesBps = z.record(z.string().min(1), z.number().min(0).max(10_000));
const InstrumentList = z.array(UnifiedSymbol).min(1).nullable();

/** aggregator's configuration: the platform's fields, its timings, candles, fees and slot sharing. */
export const aggregatorConfigSpec = {
  ...hostedConfigSpec(7401),
  tickMs: env.durationMs('TM_AGG_TICK', { default: PRODUCT_DEFAULTS.aggregationTickMs, min: 10 }),
  broadcastMs: env.durationMs('TM_AGG_BROADCAST', {
    default: PRODUCT_DEFAULTS.aggregationBroadcastMs,
    min: 10,
  }),
  candleIntervalsMs: env.durationListMs('TM_AGG_CANDLES', {
    default: DEFAULT_AGGREGATION_SETTINGS.candleIntervalsMicros.map((micros) => micros / MICROS_PER_MS),
    min: 1_000,
  }),
  tickRateWindowMs: env.durationMs('TM_AGG_RATE_WINDOW', {
    default: DEFAULT_AGGREGATION_SETTINGS.tickRateWindowMicros / MICROS_PER_MS,
    min: 100,
  }),
  staleAfterMs: env.durationMs('TM_AGG_STALE_AFTER', {
    default: DEFAULT_AGGREGATION_SETTINGS.staleAfterMicros / MICROS_PER_MS,
    min: 100,
  }),
  /** Taker fee per source, basis points, for arbitrage edges: {"binance":7.5,"fix:lp1":2}. */
  feesBps: env.json('TM_AGG_FEES', FeesBps, {
    default: { ...DEFAULT_AGGREGATION_SETTINGS.feesBps },
    expected: 'a JSON object of source → taker fee in basis points, like {"binance":7.5}',
  }),
  defaultFeeBps: env.int('TM_AGG_DEFAULT_FEE_BPS', {
    default: DEFAULT_AGGREGATION_SETTINGS.defaultFeeBps,
    min: 0,
    max: 10_000,
  }),
  /** Instruments accepted; null (the default) accepts any unified symbol. */
  instruments: env.json('TM_AGG_INSTRUMENTS', InstrumentList, {
    default:
      DEFAULT_AGGREGATION_SETTINGS.instruments === null
        ? null
        : [...DEFAULT_AGGREGATION_SETTINGS.instruments],
    expected: 'null, or a JSON list of unified symbols like ["BTC/USDT","ETH/USDT"]',
  }),
  bookLevels: env.int('TM_AGG_BOOK_LEVELS', { default: DEFAULT_AGGREGATION_SETTINGS.maxBookLevels, min: 1 }),
  /**
   * How long a dead instance keeps its slots: its membership key's TTL. Shorter than the membership's
   * own default, so a killed instance's slots move (TTL + TTL/3 + one broadcast) well inside 5 s.
   */
  memberTtlMs: env.durationMs('TM_AGG_MEMBER_TTL', { default: 2_500, min: 300 }),
  /** How often each owned instrument's state is saved for whoever owns its slot next. */
  stateSaveMs: env.durationMs('TM_AGG_STATE_SAVE', { default: 5_000, min: 100 }),
};
