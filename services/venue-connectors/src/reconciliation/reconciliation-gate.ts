/**
 * While a reconciliation runs, orders that add exposure are refused and cancels pass. Counted, so
 * overlapping runs (start and a reconnect) keep the gate shut until the last one ends.
 */
export class ReconciliationGate {
  private running = 0;

  get refusesExposure(): boolean {
    return this.running > 0;
  }

  async while<T>(run: () => Promise<T>): Promise<T> {
    this.running += 1;
    try {
      return await run();
    } finally {
      this.running -= 1;
    }
  }
}
