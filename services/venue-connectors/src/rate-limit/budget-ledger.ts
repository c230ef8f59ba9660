// The shared side of the budget: per-window counters and the pause, in a JetStream KV bucket every replica uses.
import { JetStreamApiCodes, JetStreamApiError } from '@nats-io/jetstream';
import { Kvm, type KV, type KvEntry } from '@nats-io/kv';
import type { NatsConnection } from '@nats-io/transport-node';
import { pauseStateSchema, type PauseState } from './penalty-backoff.js';
import type { RateBudgetSettings } from './rate-budget.settings.js';

export interface Lease {
  /** Tokens this replica now owns in the window. */
  granted: number;
  /** The window's shared count before this lease: the granted tokens are positions [from, from + granted). */
  from: number;
  /** True when compare-and-swap kept losing to other replicas: try again, the window is not necessarily full. */
  contended: boolean;
}

/** What a budget needs from the shared store; a fake stands in for it in unit tests. */
export interface BudgetLedger {
  /** Adds at most `want` to the window counter under `key` without passing `limit`. */
  lease(key: string, want: number, limit: number): Promise<Lease>;
  readPause(key: string): Promise<PauseState | null>;
  /** Compare-and-swap loop replacing the pause with `next(current)`. */
  updatePause(key: string, next: (current: PauseState | null) => PauseState): Promise<PauseState>;
  /** Calls `onPause` with the stored pause and every later one; returns the function that stops watching. */
  watchPause(key: string, onPause: (state: PauseState) => void): Promise<() => void>;
}

/** CAS attempts before a lease gives up for this round (the budget retries on its next turn). */
const MAX_CAS_ATTEMPTS = 32;

export function isCasConflict(error: unknown): boolean {
  return (
    error instanceof JetStreamApiError &&
    (error.code === JetStreamApiCodes.StreamWrongLastSequence ||
      error.code === JetStreamApiCodes.StreamWrongLastSequenceUnknown)
  );
}

function livePut(entry: KvEntry | null): entry is KvEntry {
  return entry !== null && entry.operation === 'PUT';
}

function parsePause(entry: KvEntry): PauseState | null {
  try {
    const parsed = pauseStateSchema.safeParse(JSON.parse(entry.string()));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

export class KvBudgetLedger implements BudgetLedger {
  constructor(
    readonly kv: KV,
    private readonly keyTtlMs: number,
    private readonly clock: () => number = Date.now,
  ) {}

  /** Opens (creating when absent) the bucket shared by every replica, e.g. `<ROOT>_VENUE_BUDGET`. */
  static async open(
    nc: NatsConnection,
    bucket: string,
    settings: Pick<RateBudgetSettings, 'keyTtlMs'>,
    clock: () => number = Date.now,
  ): Promise<KvBudgetLedger> {
    const kv = await new Kvm(nc).create(bucket, { ttl: settings.keyTtlMs, history: 1 });
    return new KvBudgetLedger(kv, settings.keyTtlMs, clock);
  }

  async lease(key: string, want: number, limit: number): Promise<Lease> {
    let from = 0;
    for (let attempt = 0; attempt < MAX_CAS_ATTEMPTS; attempt += 1) {
      const entry = await this.kv.get(key);
      from = livePut(entry) ? Number(entry.string()) : 0;
      const granted = Math.min(want, limit - from);
      if (granted <= 0) return { granted: 0, from, contended: false };
      try {
        if (livePut(entry)) await this.kv.update(key, String(from + granted), entry.revision);
        else await this.kv.create(key, String(granted));
        return { granted, from, contended: false };
      } catch (error) {
        if (!isCasConflict(error)) throw error;
      }
    }
    return { granted: 0, from, contended: true };
  }

  async readPause(key: string): Promise<PauseState | null> {
    const entry = await this.kv.get(key);
    if (!livePut(entry)) return null;
    const state = parsePause(entry);
    if (state) await this.keepAlive(key, entry, state);
    return state;
  }

  async updatePause(key: string, next: (current: PauseState | null) => PauseState): Promise<PauseState> {
    for (;;) {
      const entry = await this.kv.get(key);
      const current = livePut(entry) ? parsePause(entry) : null;
      const state = next(current);
      try {
        if (livePut(entry)) await this.kv.update(key, JSON.stringify(state), entry.revision);
        else await this.kv.create(key, JSON.stringify(state));
        return state;
      } catch (error) {
        if (!isCasConflict(error)) throw error;
      }
    }
  }

  async watchPause(key: string, onPause: (state: PauseState) => void): Promise<() => void> {
    const updates = await this.kv.watch({ key, ignoreDeletes: true });
    void (async () => {
      try {
        for await (const entry of updates) {
          const state = livePut(entry) ? parsePause(entry) : null;
          if (state) onPause(state);
        }
      } catch {
        // The watch ends with its connection; budgets still read the pause before every lease.
      }
    })();
    return () => updates.stop();
  }

  /** A ban longer than the bucket's key TTL is rewritten before it expires, so replicas starting late see it. */
  private async keepAlive(key: string, entry: KvEntry, state: PauseState): Promise<void> {
    const now = this.clock();
    if (state.untilMs <= now || now - entry.created.getTime() < this.keyTtlMs / 2) return;
    try {
      await this.kv.update(key, JSON.stringify(state), entry.revision);
    } catch (error) {
      if (!isCasConflict(error)) throw error;
    }
  }
}
