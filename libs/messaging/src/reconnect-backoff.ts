/**
 * Exponential backoff with full jitter (a random wait between 0 and min(cap, base·2^attempt)), so sessions that
 * drop together (venue feeds, FIX liquidity providers) do not reconnect together.
 */
export class ReconnectBackoff {
  private attempt = 0;

  constructor(
    private readonly baseMs: number,
    private readonly capMs: number,
    private readonly random: () => number = Math.random,
  ) {}

  /** The wait before the next attempt; each call doubles the ceiling up to the cap. */
  next(): number {
    // A cap set below the base (two settings an operator gives apart) holds every wait at the base.
    const ceiling = Math.min(Math.max(this.capMs, this.baseMs), this.baseMs * 2 ** this.attempt);
    this.attempt = Math.min(this.attempt + 1, 30);
    return Math.floor(this.random() * ceiling);
  }

  /** After a session that logged on: the next drop starts again from the base. */
  reset(): void {
    this.attempt = 0;
  }

  get attempts(): number {
    return this.attempt;
  }
}
