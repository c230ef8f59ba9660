// The budget's Prometheus series, created once per registry however many venue accounts share it.
import type { MetricsRegistry } from '@tm/telemetry';
import type { Counter, Gauge } from 'prom-client';

export class RateBudgetMetrics {
  private static readonly byRegistry = new WeakMap<MetricsRegistry, RateBudgetMetrics>();

  readonly queued: Gauge;
  readonly granted: Counter;
  readonly throttled: Counter;
  readonly pausedSeconds: Counter;
  readonly penalties: Counter;

  private constructor(registry: MetricsRegistry) {
    const budgetLabels = ['venue', 'account', 'budget'] as const;
    this.queued = registry.gauge(
      'tm_venue_budget_queued',
      'Venue messages waiting for the shared rate budget',
      budgetLabels,
    );
    this.granted = registry.counter(
      'tm_venue_budget_granted_total',
      'Venue messages let through by the shared rate budget',
      budgetLabels,
    );
    this.throttled = registry.counter(
      'tm_venue_throttled_total',
      'Venue messages that had to wait for a budget window or a pause',
      budgetLabels,
    );
    this.pausedSeconds = registry.counter(
      'tm_venue_paused_seconds_total',
      'Seconds this replica held a venue account paused after a 429/418',
      ['venue', 'account'],
    );
    this.penalties = registry.counter(
      'tm_venue_penalties_total',
      '429/418 answers reported to the rate budget by this replica',
      ['venue', 'account', 'status'],
    );
  }

  static for(registry: MetricsRegistry): RateBudgetMetrics {
    let metrics = RateBudgetMetrics.byRegistry.get(registry);
    if (!metrics) {
      metrics = new RateBudgetMetrics(registry);
      RateBudgetMetrics.byRegistry.set(registry, metrics);
    }
    return metrics;
  }
}
