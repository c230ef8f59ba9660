// The live events of the accounts' slots the desk follows: flow progress (core NATS `tm.flow.progress.<slot>`)
// and execution events (`tm.exec.<slot>`), one pair of subscriptions per slot, kept while anyone holds it.
import type { NatsConnection, Subscription } from '@nats-io/transport-node';
import { decodePayload, ExecutionEventV1, FlowProgressV1, type Subjects } from '@tm/contracts';

export type SlotEvent =
  { kind: 'progress'; progress: FlowProgressV1 } | { kind: 'exec'; event: ExecutionEventV1 };

export interface SlotFeedLogger {
  warn(obj: object, msg: string): void;
}

interface Held {
  count: number;
  subscriptions: Subscription[];
}

export class SlotFeeds {
  private readonly held = new Map<number, Held>();

  constructor(
    private readonly nc: NatsConnection,
    private readonly subjects: Subjects,
    private readonly onEvent: (slot: number, event: SlotEvent) => void,
    private readonly logger?: SlotFeedLogger,
  ) {}

  /** Holds the slot; resolves once the server has the interest, so nothing sent after is missed. */
  async acquire(slot: number): Promise<void> {
    const held = this.held.get(slot);
    if (held !== undefined) {
      held.count += 1;
      return;
    }
    const subscriptions = [
      this.nc.subscribe(this.subjects.flowProgress(slot), {
        callback: (error, msg) => {
          if (error !== null) return;
          const decoded = decodePayload(FlowProgressV1, msg.data);
          if (decoded.ok) this.deliver(slot, { kind: 'progress', progress: decoded.value });
          else this.logger?.warn({ subject: msg.subject, reason: decoded.reason }, 'flow progress ignored');
        },
      }),
      this.nc.subscribe(this.subjects.exec(slot), {
        callback: (error, msg) => {
          if (error !== null) return;
          const decoded = decodePayload(ExecutionEventV1, msg.data);
          if (decoded.ok) this.deliver(slot, { kind: 'exec', event: decoded.value });
          else this.logger?.warn({ subject: msg.subject, reason: decoded.reason }, 'execution event ignored');
        },
      }),
    ];
    this.held.set(slot, { count: 1, subscriptions });
    await this.nc.flush();
  }

  release(slot: number): void {
    const held = this.held.get(slot);
    if (held === undefined) return;
    held.count -= 1;
    if (held.count > 0) return;
    this.held.delete(slot);
    for (const subscription of held.subscriptions) subscription.unsubscribe();
  }

  /** Slots held now and by how many: what a test or a metric reads. */
  holders(): ReadonlyMap<number, number> {
    return new Map([...this.held].map(([slot, held]) => [slot, held.count]));
  }

  close(): void {
    for (const held of this.held.values()) for (const s of held.subscriptions) s.unsubscribe();
    this.held.clear();
  }

  private deliver(slot: number, event: SlotEvent): void {
    try {
      this.onEvent(slot, event);
    } catch (error) {
      this.logger?.warn({ err: error }, 'slot event not handled');
    }
  }
}
