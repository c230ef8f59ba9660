// Queues an operation's events and delivers them after the engine state is consistent, in order, even
// when a handler calls back into the exchange (its events join the same queue behind ours).
import type {
  DepthUpdate,
  ExchangeEvents,
  ExchangeFill,
  ExchangeOrder,
  PublicTrade,
} from './exchange-types.js';

type QueuedEvent =
  | { kind: 'order'; order: ExchangeOrder; fill: ExchangeFill | undefined }
  | { kind: 'trade'; trade: PublicTrade }
  | { kind: 'depth'; update: DepthUpdate };

export class EventDispatcher {
  private queue: QueuedEvent[] = [];
  private flushing = false;

  constructor(
    private readonly handlers: () => ExchangeEvents,
    private readonly onError: (error: unknown) => void,
  ) {}

  push(event: QueuedEvent): void {
    this.queue.push(event);
  }

  mark(): number {
    return this.queue.length;
  }

  /** Drops events queued since mark (an aborted operation). */
  truncate(mark: number): void {
    if (this.queue.length > mark) this.queue.length = mark;
  }

  flush(): void {
    if (this.flushing) return;
    this.flushing = true;
    try {
      for (let i = 0; i < this.queue.length; i += 1) this.deliver(this.queue[i] as QueuedEvent);
    } finally {
      this.queue = [];
      this.flushing = false;
    }
  }

  private deliver(event: QueuedEvent): void {
    const handlers = this.handlers();
    try {
      if (event.kind === 'order') handlers.onOrderUpdate?.(event.order, event.fill);
      else if (event.kind === 'trade') handlers.onPublicTrade?.(event.trade);
      else handlers.onDepthUpdate?.(event.update);
    } catch (error) {
      this.onError(error);
    }
  }
}
