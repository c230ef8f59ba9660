import { nowMicros, type Subjects } from '@tm/contracts';
import type { MarketAggregator, TickOutput } from '@tm/aggregation';
import type { SlotMembership } from '@tm/membership';
import type { NatsConnection } from '@nats-io/transport-node';
import type { TradeEvents } from '@tm/push';
import type { Logger } from '@tm/telemetry';
import { MarketDataIngest, type RefusedMarketData } from '../ingest/market-data-ingest.js';
import { OwnedSlots } from '../ingest/owned-slots.js';
import { AggregateBroadcaster } from '../publishing/aggregate-broadcaster.js';
import { BookResyncRequests } from '../publishing/book-resync-requests.js';
import type { MarketEvents } from '../publishing/market-events.js';
import { SnapshotResponder } from '../snapshot/snapshot-responder.js';
import type { AggregationStateStore } from '../state/aggregation-state-store.js';
import { SlotHandover } from './slot-handover.js';

export interface AggregationWorkerOptions {
  /** Membership, saved states and snapshot replies: kept apart from the feed, so a flood of ticks
   * never delays a membership renewal past its deadline. */
  nc: NatsConnection;
  /** The market-data feed in, aggregates out. */
  marketData: NatsConnection;
  subjects: Subjects;
  instanceId: string;
  aggregator: MarketAggregator;
  /** A fresh membership per start: a paused instance leaves, so its slots move to the others. */
  openMembership: () => Promise<SlotMembership>;
  stateStore: AggregationStateStore;
  events: MarketEvents;
  /** Trades numbered per topic for the gateways' push. */
  trades: TradeEvents;
  refuse: (refused: RefusedMarketData) => void;
  tickMs: number;
  broadcastMs: number;
  stateSaveMs: number;
  logger: Pick<Logger, 'info' | 'warn' | 'error'>;
}

/**
 * One aggregator instance's work: ingest of the owned slots, the tick (every tickMs, on wall-clock
 * boundaries), the broadcast (on the first tick at least broadcastMs after the last, right after its
 * computation, so a broadcast is never older than its tick), closed candles and windows to JetStream,
 * snapshot replies, and the periodic state save for whoever owns a slot next.
 */
export class AggregationWorker {
  readonly ingest: MarketDataIngest;
  readonly broadcaster: AggregateBroadcaster;
  readonly handover: SlotHandover;
  readonly bookResync: BookResyncRequests;
  private readonly owned = new OwnedSlots();
  private readonly responder: SnapshotResponder;
  private membership: SlotMembership | undefined;
  private tickTimer: NodeJS.Timeout | undefined;
  private saveTimer: NodeJS.Timeout | undefined;
  private saving: Promise<void> | undefined;
  private lastBroadcastAt = Number.NEGATIVE_INFINITY;
  private stopping = false;

  constructor(private readonly opts: AggregationWorkerOptions) {
    const owns = (slot: number) => this.membership?.owns(slot) === true;
    this.bookResync = new BookResyncRequests(opts.marketData, opts.subjects);
    this.ingest = new MarketDataIngest(
      opts.marketData,
      opts.subjects,
      opts.aggregator,
      this.owned,
      opts.refuse,
      (instrument, source) => this.bookResync.request(instrument, source),
      (trade, slot) => opts.trades.trade(trade, slot),
    );
    this.broadcaster = new AggregateBroadcaster(
      opts.nc,
      opts.subjects,
      opts.aggregator,
      owns,
      opts.instanceId,
    );
    this.responder = new SnapshotResponder(opts.nc, opts.subjects, opts.aggregator, owns);
    this.handover = new SlotHandover(
      opts.aggregator,
      this.owned,
      opts.stateStore,
      opts.logger,
      () => this.stopping || this.membership?.claiming === true,
      (instrument, source) => this.bookResync.request(instrument, source),
    );
  }

  get running(): boolean {
    return this.membership !== undefined;
  }

  /** How many slots this instance holds right now. */
  ownedSlotCount(): number {
    return (this.membership?.ownedRanges() ?? []).reduce((sum, range) => sum + range.size, 0);
  }

  /** Whether this instance ingests the slot now: owned, and its saved state loaded (the membership says owned a little earlier). */
  ingests(slot: number): boolean {
    return this.owned.has(slot);
  }

  /** Closed candles and windows JetStream never took (its queue was full or it closed). */
  eventsNotPublished(): number {
    return this.opts.events.failed;
  }

  /** Trade events numbered, lost (waiting while their slot moved away) and not stored. */
  tradeEventCounters(): TradeEvents['counters'] {
    return this.opts.trades.counters;
  }

  /** Input the aggregation refused, per source and reason (the ingest counts its own refusals). */
  rejections(): ReturnType<MarketAggregator['rejections']> {
    return this.opts.aggregator.rejections();
  }

  async start(): Promise<void> {
    if (this.membership !== undefined) return;
    const membership = await this.opts.openMembership();
    membership.onChange((change) =>
      this.handover.apply(change).then(() => this.opts.trades.forget((slot) => this.owned.has(slot))),
    );
    this.membership = membership;
    this.ingest.start();
    this.responder.start();
    await membership.start();
    this.scheduleTick();
    this.saveTimer = setInterval(() => void this.saveOwned(), this.opts.stateSaveMs);
    this.saveTimer.unref();
  }

  /** Stops taking input, saves every owned instrument's state and gives the slots up. */
  async stop(): Promise<void> {
    const membership = this.membership;
    if (membership === undefined) return;
    this.stopping = true;
    clearTimeout(this.tickTimer);
    clearInterval(this.saveTimer);
    this.ingest.stop();
    this.responder.stop();
    await this.saving;
    await membership.stop(); // its last change releases every slot: states saved, instruments dropped
    this.membership = undefined;
    this.stopping = false;
    this.owned.clear();
    if (!(await this.opts.events.flush(5_000)))
      this.opts.logger.warn({}, 'closed candles or windows still unacknowledged at stop');
  }

  /** One computation at `now` (micros); publishes what closed. Public for tests that step time. */
  tick(now: number): TickOutput {
    const output = this.opts.aggregator.tick(now);
    for (const candle of output.closedCandles) this.opts.events.candle(candle);
    for (const window of output.arbitrageWindows) this.opts.events.arbitrageWindow(window);
    return output;
  }

  private scheduleTick(): void {
    const period = this.opts.tickMs;
    const now = Date.now();
    // On wall-clock boundaries, so every instance (and a replay) ticks at the same instants.
    this.tickTimer = setTimeout(() => this.onTick(), period - (now % period));
  }

  private onTick(): void {
    try {
      this.tick(nowMicros());
      const now = Date.now();
      if (now - this.lastBroadcastAt >= this.opts.broadcastMs - this.opts.tickMs / 2) {
        this.lastBroadcastAt = now;
        this.broadcaster.broadcast();
      }
    } catch (error) {
      this.opts.logger.error({ err: error }, 'aggregation tick failed');
    }
    if (this.membership !== undefined) this.scheduleTick();
  }

  private saveOwned(): Promise<void> {
    this.saving ??= this.handover
      .saveAll((slot) => this.membership?.owns(slot) === true)
      .finally(() => (this.saving = undefined));
    return this.saving;
  }
}
