// An in-process budget ledger with the KV ledger's semantics: for unit tests and single-process tools only,
// since it shares nothing between replicas.
import type { BudgetLedger, Lease } from './budget-ledger.js';
import type { PauseState } from './penalty-backoff.js';

export class MemoryBudgetLedger implements BudgetLedger {
  readonly counters = new Map<string, number>();
  readonly pauses = new Map<string, PauseState>();
  /** Every lease asked for, in order, so tests can see the lease sizes. */
  readonly leases: { key: string; want: number; limit: number; granted: number }[] = [];
  /** When set, the next store calls fail with it (a NATS outage), until cleared. */
  failure: Error | null = null;
  private readonly watchers = new Map<string, Set<(state: PauseState) => void>>();

  async lease(key: string, want: number, limit: number): Promise<Lease> {
    await this.roundTrip();
    const from = this.counters.get(key) ?? 0;
    const granted = Math.max(0, Math.min(want, limit - from));
    this.counters.set(key, from + granted);
    this.leases.push({ key, want, limit, granted });
    return { granted, from, contended: false };
  }

  async readPause(key: string): Promise<PauseState | null> {
    await this.roundTrip();
    return this.pauses.get(key) ?? null;
  }

  async updatePause(key: string, next: (current: PauseState | null) => PauseState): Promise<PauseState> {
    await this.roundTrip();
    const state = next(this.pauses.get(key) ?? null);
    this.pauses.set(key, state);
    for (const watcher of this.watchers.get(key) ?? []) watcher(state);
    return state;
  }

  async watchPause(key: string, onPause: (state: PauseState) => void): Promise<() => void> {
    await this.roundTrip();
    const watchers = this.watchers.get(key) ?? new Set();
    this.watchers.set(key, watchers);
    watchers.add(onPause);
    const current = this.pauses.get(key);
    if (current) onPause(current);
    return () => watchers.delete(onPause);
  }

  private async roundTrip(): Promise<void> {
    await Promise.resolve();
    if (this.failure) throw this.failure;
  }
}
