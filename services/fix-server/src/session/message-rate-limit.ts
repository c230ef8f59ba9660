/** A client's application messages per second: a token bucket refilled continuously, one second deep. */
export class MessageRateLimit {
  private tokens: number;
  private refilledAt: number;

  constructor(
    readonly perSecond: number,
    private readonly clock: () => number = () => performance.now(),
  ) {
    this.tokens = perSecond;
    this.refilledAt = clock();
  }

  /** True when the message is within the limit (and counts it). */
  admit(): boolean {
    const now = this.clock();
    this.tokens = Math.min(this.perSecond, this.tokens + ((now - this.refilledAt) / 1_000) * this.perSecond);
    this.refilledAt = now;
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }
}
