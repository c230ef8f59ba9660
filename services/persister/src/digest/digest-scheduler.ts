// Runs the digest of the slots this instance owns: every eagerMs while data flows (the writer noted a batch
// since the last pass, or the pass still found dirty rows), every lazyMs once a pass finds it idle, and
// back to eager as soon as a batch lands. A failed pass (PostgreSQL away) is logged and retried at the
// next interval; the claimed rows went back with its rollback.
import type { Logger, MetricsRegistry } from '@tm/telemetry';
import type pg from 'pg';
import type { Counter, Gauge } from 'prom-client';
import { PartitionKeeper } from '../tables/partition-keeper.js';
import { CandleRollup, type CandleRollupResult } from './candle-rollup.js';
import type { DigestKind, SlotSpan } from './dirty-buckets.js';
import { TradeSummary, type TradeSummaryResult } from './trade-summary.js';

export type DigestMode = 'eager' | 'lazy';

/** Dirty rows claimed per transaction: a backlog is digested in several, each short. */
const DEFAULT_CLAIM_BATCH = 1_000;

export interface DigestSchedulerOptions {
  pool: pg.Pool;
  schema: string;
  /** The slot ranges this instance owns now; read at every pass, so ownership moves take effect by themselves. */
  ownedRanges: () => readonly SlotSpan[];
  eagerMs: number;
  lazyMs: number;
  metrics: MetricsRegistry;
  logger: Logger;
  /** The writer's keeper, so partitions it already made are not asked for again. */
  partitions?: PartitionKeeper;
  claimBatch?: number;
}

export type DigestPassResult = CandleRollupResult & TradeSummaryResult;

export class DigestScheduler {
  private readonly candles: CandleRollup;
  private readonly trades: TradeSummary;
  private readonly claimBatch: number;
  /** tm_persister_digest_mode{mode}: 1 on the current mode's series, 0 on the other. */
  private readonly modeGauge: Gauge;
  private readonly passes: Counter;
  private readonly lastPassRows: Gauge;
  private currentMode: DigestMode = 'lazy';
  private activitySincePass = false;
  private started = false;
  private stopping = false;
  private timer: NodeJS.Timeout | undefined;
  private nextPassAt = 0;
  private running: Promise<DigestPassResult> | undefined;

  constructor(private readonly opts: DigestSchedulerOptions) {
    for (const name of ['eagerMs', 'lazyMs'] as const) {
      if (!(opts[name] > 0))
        throw new Error(`digest ${name} must be a positive number of ms, got ${opts[name]}`);
    }
    this.claimBatch = opts.claimBatch ?? DEFAULT_CLAIM_BATCH;
    const partitions = opts.partitions ?? new PartitionKeeper(opts.pool, opts.schema);
    this.candles = new CandleRollup(opts.pool, opts.schema, partitions);
    this.trades = new TradeSummary(opts.pool, opts.schema);
    this.modeGauge = opts.metrics.gauge(
      'tm_persister_digest_mode',
      'Digest cadence: 1 on the current mode (eager or lazy), 0 on the other',
      ['mode'],
    );
    this.passes = opts.metrics.counter('tm_persister_digest_passes_total', 'Digest passes run', ['outcome']);
    this.lastPassRows = opts.metrics.gauge(
      'tm_persister_digest_last_pass_rows',
      'Dirty buckets the last successful digest pass rolled up',
      ['kind'],
    );
    this.showMode();
  }

  get mode(): DigestMode {
    return this.currentMode;
  }

  /** Starts the loop; the first pass runs at once, to digest what a previous run left. */
  start(): void {
    if (this.started) return;
    this.started = true;
    this.stopping = false;
    this.schedule(0);
  }

  /** Stops the loop and waits for a running pass to finish. */
  async stop(): Promise<void> {
    this.stopping = true;
    this.started = false;
    clearTimeout(this.timer);
    this.timer = undefined;
    await this.running?.catch(() => undefined);
  }

  /** The writer calls this after each committed batch: the digest goes (or stays) eager. */
  noteActivity(): void {
    this.activitySincePass = true;
    if (this.currentMode === 'eager') return;
    this.switchTo('eager');
    // A lazy wait already under way is cut to an eager one.
    if (this.timer !== undefined) this.schedule(Math.min(this.opts.eagerMs, this.nextPassAt - Date.now()));
  }

  /** One pass over the owned slots, after any pass already running; throws what it failed with. */
  async runOnce(): Promise<DigestPassResult> {
    while (this.running) await this.running.catch(() => undefined);
    const pass = this.pass();
    this.running = pass;
    try {
      return await pass;
    } finally {
      if (this.running === pass) this.running = undefined;
    }
  }

  private async pass(): Promise<DigestPassResult> {
    const noted = this.activitySincePass;
    this.activitySincePass = false;
    try {
      const spans = this.opts.ownedRanges();
      const result: DigestPassResult = {
        hours: 0,
        candles: 0,
        accountDays: 0,
        accountSummaries: 0,
        venueSummaries: 0,
      };
      for (;;) {
        const rolled = await this.candles.run(spans, this.claimBatch);
        result.hours += rolled.hours;
        result.candles += rolled.candles;
        if (rolled.hours < this.claimBatch || this.stopping) break;
      }
      for (;;) {
        const summed = await this.trades.run(spans, this.claimBatch);
        result.accountDays += summed.accountDays;
        result.accountSummaries += summed.accountSummaries;
        result.venueSummaries += summed.venueSummaries;
        if (summed.accountDays < this.claimBatch || this.stopping) break;
      }
      this.passes.inc({ outcome: 'ok' });
      this.setLastPassRows('candle_hour', result.hours);
      this.setLastPassRows('account_day', result.accountDays);
      // Activity noted while this pass ran stays noted for the next one.
      const flowing = noted || this.activitySincePass || result.hours + result.accountDays > 0;
      this.switchTo(flowing ? 'eager' : 'lazy');
      return result;
    } catch (error) {
      if (noted) this.activitySincePass = true;
      this.passes.inc({ outcome: 'failed' });
      throw error;
    }
  }

  private async tick(): Promise<void> {
    this.timer = undefined;
    try {
      await this.runOnce();
    } catch (error) {
      this.opts.logger.warn(
        { err: error, mode: this.currentMode },
        'digest pass failed, retried at the next interval',
      );
    }
    this.schedule(this.currentMode === 'eager' ? this.opts.eagerMs : this.opts.lazyMs);
  }

  private schedule(delayMs: number): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (!this.started || this.stopping) return;
    const delay = Math.max(0, delayMs);
    this.nextPassAt = Date.now() + delay;
    this.timer = setTimeout(() => void this.tick(), delay);
    // The service's own handles keep the process up; the digest alone should not.
    this.timer.unref();
  }

  private switchTo(mode: DigestMode): void {
    if (mode === this.currentMode) return;
    this.currentMode = mode;
    this.showMode();
    this.opts.logger.info({ mode }, `digest mode ${mode}`);
  }

  private showMode(): void {
    this.modeGauge.set({ mode: 'eager' }, this.currentMode === 'eager' ? 1 : 0);
    this.modeGauge.set({ mode: 'lazy' }, this.currentMode === 'lazy' ? 1 : 0);
  }

  private setLastPassRows(kind: DigestKind, rows: number): void {
    this.lastPassRows.set({ kind }, rows);
  }
}
