import type { ArbitrageWindowV1, CandleV1, Subjects } from '@tm/contracts';
import type { ReliablePublisher } from '@tm/messaging';
import { instrumentSlot } from '@tm/sharding';

/**
 * Closed candles and arbitrage windows to JetStream (stream MD) for the persister. The message id is the
 * event's own key, so the same candle closed again by the next owner of a slot is stored once.
 */
export class MarketEvents {
  failed = 0;

  constructor(
    private readonly publisher: ReliablePublisher,
    private readonly subjects: Subjects,
    private readonly onFailure: (error: unknown) => void,
  ) {}

  candle(candle: CandleV1): void {
    this.send(
      this.subjects.mdCandle(instrumentSlot(candle.instrument)),
      candle,
      `candle:${candle.instrument}:${candle.intervalMicros}:${candle.start}`,
    );
  }

  arbitrageWindow(window: ArbitrageWindowV1): void {
    this.send(
      this.subjects.mdArbitrage(instrumentSlot(window.instrument)),
      window,
      `arb:${window.instrument}:${window.buySource}:${window.sellSource}:${window.openedAt}`,
    );
  }

  flush(timeoutMs: number): Promise<boolean> {
    return this.publisher.flush(timeoutMs);
  }

  private send(subject: string, payload: unknown, msgId: string): void {
    // Rejected only when the queue is full or the publisher closed: counted and reported, never thrown.
    this.publisher.publish(subject, payload, msgId).catch((error: unknown) => {
      this.failed += 1;
      this.onFailure(error);
    });
  }
}
