// Faults injected on demand. Nothing random: each armed fault hits the next matching requests or
// messages, in order, and counts down.

export interface SimulatorFaults {
  /** The next `count` requests (matching `path` when given) answer `status` (default 503) untouched. */
  failNext(count: number, opts?: { status?: 500 | 502 | 503; path?: string }): void;
  /** The order IS accepted by the engine, then the HTTP answer never comes (socket destroyed after delayMs). */
  timeoutAfterAcceptNext(count: number, delayMs?: number): void;
  /** Accept the order, then answer 5xx (ambiguous). */
  errorAfterAcceptNext(count: number, status?: 500 | 503): void;
  /** Close every market/user websocket now. */
  dropWebsockets(): void;
  /** Refuse new websocket connections meanwhile (an outage). */
  rejectWebsocketsFor(ms: number): void;
  /** Skip one update id in the next depthUpdate of `instrument`. */
  depthGapNext(instrument: string): void;
  /** Send the next executionReport(s) carrying a fill twice. */
  duplicateFillsNext(count: number): void;
  /** Deliver the next two fill reports (per account) in reverse order, `count` times. */
  reorderFillsNext(count: number): void;
}

/** Default delay before a "timed out" socket is destroyed: longer than any sane client timeout. */
const DEFAULT_TIMEOUT_DELAY_MS = 30_000;

export class FaultInjector implements SimulatorFaults {
  private readonly failures: { remaining: number; status: 500 | 502 | 503; path?: string }[] = [];
  private timeouts: { remaining: number; delayMs: number }[] = [];
  private errors: { remaining: number; status: 500 | 503 }[] = [];
  private readonly depthGaps = new Set<string>();
  private duplicates = 0;
  private reorders = 0;
  private websocketsRefusedUntil = 0;

  /** Set by the simulator: closes every websocket. */
  onDropWebsockets: () => void = () => undefined;

  failNext(count: number, opts: { status?: 500 | 502 | 503; path?: string } = {}): void {
    if (count > 0) this.failures.push({ remaining: count, status: opts.status ?? 503, path: opts.path });
  }

  timeoutAfterAcceptNext(count: number, delayMs = DEFAULT_TIMEOUT_DELAY_MS): void {
    if (count > 0) this.timeouts.push({ remaining: count, delayMs });
  }

  errorAfterAcceptNext(count: number, status: 500 | 503 = 503): void {
    if (count > 0) this.errors.push({ remaining: count, status });
  }

  dropWebsockets(): void {
    this.onDropWebsockets();
  }

  rejectWebsocketsFor(ms: number): void {
    this.websocketsRefusedUntil = Date.now() + ms;
  }

  depthGapNext(instrument: string): void {
    this.depthGaps.add(instrument);
  }

  duplicateFillsNext(count: number): void {
    this.duplicates += Math.max(0, count);
  }

  reorderFillsNext(count: number): void {
    this.reorders += Math.max(0, count);
  }

  // ---- consumed by the simulator ----

  /** The status to fail this request with, if a failNext matches its path. */
  takeFailure(path: string): 500 | 502 | 503 | undefined {
    const index = this.failures.findIndex((f) => f.path === undefined || f.path === path);
    if (index < 0) return undefined;
    const failure = this.failures[index];
    failure.remaining -= 1;
    if (failure.remaining === 0) this.failures.splice(index, 1);
    return failure.status;
  }

  takeTimeoutAfterAccept(): number | undefined {
    const next = this.timeouts[0];
    if (next === undefined) return undefined;
    next.remaining -= 1;
    if (next.remaining === 0) this.timeouts = this.timeouts.slice(1);
    return next.delayMs;
  }

  takeErrorAfterAccept(): 500 | 503 | undefined {
    const next = this.errors[0];
    if (next === undefined) return undefined;
    next.remaining -= 1;
    if (next.remaining === 0) this.errors = this.errors.slice(1);
    return next.status;
  }

  /** Whether an after-accept fault (timeout or 5xx) is armed, so the router knows to look. */
  hasAcceptFault(): boolean {
    return this.timeouts.length > 0 || this.errors.length > 0;
  }

  websocketsRefused(now = Date.now()): boolean {
    return now < this.websocketsRefusedUntil;
  }

  takeDepthGap(instrument: string): boolean {
    return this.depthGaps.delete(instrument);
  }

  takeDuplicate(): boolean {
    if (this.duplicates === 0) return false;
    this.duplicates -= 1;
    return true;
  }

  takeReorder(): boolean {
    if (this.reorders === 0) return false;
    this.reorders -= 1;
    return true;
  }
}
