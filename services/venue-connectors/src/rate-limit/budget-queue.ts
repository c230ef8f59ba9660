// Waiters of one budget in two lanes: cancels always leave before anything in the general lane.

export type AcquireKind = 'cancel' | 'order' | 'query' | 'data';

export interface BudgetGrant {
  kind: AcquireKind;
  /** The epoch second whose shared budget paid for this message. */
  window: number;
}

export interface Waiter {
  kind: AcquireKind;
  resolve: (grant: BudgetGrant) => void;
  reject: (error: Error) => void;
  /** Set when granted or rejected. */
  settled: boolean;
}

/** A FIFO that drops its consumed head in batches instead of shifting on every take. */
class Lane {
  private items: Waiter[] = [];
  private head = 0;

  get length(): number {
    return this.items.length - this.head;
  }

  push(waiter: Waiter): void {
    this.items.push(waiter);
  }

  peek(): Waiter | undefined {
    return this.items[this.head];
  }

  take(): Waiter | undefined {
    const waiter = this.items[this.head];
    if (waiter === undefined) return undefined;
    this.head += 1;
    if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    return waiter;
  }

  drain(): Waiter[] {
    const rest = this.items.slice(this.head);
    this.items = [];
    this.head = 0;
    return rest;
  }
}

export class BudgetQueue {
  private readonly cancels = new Lane();
  private readonly general = new Lane();
  private readonly counts: Record<AcquireKind, number> = { cancel: 0, order: 0, query: 0, data: 0 };

  get length(): number {
    return this.cancels.length + this.general.length;
  }

  get cancelCount(): number {
    return this.cancels.length;
  }

  get generalCount(): number {
    return this.general.length;
  }

  push(waiter: Waiter): void {
    (waiter.kind === 'cancel' ? this.cancels : this.general).push(waiter);
    this.counts[waiter.kind] += 1;
  }

  /** The next waiter to serve: the oldest cancel, else the oldest of the rest. */
  peek(): Waiter | undefined {
    return this.cancels.peek() ?? this.general.peek();
  }

  take(): Waiter | undefined {
    const waiter = this.cancels.length > 0 ? this.cancels.take() : this.general.take();
    if (waiter) this.counts[waiter.kind] -= 1;
    return waiter;
  }

  countOf(kind: AcquireKind): number {
    return this.counts[kind];
  }

  /** Every waiter, cancels first; the queue is empty afterwards. */
  drain(): Waiter[] {
    for (const kind of Object.keys(this.counts) as AcquireKind[]) this.counts[kind] = 0;
    return [...this.cancels.drain(), ...this.general.drain()];
  }
}
