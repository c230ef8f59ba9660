// Ticks of one source in the rolling window: their tsInit and receive latency, oldest first.

export interface TickWindowState {
  tsInit: number[];
  latency: number[];
}

export class TickWindow {
  private tsInit: number[] = [];
  private latency: number[] = [];
  private head = 0;
  // Latencies are integer micros, so this running sum stays exact (no drift from add/subtract).
  private latencySum = 0;

  push(tsInit: number, latency: number): void {
    this.tsInit.push(tsInit);
    this.latency.push(latency);
    this.latencySum += latency;
  }

  /** Drops ticks with tsInit <= cutoff; assumes a source's tsInit is non-decreasing (a late one leaves with its neighbours). */
  evict(cutoff: number): void {
    const ts = this.tsInit;
    let head = this.head;
    while (head < ts.length && (ts[head] as number) <= cutoff) {
      this.latencySum -= this.latency[head] as number;
      head++;
    }
    if (head > 1024 && head * 2 > ts.length) {
      this.tsInit = ts.slice(head);
      this.latency = this.latency.slice(head);
      head = 0;
    }
    if (head === this.tsInit.length) {
      this.tsInit.length = 0;
      this.latency.length = 0;
      this.latencySum = 0;
      head = 0;
    }
    this.head = head;
  }

  get count(): number {
    return this.tsInit.length - this.head;
  }

  /** Mean tsInit - tsEvent, null when empty. */
  meanLatency(): number | null {
    const count = this.count;
    return count === 0 ? null : this.latencySum / count;
  }

  /** tsInit of the oldest tick in the window, or null. */
  oldest(): number | null {
    return this.count === 0 ? null : (this.tsInit[this.head] as number);
  }

  export(): TickWindowState {
    return { tsInit: this.tsInit.slice(this.head), latency: this.latency.slice(this.head) };
  }

  static from(state: TickWindowState): TickWindow {
    const window = new TickWindow();
    for (let i = 0; i < state.tsInit.length; i++)
      window.push(state.tsInit[i] as number, state.latency[i] as number);
    return window;
  }
}
