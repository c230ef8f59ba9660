// One PaperExchange has one `events` slot; the hub takes it once and fans every event out to the
// feeds of every adapter over that exchange (and to whatever handler was installed before).
import type {
  DepthUpdate,
  ExchangeEvents,
  ExchangeFill,
  ExchangeOrder,
  PaperExchange,
  PublicTrade,
} from '@tm/matching';

export interface PaperEventListener {
  order?(order: ExchangeOrder, fill: ExchangeFill | undefined): void;
  trade?(trade: PublicTrade): void;
  depth?(update: DepthUpdate): void;
}

const hubs = new WeakMap<PaperExchange, PaperEventHub>();

export class PaperEventHub {
  private readonly listeners = new Set<PaperEventListener>();

  static for(exchange: PaperExchange): PaperEventHub {
    let hub = hubs.get(exchange);
    if (hub === undefined) {
      hub = new PaperEventHub(exchange);
      hubs.set(exchange, hub);
    }
    return hub;
  }

  private readonly previous: ExchangeEvents;

  private constructor(private readonly exchange: PaperExchange) {
    this.previous = exchange.events;
    this.refresh();
  }

  /** Installs only the handlers someone listens to: the engine skips building events nobody wants. */
  private refresh(): void {
    const previous = this.previous;
    const wants = (kind: keyof PaperEventListener): boolean =>
      [...this.listeners].some((listener) => listener[kind] !== undefined);
    const events: ExchangeEvents = {};
    if (wants('order') || previous.onOrderUpdate)
      events.onOrderUpdate = (order, fill) => {
        previous.onOrderUpdate?.(order, fill);
        for (const listener of this.listeners) listener.order?.(order, fill);
      };
    if (wants('trade') || previous.onPublicTrade)
      events.onPublicTrade = (trade) => {
        previous.onPublicTrade?.(trade);
        for (const listener of this.listeners) listener.trade?.(trade);
      };
    if (wants('depth') || previous.onDepthUpdate)
      events.onDepthUpdate = (update) => {
        previous.onDepthUpdate?.(update);
        for (const listener of this.listeners) listener.depth?.(update);
      };
    this.exchange.events = events;
  }

  add(listener: PaperEventListener): () => void {
    this.listeners.add(listener);
    this.refresh();
    return () => {
      this.listeners.delete(listener);
      this.refresh();
    };
  }
}
