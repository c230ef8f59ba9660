import type { VenueSessionStatusV1 } from '@tm/contracts';
import type { LifecycleMachine } from '@tm/lifecycle';
import type { Logger } from '@tm/telemetry';
import {
  VenueError,
  type ExecutionFeed,
  type ExecutionSink,
  type MarketDataFeed,
  type VenueAdapter,
  type VenueFill,
  type VenueOrder,
} from '@tm/venues';
import type { MarketDataPublisher } from '../market-data/market-data.publisher.js';
import type { OrderDesk } from '../orders/order-desk.js';
import type { OrderRegistry } from '../orders/order-registry.js';
import type { Reconciler, ReconciliationTrigger } from '../reconciliation/reconciler.js';
import type { ReconciliationGate } from '../reconciliation/reconciliation-gate.js';
import { FeedSupervisor } from './feed-supervisor.js';
import type { SessionLease } from './session-lease.js';
import type { VenueCallGuard } from './venue-call-guard.js';

export interface VenueSessionSettings {
  reconnectBaseMs: number;
  reconnectMaxMs: number;
  idleFeedMs: number;
  diagnosticsIntervalMs: number;
}

export interface VenueSessionParts {
  venue: string;
  account: string;
  instruments: readonly string[];
  adapter: VenueAdapter;
  machine: LifecycleMachine;
  marketData: MarketDataPublisher;
  registry: OrderRegistry;
  desk: OrderDesk;
  reconciler: Reconciler;
  gate: ReconciliationGate;
  guard: VenueCallGuard;
  throttled: () => Record<string, number>;
  settings: VenueSessionSettings;
  logger: Logger;
}

/**
 * One venue account: its market-data and own-order feeds kept alive (backoff with jitter, every
 * subscription restored, idle feeds reopened), a reconciliation on start and on every reconnect, and
 * its diagnostics. Its lifecycle feature goes Running → Waiting (with the reason) → Running.
 */
export class VenueSession {
  readonly desk: OrderDesk;
  private readonly subscriptions = new Set<string>();
  private readonly marketFeed: FeedSupervisor<MarketDataFeed>;
  private readonly executionFeed: FeedSupervisor<ExecutionFeed>;
  private connected: Promise<void> | undefined;
  private diagnosticsTimer: NodeJS.Timeout | undefined;
  private downReason: string | null = 'not started';
  private serverTimeOffsetMs: number | null = null;
  private roundTripMs: number | null = null;
  private freeMargin: string | null = null;
  private leverage: string | null = null;
  private executionQueue: Promise<unknown> = Promise.resolve();
  private reconciling: Promise<unknown> | undefined;
  private lease: SessionLease | undefined;
  private standbyReason: string | null = null;
  private streaming = false;

  constructor(private readonly parts: VenueSessionParts) {
    this.desk = parts.desk;
    for (const instrument of parts.instruments) this.subscriptions.add(instrument);
    const backoff = { baseMs: parts.settings.reconnectBaseMs, capMs: parts.settings.reconnectMaxMs };
    parts.marketData.onActivity = () => this.marketFeed.touch();
    this.marketFeed = new FeedSupervisor({
      name: `${this.name} market data`,
      backoff,
      idleMs: parts.settings.idleFeedMs,
      expectsTraffic: () => this.subscriptions.size > 0,
      open: async () => {
        await this.connect();
        return parts.adapter.watchMarketData(parts.marketData);
      },
      onUp: async (feed, reconnect) => {
        // Every subscription requested, including those asked for while the feed was down.
        for (const instrument of this.subscriptions) await this.restore(feed, instrument);
        this.up(reconnect ? 'market data reconnected' : 'market data streaming');
      },
      onDown: (reason) => this.down(`market data: ${reason}`),
    });
    this.executionFeed = new FeedSupervisor({
      name: `${this.name} own orders`,
      backoff,
      open: async () => {
        await this.connect();
        return parts.adapter.watchOwnOrders(this.executionSink());
      },
      onUp: (_feed, reconnect) => {
        this.up(reconnect ? 'own-order feed reconnected' : 'own-order feed streaming');
        this.reconcileInBackground(reconnect ? 'reconnect' : 'start');
      },
      onDown: (reason) => this.down(`own orders: ${reason}`),
    });
  }

  get name(): string {
    return `${this.parts.venue}/${this.parts.account}`;
  }

  get venue(): string {
    return this.parts.venue;
  }

  get account(): string {
    return this.parts.account;
  }

  get adapter(): VenueAdapter {
    return this.parts.adapter;
  }

  get guard(): VenueCallGuard {
    return this.parts.guard;
  }

  /**
   * With a lease, only the replica holding it streams and reconciles; the others stand by (and still
   * serve orders). Without one, this session streams.
   */
  useLease(lease: SessionLease): void {
    this.lease = lease;
  }

  start(): void {
    this.diagnosticsTimer ??= setInterval(
      () => void this.diagnose(),
      this.parts.settings.diagnosticsIntervalMs,
    );
    this.diagnosticsTimer.unref();
    if (this.lease) this.lease.start();
    else this.startFeeds();
  }

  async stop(): Promise<void> {
    if (this.diagnosticsTimer) clearInterval(this.diagnosticsTimer);
    this.diagnosticsTimer = undefined;
    await this.lease?.stop();
    await this.stopFeeds();
  }

  /** The lease moved: the holder starts streaming, a replica that lost it stops at once. */
  leaseChanged(held: boolean, holder: string | null): void {
    this.standbyReason = held ? null : `standby: ${this.name} is streamed by ${holder ?? 'no replica yet'}`;
    if (held) this.startFeeds();
    else void this.stopFeeds();
  }

  private startFeeds(): void {
    this.streaming = true;
    this.marketFeed.start();
    this.executionFeed.start();
  }

  private async stopFeeds(): Promise<void> {
    this.streaming = false;
    await Promise.all([this.marketFeed.stop(), this.executionFeed.stop()]);
    await this.reconciling?.catch(() => undefined);
    await this.executionQueue;
  }

  async close(): Promise<void> {
    await this.stop();
    this.parts.guard.shutdown();
    await this.parts.adapter.close();
  }

  /** Sends the instrument's book again as a snapshot; false when it is not streaming it right now. */
  resnapshot(instrument: string): boolean {
    return this.marketFeed.feed?.resnapshot(instrument) ?? false;
  }

  /** Streams an instrument now, or as soon as the feed is back if it is down. */
  async subscribe(instrument: string): Promise<void> {
    if (this.subscriptions.has(instrument)) return;
    this.subscriptions.add(instrument);
    await this.marketFeed.feed?.subscribe(instrument).catch((error: unknown) => {
      this.parts.logger.warn({ instrument, err: error }, 'subscribe failed; restored on reconnect');
    });
  }

  private async restore(feed: MarketDataFeed, instrument: string): Promise<void> {
    try {
      await feed.subscribe(instrument);
    } catch (error) {
      // An instrument the venue does not list would keep the whole feed down: drop it, loudly.
      if (!(error instanceof VenueError && error.code === 'INVALID_ORDER')) throw error;
      this.subscriptions.delete(instrument);
      this.parts.logger.error({ session: this.name, instrument, err: error }, 'subscription dropped');
    }
  }

  /** Runs a reconciliation now (also what start and every reconnect do). */
  reconcile(trigger: ReconciliationTrigger) {
    return this.parts.reconciler.run(trigger);
  }

  status(): VenueSessionStatusV1 {
    return {
      venue: this.parts.venue,
      account: this.parts.account,
      state: this.parts.machine.state,
      reason:
        this.parts.machine.state === 'Running'
          ? this.standbyReason
          : (this.downReason ?? this.parts.machine.reason ?? null),
      streaming: this.streaming,
      reconnects: this.marketFeed.reconnects + this.executionFeed.reconnects,
      serverTimeOffsetMs: this.serverTimeOffsetMs,
      roundTripMs: this.roundTripMs,
      freeMargin: this.freeMargin,
      leverage: this.leverage,
      breaker: this.parts.guard.state,
      reconciling: this.parts.gate.refusesExposure,
      lastReconciledAt: this.parts.reconciler.lastReconciledAt,
      subscriptions: [...this.subscriptions],
      throttled: this.parts.throttled(),
    };
  }

  private connect(): Promise<void> {
    this.connected ??= this.parts.adapter.connect().then(
      () => this.diagnose(),
      (error: unknown) => {
        this.connected = undefined;
        throw error;
      },
    );
    return this.connected;
  }

  private up(reason: string): void {
    const machine = this.parts.machine;
    // Both feeds must be up before the session is Running again.
    if (!this.marketFeed.feed || !this.executionFeed.feed) return;
    this.downReason = null;
    if (machine.state === 'Waiting') machine.transition('Running', reason);
    this.parts.logger.info({ session: this.name }, reason);
  }

  private down(reason: string): void {
    this.downReason = reason;
    const machine = this.parts.machine;
    if (machine.state === 'Running') machine.transition('Waiting', reason);
    this.parts.logger.warn({ session: this.name, reason }, 'venue session down; reconnecting');
  }

  private executionSink(): ExecutionSink {
    // One account's reports are applied in arrival order; the registry makes duplicates harmless.
    const enqueue = (work: () => Promise<unknown>) => {
      this.executionQueue = this.executionQueue.then(work).catch((error: unknown) => {
        this.parts.logger.error({ session: this.name, err: error }, 'execution report not applied');
      });
    };
    return {
      order: (order: VenueOrder) =>
        enqueue(() => this.parts.registry.applyVenueOrder(order, { reconciled: false })),
      fill: (fill: VenueFill) => enqueue(() => this.parts.registry.recordFill(fill, false)),
    };
  }

  private reconcileInBackground(trigger: ReconciliationTrigger): void {
    const attempt = async (): Promise<void> => {
      for (let delay = 500; this.executionFeed.feed; delay = Math.min(delay * 2, 30_000)) {
        try {
          await this.parts.reconciler.run(trigger);
          return;
        } catch (error) {
          this.parts.logger.warn({ session: this.name, err: error }, 'reconciliation failed; retrying');
          await new Promise((resolve) => setTimeout(resolve, delay));
        }
      }
    };
    this.reconciling = (this.reconciling ?? Promise.resolve()).then(attempt);
  }

  /** Server time, round trip, margin and balances now (what the diagnostics timer does). */
  async diagnose(): Promise<void> {
    try {
      const sentAt = Date.now();
      const serverMicros = await this.parts.guard.call(() => this.parts.adapter.fetchServerTime());
      const receivedAt = Date.now();
      this.roundTripMs = receivedAt - sentAt;
      this.serverTimeOffsetMs = Math.round(serverMicros / 1_000 - (sentAt + receivedAt) / 2);
      const balance = await this.parts.guard.call(() => this.parts.adapter.fetchBalance());
      this.freeMargin = balance.freeMargin;
      this.leverage = balance.leverage;
      // Only once the first reconciliation has set the baseline; it publishes its own snapshot.
      if (this.parts.reconciler.lastReconciledAt !== null)
        await this.parts.reconciler.reportBalances(balance);
    } catch (error) {
      this.parts.logger.debug({ session: this.name, err: error }, 'diagnostics failed');
    }
  }
}
