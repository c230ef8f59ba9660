import type { InstrumentSpec, PaperExchange } from '@tm/matching';

/** One API key of the simulated venue, bound to one engine account. */
export interface SimulatorAccount {
  apiKey: string;
  secret: string;
  /** Engine account id the key trades on. */
  account: string;
  /** Credited (as deposits) when the simulator starts: `{ USDT: '10000' }`. */
  balances?: Record<string, string>;
  /** Sub-account emails (or ids) this key may move funds to and from; each is its own engine account id. */
  subAccounts?: string[];
}

export interface SimulatorLimits {
  /** Request weight per IP per weight window (Binance: 6000 per clock minute). */
  requestWeightPerMinute: number;
  /** The weight window (Binance: 60 000 ms, the clock minute); shorter in tests of sustained load. */
  weightWindowMs: number;
  /** New orders per account per 10-second window (Binance: 100). */
  ordersPer10s: number;
  /** After this many 429s within one minute window the IP is banned (418). */
  banAfter429s: number;
  banMs: number;
}

export const DEFAULT_LIMITS: SimulatorLimits = {
  requestWeightPerMinute: 6000,
  weightWindowMs: 60_000,
  ordersPer10s: 100,
  banAfter429s: 3,
  banMs: 120_000,
};

/** A seeded market maker the simulator steps on its own timer, so streams show live data. */
export interface SimulatorMarketMaker {
  instrument: string;
  startMid: string;
  levels?: number;
  levelAmount?: string;
}

export interface BinanceSimulatorOptions {
  /** 0 (default) picks a free port. */
  port?: number;
  instruments: InstrumentSpec[];
  accounts: SimulatorAccount[];
  /** false = unlimited. */
  limits?: Partial<SimulatorLimits> | false;
  seed?: number;
  /** A shared engine; one is created over `instruments` when absent. */
  exchange?: PaperExchange;
  makerFeeRate?: string;
  takerFeeRate?: string;
  marketMakers?: SimulatorMarketMaker[];
  /** How often the market makers step (default 100 ms). */
  marketMakerStepMs?: number;
  /** How often `<sym>@ticker` / `@miniTicker` push (Binance: 1000 ms). */
  tickerIntervalMs?: number;
}

export interface SimulatorStats {
  requests: number;
  status429: number;
  status418: number;
  ordersAccepted: number;
  byPath: Record<string, number>;
}
