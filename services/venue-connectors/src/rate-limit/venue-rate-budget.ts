// The rate budget of one venue account, shared with every replica through the budget ledger:
// a data budget, an execution budget with cancel headroom, and a pause after 429/418.
import type { Logger, MetricsRegistry } from '@tm/telemetry';
import type { BudgetLedger } from './budget-ledger.js';
import { assertKeyToken, pauseKey } from './budget-keys.js';
import type { AcquireKind, BudgetGrant } from './budget-queue.js';
import { nextPause, type PauseState, type Penalty } from './penalty-backoff.js';
import { RateBudgetMetrics } from './rate-budget.metrics.js';
import { validateRateBudgetSettings, type RateBudgetSettings } from './rate-budget.settings.js';
import { WindowBudget, type PauseGate, type WindowBudgetStats } from './window-budget.js';

export interface VenueRateBudgetOptions {
  /** One per process, shared by every venue account: `await KvBudgetLedger.open(nc, bucket, settings)`. */
  ledger: BudgetLedger;
  venue: string;
  account: string;
  settings: RateBudgetSettings;
  metrics?: MetricsRegistry;
  /** Epoch milliseconds; replicas' clocks must agree to within a small part of a second (NTP). */
  clock?: () => number;
  logger?: Pick<Logger, 'warn'>;
}

export interface VenueRateBudgetStats {
  venue: string;
  account: string;
  /** Epoch ms until which the account sends nothing, or null when not paused. */
  pausedUntilMs: number | null;
  /** The last pause this replica saw (from any replica), for the status reply. */
  lastPause: PauseState | null;
  pausedSecondsTotal: number;
  penaltiesTotal: { 429: number; 418: number };
  data: WindowBudgetStats;
  execution: WindowBudgetStats;
}

export class VenueRateBudget {
  readonly venue: string;
  readonly account: string;
  private readonly ledger: BudgetLedger;
  private readonly settings: RateBudgetSettings;
  private readonly clock: () => number;
  private readonly metrics: RateBudgetMetrics | undefined;
  private readonly logger: Pick<Logger, 'warn'> | undefined;
  private readonly pauseKey: string;
  private readonly data: WindowBudget;
  private readonly execution: WindowBudget;
  private pausedUntil = 0;
  private lastPause: PauseState | null = null;
  private pausedSecondsTotal = 0;
  private readonly penaltiesTotal = { 429: 0, 418: 0 };
  private stopWatch: (() => void) | null = null;
  private closed = false;

  constructor(opts: VenueRateBudgetOptions) {
    assertKeyToken('venue', opts.venue);
    assertKeyToken('account', opts.account);
    this.venue = opts.venue;
    this.account = opts.account;
    this.ledger = opts.ledger;
    this.settings = validateRateBudgetSettings(opts.settings);
    this.clock = opts.clock ?? Date.now;
    this.metrics = opts.metrics ? RateBudgetMetrics.for(opts.metrics) : undefined;
    this.logger = opts.logger;
    this.pauseKey = pauseKey(opts.venue, opts.account);
    const gate: PauseGate = {
      pausedUntilMs: () => this.pausedUntil,
      refresh: () => this.refreshPause(),
    };
    const common = {
      venue: opts.venue,
      account: opts.account,
      leaseFraction: this.settings.leaseFraction,
      ledger: opts.ledger,
      pause: gate,
      clock: this.clock,
      metrics: this.metrics,
      onStoreError: (error: unknown) => this.warn(error, 'rate budget store failed; retrying'),
    };
    this.data = new WindowBudget({
      ...common,
      budget: 'data',
      ratePerSecond: this.settings.dataPerSecond,
      cancelReserveFraction: 0,
    });
    this.execution = new WindowBudget({
      ...common,
      budget: 'execution',
      ratePerSecond: this.settings.executionPerSecond,
      cancelReserveFraction: this.settings.cancelReserveFraction,
    });
  }

  /** Constructs the budget and starts watching the shared pause. */
  static async open(opts: VenueRateBudgetOptions): Promise<VenueRateBudget> {
    const budget = new VenueRateBudget(opts);
    await budget.start();
    return budget;
  }

  async start(): Promise<void> {
    if (this.stopWatch || this.closed) return;
    const stop = await this.ledger.watchPause(this.pauseKey, (state) => this.applyPause(state));
    if (this.closed) stop();
    else this.stopWatch = stop;
  }

  /**
   * Resolves when one message of `kind` may go to the venue: 'data' from the data budget; 'cancel', 'order'
   * and 'query' from the execution budget, queued cancels first. Rejects with RateBudgetError CLOSED when
   * the budget closes first (the message was not sent).
   */
  acquire(kind: AcquireKind): Promise<BudgetGrant> {
    return (kind === 'data' ? this.data : this.execution).acquire(kind);
  }

  /**
   * The venue answered 429 or 418: pauses both budgets of this venue account on every replica. Resolves with
   * the pause in force. When the shared store is unreachable the pause still holds on this replica.
   */
  async penalise(penalty: Penalty): Promise<PauseState> {
    this.penaltiesTotal[penalty.status] += 1;
    this.metrics?.penalties.inc({ venue: this.venue, account: this.account, status: String(penalty.status) });
    let state: PauseState;
    try {
      state = await this.ledger.updatePause(this.pauseKey, (current) =>
        nextPause(current, penalty, this.clock(), this.settings),
      );
    } catch (error) {
      this.warn(error, 'rate budget could not share a pause; pausing this replica only');
      state = nextPause(this.lastPause, penalty, this.clock(), this.settings);
    }
    this.applyPause(state);
    return state;
  }

  stats(): VenueRateBudgetStats {
    return {
      venue: this.venue,
      account: this.account,
      pausedUntilMs: this.pausedUntil > this.clock() ? this.pausedUntil : null,
      lastPause: this.lastPause,
      pausedSecondsTotal: this.pausedSecondsTotal,
      penaltiesTotal: { ...this.penaltiesTotal },
      data: this.data.stats(),
      execution: this.execution.stats(),
    };
  }

  /** Rejects every waiting acquire with CLOSED, stops the pause watch; no timer is left running. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.stopWatch?.();
    this.stopWatch = null;
    await Promise.all([this.data.close(), this.execution.close()]);
  }

  private async refreshPause(): Promise<void> {
    const state = await this.ledger.readPause(this.pauseKey);
    if (state) this.applyPause(state);
  }

  /** Pauses only ever extend here: a stale or expired pause from the store never shortens one in force. */
  private applyPause(state: PauseState): void {
    if (this.closed) return;
    if (!this.lastPause || state.atMs >= this.lastPause.atMs) this.lastPause = state;
    if (state.untilMs <= this.pausedUntil) return;
    const now = this.clock();
    const added = (state.untilMs - Math.max(this.pausedUntil, now)) / 1_000;
    this.pausedUntil = state.untilMs;
    if (added > 0) {
      this.pausedSecondsTotal += added;
      this.metrics?.pausedSeconds.inc({ venue: this.venue, account: this.account }, added);
      this.data.paused();
      this.execution.paused();
    }
  }

  private warn(error: unknown, msg: string): void {
    this.logger?.warn(
      {
        venue: this.venue,
        account: this.account,
        err: error instanceof Error ? error.message : String(error),
      },
      msg,
    );
  }
}
