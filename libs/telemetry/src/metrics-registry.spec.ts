import { describe, expect, it } from 'vitest';
import { MetricsRegistry } from './metrics-registry.js';

describe('MetricsRegistry', () => {
  it('exposes default Node metrics prefixed tm_, labelled with service and instance', async () => {
    const metrics = new MetricsRegistry({ service: 'persister', instance: 'p-1' });
    const text = await metrics.metrics();
    expect(text).toMatch(/^tm_process_cpu_user_seconds_total\{service="persister",instance="p-1"\} /m);
    expect(text).toMatch(/^tm_nodejs_heap_size_used_bytes\{/m);
    expect(metrics.contentType).toBe(metrics.registry.contentType);
  });

  it('exposes custom gauges, counters and histograms', async () => {
    const metrics = new MetricsRegistry({ service: 'persister', instance: 'p-1' });
    metrics.gauge('batch_rows', 'Rows waiting in the batch').set(42);
    metrics.counter('rows_written_total', 'Rows written', ['table']).inc({ table: 'ticks' }, 5);
    metrics.histogram('commit_seconds', 'Batch commit time', [0.1, 1]).observe(0.5);
    const text = await metrics.metrics();
    expect(text).toContain('batch_rows{service="persister",instance="p-1"} 42');
    expect(text).toContain('rows_written_total{table="ticks",service="persister",instance="p-1"} 5');
    expect(text).toContain('commit_seconds_bucket{le="1",service="persister",instance="p-1"} 1');
  });

  it('gives the own gauges as a flat map with labels folded into the key, and nothing else', async () => {
    const metrics = new MetricsRegistry({ service: 'aggregator', instance: 'a-1' });
    metrics.gauge('instruments', 'Instruments held').set(7);
    const rate = metrics.gauge('tick_rate', 'Ticks per second', ['venue', 'kind']);
    rate.set({ venue: 'binance', kind: 'spot' }, 120);
    rate.set({ venue: 'kraken', kind: 'spot' }, 30);
    metrics.gauge('computed', 'Filled at collect time', []).setToCurrentTime();
    metrics.counter('ticks_total', 'Ticks seen').inc();

    const values = await metrics.gaugeValues();
    expect(Object.keys(values).sort()).toEqual([
      'computed',
      'instruments',
      'tick_rate{kind="spot",venue="binance"}',
      'tick_rate{kind="spot",venue="kraken"}',
    ]);
    expect(values).toMatchObject({
      instruments: 7,
      'tick_rate{kind="spot",venue="binance"}': 120,
      'tick_rate{kind="spot",venue="kraken"}': 30,
    });
  });

  it('escapes quotes and backslashes in folded label values', async () => {
    const metrics = new MetricsRegistry({ service: 'aggregator', instance: 'a-1' });
    metrics.gauge('odd', 'Odd labels', ['name']).set({ name: 'a"b\\c' }, 1);
    await expect(metrics.gaugeValues()).resolves.toEqual({ 'odd{name="a\\"b\\\\c"}': 1 });
  });
});
