import type { Gauge } from 'prom-client';
import type { MetricsRegistry } from '@tm/telemetry';
import type { AggregationWorker } from './aggregation-worker.js';

/** The aggregation's counters and refusals per source as gauges (/metrics and the 60 s snapshot). */
export class AggregatorMetrics {
  deadLettersLost = 0;
  private readonly counters: Gauge;
  private readonly refusals: Gauge;
  private readonly slots: Gauge;
  private timer: NodeJS.Timeout | undefined;

  constructor(registry: MetricsRegistry) {
    this.counters = registry.gauge('tm_aggregator_messages', 'Market-data messages by outcome since start', [
      'outcome',
    ]);
    this.refusals = registry.gauge('tm_aggregator_refused', 'Refused market data by source and reason', [
      'source',
      'reason',
    ]);
    this.slots = registry.gauge('tm_aggregator_owned_slots', 'Slots this instance owns');
  }

  start(worker: AggregationWorker): void {
    const refresh = () => {
      const c = worker.ingest.counters;
      for (const [outcome, value] of Object.entries({
        ...c,
        broadcast: worker.broadcaster.published,
        deadLettersLost: this.deadLettersLost,
        statesSaved: worker.handover.saved,
        statesImported: worker.handover.imported,
        bookResyncRequests: worker.bookResync.sent,
        eventsNotPublished: worker.eventsNotPublished(),
        ...Object.fromEntries(
          Object.entries(worker.tradeEventCounters()).map(([name, value]) => [`tradeEvents_${name}`, value]),
        ),
      }))
        this.counters.set({ outcome }, value);
      for (const bySource of [worker.ingest.refusals(), worker.rejections()])
        for (const [source, reasons] of Object.entries(bySource))
          for (const [reason, count] of Object.entries(reasons))
            this.refusals.set({ source, reason }, Number(count ?? 0));
      this.slots.set(worker.ownedSlotCount());
    };
    refresh();
    this.timer = setInterval(refresh, 1_000);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
  }
}
