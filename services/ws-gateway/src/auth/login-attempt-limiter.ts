export type AttemptVerdict =
  { readonly allowed: true } | { readonly allowed: false; readonly retryAfterSeconds: number };

export interface LoginAttemptLimiterOptions {
  maxAttempts: number;
  windowMs: number;
  now?: () => number;
}

/**
 * At most `maxAttempts` login attempts per client address in any `windowMs` (a sliding window). Every
 * attempt counts, a successful one too, as "5 attempts per 60 s per IP" says; a refused attempt does not,
 * so a client that waits Retry-After gets in. Held in this process's memory: each replica counts on its
 * own and a restart forgets, which a login throttle can afford; it is not a lockout record.
 */
export class LoginAttemptLimiter {
  private readonly attempts = new Map<string, number[]>();
  private readonly now: () => number;
  private lastSweep: number;

  constructor(private readonly options: LoginAttemptLimiterOptions) {
    this.now = options.now ?? Date.now;
    this.lastSweep = this.now();
  }

  /** Counts an attempt from `address` if it is allowed; otherwise says how long to wait. */
  attempt(address: string): AttemptVerdict {
    const now = this.now();
    this.sweep(now);
    const since = now - this.options.windowMs;
    const recent = (this.attempts.get(address) ?? []).filter((at) => at > since);
    if (recent.length >= this.options.maxAttempts) {
      this.attempts.set(address, recent);
      const freedAt = recent[recent.length - this.options.maxAttempts] + this.options.windowMs;
      return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil((freedAt - now) / 1_000)) };
    }
    recent.push(now);
    this.attempts.set(address, recent);
    return { allowed: true };
  }

  /** Addresses with an attempt inside the window; for tests and metrics. */
  get trackedAddresses(): number {
    return this.attempts.size;
  }

  // Once a window, forget addresses that have been quiet for a whole window, so memory follows live clients.
  private sweep(now: number): void {
    if (now - this.lastSweep < this.options.windowMs) return;
    this.lastSweep = now;
    const since = now - this.options.windowMs;
    for (const [address, times] of this.attempts) {
      if (times[times.length - 1] <= since) this.attempts.delete(address);
    }
  }
}
