/**
 * Remembers the most recent trade ids per instrument, so the REST gap fill after a reconnect and the
 * live stream never publish a trade twice. Bounded: the oldest ids are forgotten first.
 */
export class TradeDeduper {
  private readonly seen = new Map<string, Set<string>>();

  constructor(private readonly capacityPerInstrument = 5_000) {}

  /** True the first time a (instrument, tradeId) is offered. */
  firstSighting(instrument: string, tradeId: string): boolean {
    let ids = this.seen.get(instrument);
    if (!ids) {
      ids = new Set();
      this.seen.set(instrument, ids);
    }
    if (ids.has(tradeId)) return false;
    ids.add(tradeId);
    if (ids.size > this.capacityPerInstrument) {
      const oldest = ids.values().next().value;
      if (oldest !== undefined) ids.delete(oldest);
    }
    return true;
  }
}
