import type { PaperExchange } from '@tm/matching';
import type { FeedEnd } from '../adapter/operations/watch-market-data.operation.js';
import type { ExecutionFeed, ExecutionSink } from '../adapter/operations/watch-own-orders.operation.js';
import { PaperEventHub } from './paper-event-hub.js';
import { paperFill, paperOrder } from './paper-normalise.js';

/** One account's order updates, each followed by the fill that caused it. */
export class PaperExecutionFeed implements ExecutionFeed {
  readonly ended: Promise<FeedEnd>;
  private resolveEnded: (end: FeedEnd) => void = () => undefined;
  private readonly detach: () => void;
  private closed = false;

  constructor(exchange: PaperExchange, account: string, sink: ExecutionSink) {
    this.ended = new Promise((resolve) => (this.resolveEnded = resolve));
    this.detach = PaperEventHub.for(exchange).add({
      order: (order, fill) => {
        if (order.account !== account) return;
        sink.order(paperOrder(order));
        if (fill !== undefined) sink.fill(paperFill(fill));
      },
    });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.detach();
    this.resolveEnded({ reason: 'closed' });
  }
}
