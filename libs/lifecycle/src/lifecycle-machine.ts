// One state machine per application and per application feature: it refuses what the table
// refuses, remembers where it came from for the two "whichever it left" rows, and tells listeners.
import { nowMicros, type LifecycleLevel, type LifecycleState } from '@tm/contracts';
import { IllegalTransitionError } from './illegal-transition.exception.js';
import { isLegalTransition, RETURN_ROWS } from './lifecycle-table.js';

export interface TransitionRecord {
  from: LifecycleState;
  to: LifecycleState;
  reason?: string;
  /** Microseconds since the epoch. */
  at: number;
}

export type TransitionListener = (record: TransitionRecord, machine: LifecycleMachine) => void;

const ENTRY_STATES = new Set(Object.values(RETURN_ROWS).map((row) => row.enteredAt));

export class LifecycleMachine {
  readonly name: string;
  readonly level: LifecycleLevel;
  private readonly clock: () => number;
  private current: LifecycleState;
  private enteredAt: number;
  private currentReason: string | undefined;
  /** The state left on entering Reconfiguring or Waiting; undefined when unknown (created there). */
  private left: LifecycleState | undefined;
  private readonly listeners = new Set<TransitionListener>();

  constructor(opts: { name: string; level: LifecycleLevel; initial?: LifecycleState; clock?: () => number }) {
    this.name = opts.name;
    this.level = opts.level;
    this.clock = opts.clock ?? nowMicros;
    this.current = opts.initial ?? 'Init';
    this.enteredAt = this.clock();
  }

  get state(): LifecycleState {
    return this.current;
  }

  /** When the current state was entered, microseconds since the epoch. */
  get since(): number {
    return this.enteredAt;
  }

  /** The reason given with the transition into the current state. */
  get reason(): string | undefined {
    return this.currentReason;
  }

  canTransition(to: LifecycleState): boolean {
    return !this.refusal(to);
  }

  /** Moves to `to`, then calls every listener; throws IllegalTransitionError and changes nothing if refused. */
  transition(to: LifecycleState, reason?: string): TransitionRecord {
    const from = this.current;
    const refusal = this.refusal(to);
    if (refusal) throw new IllegalTransitionError(this.name, from, to, refusal.why);
    const record: TransitionRecord = {
      from,
      to,
      ...(reason !== undefined ? { reason } : {}),
      at: this.clock(),
    };
    this.left = this.remembered(from, to);
    this.current = to;
    this.enteredAt = record.at;
    this.currentReason = reason;
    this.notify(record);
    return record;
  }

  /** Listeners run synchronously, in subscription order, after the state changed. Returns the unsubscribe. */
  onTransition(listener: TransitionListener): () => void {
    // Wrapped so the same function subscribed twice gets two independent subscriptions.
    const subscription: TransitionListener = (record, machine) => listener(record, machine);
    this.listeners.add(subscription);
    return () => {
      this.listeners.delete(subscription);
    };
  }

  /** undefined when allowed; otherwise the refusal, with why when the table alone does not say it. */
  private refusal(to: LifecycleState): { why?: string } | undefined {
    const from = this.current;
    if (!isLegalTransition(from, to)) return from === 'Exited' ? { why: 'Exited is terminal' } : {};
    const row = RETURN_ROWS[from];
    if (row?.returns.includes(to) && this.left !== undefined && this.left !== to) {
      return { why: `it entered ${row.enteredAt} from ${this.left}, so it may return only to ${this.left}` };
    }
    return undefined;
  }

  private remembered(from: LifecycleState, to: LifecycleState): LifecycleState | undefined {
    if (ENTRY_STATES.has(to)) return from;
    // Reconfiguring → Reconfigured keeps the memory until the return.
    if (RETURN_ROWS[to]?.enteredAt === from) return this.left;
    return undefined;
  }

  private notify(record: TransitionRecord): void {
    // Every listener hears the transition even if one throws; the first failure then reaches the caller.
    const failures: unknown[] = [];
    for (const listener of [...this.listeners]) {
      try {
        listener(record, this);
      } catch (error) {
        failures.push(error);
      }
    }
    if (failures.length > 0) throw failures[0];
  }
}
