import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { EventLoopLagMonitor } from './event-loop-lag-monitor.js';

function busyWait(ms: number): void {
  const until = performance.now() + ms;
  while (performance.now() < until) {
    // deliberately blocking the event loop
  }
}

describe('EventLoopLagMonitor', () => {
  it('reports zeros before anything was sampled', () => {
    expect(new EventLoopLagMonitor().percentiles()).toEqual({ p50: 0, p99: 0 });
  });

  // A check that the delay is measured at all and converted to ms, not a timing target.
  it('measures a deliberate ~50 ms block of the event loop in p99, and forgets it after reset', async () => {
    const monitor = new EventLoopLagMonitor(10);
    monitor.start();
    try {
      await sleep(30);
      busyWait(50);
      await sleep(30);
      const { p50, p99 } = monitor.percentiles();
      expect(p99).toBeGreaterThanOrEqual(20);
      expect(p50).toBeLessThanOrEqual(p99);

      monitor.reset();
      expect(monitor.percentiles()).toEqual({ p50: 0, p99: 0 });
    } finally {
      monitor.stop();
    }
  });
});
