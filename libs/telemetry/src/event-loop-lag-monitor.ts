import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks';

const NANOS_PER_MILLI = 1e6;

/** Event-loop delay percentiles since the last reset, sampled by Node's own histogram timer. */
export class EventLoopLagMonitor {
  private readonly histogram: IntervalHistogram;

  constructor(resolutionMs = 10) {
    this.histogram = monitorEventLoopDelay({ resolution: resolutionMs });
  }

  start(): void {
    this.histogram.enable();
  }

  stop(): void {
    this.histogram.disable();
  }

  /** In milliseconds; zeros while nothing has been sampled yet. */
  percentiles(): { p50: number; p99: number } {
    if (this.histogram.count === 0) return { p50: 0, p99: 0 };
    return {
      p50: this.histogram.percentile(50) / NANOS_PER_MILLI,
      p99: this.histogram.percentile(99) / NANOS_PER_MILLI,
    };
  }

  reset(): void {
    this.histogram.reset();
  }
}
