/** CPU used by this process between two calls, in % of one core (can exceed 100 with GC and worker threads). */
export class CpuSampler {
  private lastUsage = process.cpuUsage();
  private lastAt = process.hrtime.bigint();

  sample(): number {
    const usage = process.cpuUsage();
    const at = process.hrtime.bigint();
    const usedMicros = usage.user - this.lastUsage.user + (usage.system - this.lastUsage.system);
    const elapsedMicros = Number(at - this.lastAt) / 1000;
    this.lastUsage = usage;
    this.lastAt = at;
    return elapsedMicros > 0 ? (usedMicros / elapsedMicros) * 100 : 0;
  }
}
