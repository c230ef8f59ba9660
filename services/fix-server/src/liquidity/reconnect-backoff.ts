/**
 * Exponential backoff with full jitter (a random wait between 0 and min(cap, base·2^attempt)), so LP sessions
 * that drop together do not reconnect together. The same policy as venue-connectors' (a service may not import
 * another service's code, so it is repeated here).
 */
export class ReconnectBackoff {
  private attempt = 0;

  constructor(
    private readonly baseMs: number,
    private readonly capMs: number,
    private readonly random: () => number = Math.random,
  ) {
    if (!(baseMs > 0) || !(capMs >= baseMs)) {
      throw new RangeError(`backoff needs 0 < base (${baseMs}) <= cap (${capMs})`);
    }
  }

  /** The wait before the next attempt; each call doubles the ceiling up to the cap. */
  next(): number {
    const ceiling = Math.min(this.capMs, this.baseMs * 2 ** this.attempt);
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
