/**
 * Failed Logons per client address in a sliding window: past the limit, a Logon from that address is refused
 * before its password is checked, so a guesser can neither try on nor keep the server busy hashing (each
 * check is a 0.25 s bcrypt). Only failures count: a prime broker may open many sessions from one host.
 * Held in this process's memory: each replica counts on its own.
 */
export class FailedLogonThrottle {
  private readonly failures = new Map<string, number[]>();
  private lastSweep: number;

  constructor(
    private readonly maxFailures: number,
    private readonly windowMs: number,
    private readonly now: () => number = Date.now,
  ) {
    this.lastSweep = now();
  }

  /** 0 when a Logon from `address` may be checked; else how long until it may, in milliseconds. */
  retryAfterMs(address: string): number {
    const now = this.now();
    const recent = this.recent(address, now);
    if (recent.length < this.maxFailures) return 0;
    return recent[recent.length - this.maxFailures]! + this.windowMs - now;
  }

  recordFailure(address: string): void {
    const now = this.now();
    this.sweep(now);
    const recent = this.recent(address, now);
    recent.push(now);
    this.failures.set(address, recent);
  }

  private recent(address: string, now: number): number[] {
    return (this.failures.get(address) ?? []).filter((at) => at > now - this.windowMs);
  }

  // Once a window, forget addresses quiet for a whole window, so memory follows live guessers only.
  private sweep(now: number): void {
    if (now - this.lastSweep < this.windowMs) return;
    this.lastSweep = now;
    for (const [address, times] of this.failures)
      if (times[times.length - 1]! <= now - this.windowMs) this.failures.delete(address);
  }
}
