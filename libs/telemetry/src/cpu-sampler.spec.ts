import { describe, expect, it } from 'vitest';
import { CpuSampler } from './cpu-sampler.js';

describe('CpuSampler', () => {
  it('reports the CPU this process burnt since the previous call', () => {
    const sampler = new CpuSampler();
    const until = performance.now() + 30;
    while (performance.now() < until) {
      // burn CPU on purpose
    }
    const percent = sampler.sample();
    expect(percent).toBeGreaterThan(0);
    expect(Number.isFinite(percent)).toBe(true);
  });
});
