// One budget (data or execution) of one venue account: a local priority queue served from tokens leased
// out of the shared one-second window counters.
import type { BudgetLedger, Lease } from './budget-ledger.js';
import { windowKey, type BudgetName } from './budget-keys.js';
import { BudgetQueue, type AcquireKind, type BudgetGrant, type Waiter } from './budget-queue.js';
import { RateBudgetError } from './rate-budget.exception.js';
import type { RateBudgetMetrics } from './rate-budget.metrics.js';

export const WINDOW_MS = 1_000;
/** Pause before trying the shared store again after it failed (NATS down): waiters stay queued. */
const STORE_RETRY_MS = 250;

export interface PauseGate {
  /** Epoch ms until which the venue account may send nothing (0 when not paused). */
  pausedUntilMs(): number;
  /** Reads the shared pause, so a lease never spends budget another replica has just paused. */
  refresh(): Promise<void>;
}

export interface WindowBudgetOptions {
  venue: string;
  account: string;
  budget: BudgetName;
  ratePerSecond: number;
  /** Fraction of each window only cancels may use (0 for the data budget). */
  cancelReserveFraction: number;
  leaseFraction: number;
  ledger: BudgetLedger;
  pause: PauseGate;
  clock: () => number;
  metrics?: RateBudgetMetrics;
  onStoreError?: (error: unknown) => void;
}

export interface WindowBudgetStats {
  ratePerSecond: number;
  /** Messages per window only cancels may use. */
  reservedForCancels: number;
  queued: number;
  queuedByKind: Record<AcquireKind, number>;
  granted: number;
  throttled: number;
}

/** Shared-window positions below `generalLimit` serve anyone; the rest are cancel-only headroom. */
export function reservedTokens(ratePerSecond: number, cancelReserveFraction: number): number {
  return Math.min(ratePerSecond - 1, Math.floor(ratePerSecond * cancelReserveFraction));
}

export function leaseSize(ratePerSecond: number, leaseFraction: number): number {
  return Math.max(1, Math.floor(ratePerSecond * leaseFraction));
}

interface LocalTokens {
  window: number;
  general: number;
  cancelOnly: number;
  generalExhausted: boolean;
  allExhausted: boolean;
}

const NO_TOKENS: LocalTokens = {
  window: -1,
  general: 0,
  cancelOnly: 0,
  generalExhausted: false,
  allExhausted: false,
};

export class WindowBudget {
  private readonly queue = new BudgetQueue();
  private readonly rate: number;
  private readonly generalLimit: number;
  private readonly leaseSize: number;
  private readonly labels: { venue: string; account: string; budget: BudgetName };
  private tokens: LocalTokens = { ...NO_TOKENS };
  /** Waiters not yet counted as throttled, so marking never rescans the whole queue. */
  private unmarked: Waiter[] = [];
  private pumping: Promise<void> | null = null;
  private sleeper: { timer: NodeJS.Timeout; resolve: () => void } | null = null;
  private closed = false;
  private granted = 0;
  private throttled = 0;

  constructor(private readonly opts: WindowBudgetOptions) {
    this.rate = opts.ratePerSecond;
    this.generalLimit = opts.ratePerSecond - reservedTokens(opts.ratePerSecond, opts.cancelReserveFraction);
    this.leaseSize = leaseSize(opts.ratePerSecond, opts.leaseFraction);
    this.labels = { venue: opts.venue, account: opts.account, budget: opts.budget };
    opts.metrics?.queued.set(this.labels, 0);
  }

  /** Resolves when a message of `kind` may go to the venue; rejects with CLOSED when the budget closes first. */
  acquire(kind: AcquireKind): Promise<BudgetGrant> {
    if (this.closed) return Promise.reject(this.closedError());
    const now = this.opts.clock();
    if (this.queue.length === 0 && this.opts.pause.pausedUntilMs() <= now) {
      const window = Math.floor(now / WINDOW_MS);
      this.rollTo(window);
      if (this.spend(kind)) return Promise.resolve(this.grantOf(kind, window));
    }
    return new Promise<BudgetGrant>((resolve, reject) => {
      const waiter: Waiter = { kind, resolve, reject, settled: false };
      this.queue.push(waiter);
      this.unmarked.push(waiter);
      if (this.unmarked.length > 4096 && this.unmarked.length > 2 * this.queue.length) {
        this.unmarked = this.unmarked.filter((queued) => !queued.settled);
      }
      this.opts.metrics?.queued.set(this.labels, this.queue.length);
      // Only a cancel can change what a sleeping pump waits for (it may use the reserved headroom).
      this.kick(kind === 'cancel');
    });
  }

  /** A new pause: tokens already leased must not be spent, and a sleeping pump must re-plan. */
  paused(): void {
    this.tokens = { ...NO_TOKENS };
    this.kick(true);
  }

  stats(): WindowBudgetStats {
    return {
      ratePerSecond: this.rate,
      reservedForCancels: this.rate - this.generalLimit,
      queued: this.queue.length,
      queuedByKind: {
        cancel: this.queue.countOf('cancel'),
        order: this.queue.countOf('order'),
        query: this.queue.countOf('query'),
        data: this.queue.countOf('data'),
      },
      granted: this.granted,
      throttled: this.throttled,
    };
  }

  /** Rejects every waiter (their messages were never sent) and stops the pump and its timer. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.wake();
    for (const waiter of this.queue.drain()) {
      waiter.settled = true;
      waiter.reject(this.closedError());
    }
    this.unmarked = [];
    this.opts.metrics?.queued.set(this.labels, 0);
    await this.pumping;
  }

  private closedError(): RateBudgetError {
    const { venue, account, budget } = this.labels;
    return new RateBudgetError(
      'CLOSED',
      `rate budget ${venue}/${account}/${budget} closed before the message could be sent; it was not sent`,
    );
  }

  private kick(replan: boolean): void {
    if (this.pumping) {
      if (replan) this.wake();
      return;
    }
    this.pumping = this.pump().finally(() => {
      this.pumping = null;
      // A waiter queued while the pump was finishing would otherwise wait for the next acquire.
      if (!this.closed && this.queue.length > 0) this.kick(false);
    });
  }

  private async pump(): Promise<void> {
    while (!this.closed && this.queue.length > 0) {
      const now = this.opts.clock();
      const pausedUntil = this.opts.pause.pausedUntilMs();
      if (pausedUntil > now) {
        this.markThrottled();
        await this.sleep(pausedUntil - now);
        continue;
      }
      const window = Math.floor(now / WINDOW_MS);
      this.rollTo(window);
      this.serveLocal(window);
      const head = this.queue.peek();
      if (!head) break;
      const forCancel = head.kind === 'cancel';
      if (forCancel ? this.tokens.allExhausted : this.tokens.generalExhausted) {
        this.markThrottled();
        await this.sleep((window + 1) * WINDOW_MS - now);
        continue;
      }
      try {
        await this.opts.pause.refresh();
        if (this.closed || this.opts.pause.pausedUntilMs() > this.opts.clock()) continue;
        const demand = forCancel
          ? this.queue.cancelCount + (this.tokens.generalExhausted ? 0 : this.queue.generalCount)
          : this.queue.generalCount;
        const want = Math.min(this.leaseSize, demand);
        const limit = forCancel ? this.rate : this.generalLimit;
        const { venue, account, budget } = this.labels;
        const lease = await this.opts.ledger.lease(windowKey(venue, account, budget, window), want, limit);
        this.credit(window, lease, want, forCancel);
      } catch (error) {
        this.opts.onStoreError?.(error);
        await this.sleep(STORE_RETRY_MS);
      }
    }
  }

  private rollTo(window: number): void {
    if (this.tokens.window !== window) this.tokens = { ...NO_TOKENS, window };
  }

  /** Adds a lease's tokens, split by their shared positions; a lease that returns after its window is dropped. */
  private credit(window: number, lease: Lease, want: number, forCancel: boolean): void {
    if (this.tokens.window !== window) return;
    const end = lease.from + lease.granted;
    const general = Math.max(0, Math.min(end, this.generalLimit) - lease.from);
    this.tokens.general += general;
    this.tokens.cancelOnly += lease.granted - general;
    if (end >= this.generalLimit) this.tokens.generalExhausted = true;
    if (end >= this.rate) this.tokens.allExhausted = true;
    if (!lease.contended && lease.granted < want) {
      this.tokens.generalExhausted = true;
      if (forCancel) this.tokens.allExhausted = true;
    }
  }

  private spend(kind: AcquireKind): boolean {
    if (kind === 'cancel' && this.tokens.cancelOnly > 0) {
      this.tokens.cancelOnly -= 1;
      return true;
    }
    if (this.tokens.general > 0) {
      this.tokens.general -= 1;
      return true;
    }
    return false;
  }

  private serveLocal(window: number): void {
    let served = false;
    for (let head = this.queue.peek(); head && this.spend(head.kind); head = this.queue.peek()) {
      this.queue.take();
      served = true;
      head.settled = true;
      head.resolve(this.grantOf(head.kind, window));
    }
    if (!served) return;
    if (this.queue.length === 0) this.unmarked = [];
    this.opts.metrics?.queued.set(this.labels, this.queue.length);
  }

  private grantOf(kind: AcquireKind, window: number): BudgetGrant {
    this.granted += 1;
    this.opts.metrics?.granted.inc(this.labels);
    return { kind, window };
  }

  /** Counts each waiter once, the first time the budget makes it wait for a window or a pause. */
  private markThrottled(): void {
    let newly = 0;
    for (const waiter of this.unmarked) {
      if (!waiter.settled) newly += 1;
    }
    this.unmarked = [];
    if (newly === 0) return;
    this.throttled += newly;
    this.opts.metrics?.throttled.inc(this.labels, newly);
  }

  /** Never longer than a window: a long pause is re-checked each second, so clock steps cannot strand it. */
  private sleep(ms: number): Promise<void> {
    if (this.closed) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(
        () => {
          this.sleeper = null;
          resolve();
        },
        Math.min(Math.max(1, ms), WINDOW_MS),
      );
      this.sleeper = { timer, resolve };
    });
  }

  private wake(): void {
    const sleeper = this.sleeper;
    if (!sleeper) return;
    this.sleeper = null;
    clearTimeout(sleeper.timer);
    sleeper.resolve();
  }
}
