// One Prometheus registry per process: default Node metrics (prefixed tm_) plus the service's own.
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry, Summary } from 'prom-client';

export interface MetricsRegistryOptions {
  service: string;
  instance: string;
}

export class MetricsRegistry {
  readonly registry = new Registry();
  /** The service's own gauges, the ones a snapshot reports (default metrics are not among them). */
  private readonly ownGauges: Gauge[] = [];

  constructor(opts: MetricsRegistryOptions) {
    this.registry.setDefaultLabels({ service: opts.service, instance: opts.instance });
    collectDefaultMetrics({ register: this.registry, prefix: 'tm_' });
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  gauge(name: string, help: string, labelNames: readonly string[] = []): Gauge {
    const gauge = new Gauge({ name, help, labelNames, registers: [this.registry] });
    this.ownGauges.push(gauge);
    return gauge;
  }

  counter(name: string, help: string, labelNames: readonly string[] = []): Counter {
    return new Counter({ name, help, labelNames, registers: [this.registry] });
  }

  histogram(
    name: string,
    help: string,
    buckets: readonly number[],
    labelNames: readonly string[] = [],
  ): Histogram {
    return new Histogram({ name, help, buckets: [...buckets], labelNames, registers: [this.registry] });
  }

  /** Exact quantiles over everything observed since the process started (latencies a benchmark reads). */
  summary(name: string, help: string, percentiles: readonly number[]): Summary {
    return new Summary({ name, help, percentiles: [...percentiles], registers: [this.registry] });
  }

  /** The Prometheus text exposition of every metric. */
  metrics(): Promise<string> {
    return this.registry.metrics();
  }

  /** Every own gauge's current value, labels folded into the key as `name{a="x",b="y"}` (sorted by label name). */
  async gaugeValues(): Promise<Record<string, number>> {
    const values: Record<string, number> = {};
    for (const gauge of this.ownGauges) {
      const { name, values: series } = await gauge.get();
      for (const { value, labels } of series) values[seriesKey(name, labels)] = value;
    }
    return values;
  }
}

function seriesKey(name: string, labels: Partial<Record<string, string | number>>): string {
  const pairs = Object.entries(labels)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([label, value]) => `${label}="${String(value).replace(/[\\"]/g, '\\$&')}"`);
  return pairs.length === 0 ? name : `${name}{${pairs.join(',')}}`;
}
