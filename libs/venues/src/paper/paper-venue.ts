// The built-in venue of `npm start`: a PaperExchange, a seeded market maker per instrument driven by
// a step timer (live ticks, trades and book changes with no keys), and funded accounts.
import {
  MarketMaker,
  PaperExchange,
  SPOT_INSTRUMENTS,
  type InstrumentSpec,
  type MarketMakerOptions,
} from '@tm/matching';
import { PaperVenueAdapter, type PaperVenueAdapterOptions } from './paper-venue-adapter.js';

export interface PaperInstrument extends InstrumentSpec {
  /** Where the market maker's random walk starts. */
  startMid: string;
}

export const DEFAULT_PAPER_INSTRUMENTS: readonly PaperInstrument[] = [
  { ...SPOT_INSTRUMENTS['BTC/USDT'], startMid: '60000' },
  { ...SPOT_INSTRUMENTS['ETH/USDT'], startMid: '3000' },
  { ...SPOT_INSTRUMENTS['SOL/USDT'], startMid: '150' },
];

export const DEFAULT_PAPER_BALANCES: Readonly<Record<string, string>> = {
  USDT: '100000',
  BTC: '1',
  ETH: '10',
  SOL: '100',
};

export interface PaperVenueOptions {
  /** Default 'paper'. */
  venue?: string;
  /** Default BTC/USDT 60000, ETH/USDT 3000, SOL/USDT 150. */
  instruments?: readonly PaperInstrument[];
  /** Market maker step period, default 100 ms. */
  stepIntervalMs?: number;
  /** Seeds the market makers (instrument i uses seed + i); default 1. */
  seed?: number;
  /** Credited once to every account an adapter is opened for; default DEFAULT_PAPER_BALANCES. */
  startingBalances?: Readonly<Record<string, string>>;
  makerFeeRate?: string;
  takerFeeRate?: string;
  /** Market maker tuning shared by every instrument. */
  marketMaker?: Omit<MarketMakerOptions, 'instrument' | 'startMid' | 'seed'>;
  /** How long a simulated deposit stays pending before it is credited; default 2,000 ms. */
  depositConfirmationMs?: number;
  /** Micros; default Date.now()*1000. */
  clock?: () => number;
}

export class PaperVenue {
  readonly venue: string;
  readonly exchange: PaperExchange;
  private readonly makers: MarketMaker[];
  private readonly stepIntervalMs: number;
  private readonly startingBalances: Readonly<Record<string, string>>;
  private readonly funded = new Set<string>();
  private readonly clock: (() => number) | undefined;
  private timer: NodeJS.Timeout | undefined;

  constructor(options: PaperVenueOptions = {}) {
    this.venue = options.venue ?? 'paper';
    this.stepIntervalMs = options.stepIntervalMs ?? 100;
    this.startingBalances = options.startingBalances ?? DEFAULT_PAPER_BALANCES;
    this.clock = options.clock;
    const instruments = options.instruments ?? DEFAULT_PAPER_INSTRUMENTS;
    this.exchange = new PaperExchange({
      instruments: instruments.map(({ startMid: _startMid, ...spec }) => spec),
      ...(options.clock === undefined ? {} : { clock: options.clock }),
      ...(options.makerFeeRate === undefined ? {} : { makerFeeRate: options.makerFeeRate }),
      ...(options.takerFeeRate === undefined ? {} : { takerFeeRate: options.takerFeeRate }),
      ...(options.depositConfirmationMs === undefined
        ? {}
        : { depositConfirmationMs: options.depositConfirmationMs }),
    });
    const seed = options.seed ?? 1;
    this.makers = instruments.map(
      (instrument, index) =>
        new MarketMaker(this.exchange, {
          ...options.marketMaker,
          instrument: instrument.symbol,
          startMid: instrument.startMid,
          seed: seed + index,
        }),
    );
    // A book from the first moment, before the timer's first step.
    this.step();
  }

  /** Starts the market makers' timer (idempotent). */
  start(): void {
    if (this.timer !== undefined) return;
    this.timer = setInterval(() => this.step(), this.stepIntervalMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
  }

  get running(): boolean {
    return this.timer !== undefined;
  }

  /** One market maker step on every instrument (what the timer does). */
  step(): void {
    for (const maker of this.makers) maker.step();
  }

  /** Credits the starting balances to an account once (later calls do nothing). */
  fund(account: string): void {
    if (this.funded.has(account)) return;
    this.funded.add(account);
    for (const [currency, amount] of Object.entries(this.startingBalances))
      this.exchange.credit(account, currency, amount);
  }

  /** An adapter trading for one account; the account gets its starting balances on first use. */
  adapter(
    account: string,
    options: Omit<PaperVenueAdapterOptions, 'exchange' | 'account'> = {},
  ): PaperVenueAdapter {
    this.fund(account);
    return new PaperVenueAdapter({
      venue: this.venue,
      ...(this.clock === undefined ? {} : { clock: this.clock }),
      ...options,
      exchange: this.exchange,
      account,
    });
  }
}
