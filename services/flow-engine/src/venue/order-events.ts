import { OrderStateV1, type Subjects } from '@tm/contracts';
import type { NatsConnection, Subscription } from '@nats-io/transport-node';

interface Waiter {
  wake: (state: OrderStateV1) => void;
}

/**
 * Wakes steps waiting on an order when venue-connectors publishes an event for it (`tm.exec.*`). Only a
 * hint: a waiter that hears nothing asks the venue itself, so a missed or malformed event costs a poll,
 * never a wrong answer (the persister dead-letters malformed execution events; this does not repeat it).
 */
export class OrderEvents {
  private readonly waiters = new Map<string, Set<Waiter>>();
  private subscription: Subscription | undefined;

  constructor(
    private readonly nc: NatsConnection,
    private readonly subjects: Subjects,
  ) {}

  start(): void {
    this.subscription ??= this.nc.subscribe(this.subjects.all.exec(), {
      callback: (_error, msg) => {
        if (this.waiters.size === 0) return;
        let order: unknown;
        try {
          order = (JSON.parse(new TextDecoder().decode(msg.data)) as { order?: unknown }).order;
        } catch {
          return;
        }
        const id = (order as { clientOrderId?: unknown } | undefined)?.clientOrderId;
        if (typeof id !== 'string') return;
        const waiting = this.waiters.get(id);
        if (!waiting) return;
        const parsed = OrderStateV1.safeParse(order);
        if (!parsed.success) return;
        for (const waiter of waiting) waiter.wake(parsed.data);
      },
    });
  }

  stop(): void {
    this.subscription?.unsubscribe();
    this.subscription = undefined;
  }

  /** Resolves with the next event's order state, or undefined after `ms` or when the signal aborts. */
  next(clientOrderId: string, ms: number, signal: AbortSignal): Promise<OrderStateV1 | undefined> {
    return new Promise((resolve) => {
      let set = this.waiters.get(clientOrderId);
      if (!set) this.waiters.set(clientOrderId, (set = new Set()));
      const done = (state: OrderStateV1 | undefined) => {
        clearTimeout(timer);
        signal.removeEventListener('abort', onAbort);
        set.delete(waiter);
        if (set.size === 0) this.waiters.delete(clientOrderId);
        resolve(state);
      };
      const waiter: Waiter = { wake: (state) => done(state) };
      const onAbort = () => done(undefined);
      const timer = setTimeout(() => done(undefined), ms);
      set.add(waiter);
      signal.addEventListener('abort', onAbort, { once: true });
    });
  }
}
