import type { VenueErrorCode } from '@tm/contracts';
import { VenueError } from '@tm/venues';
import CircuitBreaker from 'opossum';

export type BreakerState = 'closed' | 'open' | 'half-open';

export interface BreakerSettings {
  failures: number;
  windowMs: number;
  halfOpenAfterMs: number;
}

// Business refusals say nothing about the venue's health; only these count towards tripping.
const HEALTH_FAILURES: ReadonlySet<VenueErrorCode> = new Set([
  'VENUE_UNAVAILABLE',
  'AMBIGUOUS',
  'RATE_LIMITED',
]);

/**
 * One circuit breaker per venue session (opossum): it trips at `failures` venue-health failures within
 * `windowMs`, refuses calls while open (VENUE_UNAVAILABLE, nothing sent), and lets one call through
 * after `halfOpenAfterMs`. opossum counts a rolling window natively but trips on a percentage, so the
 * count rule is applied on each failure.
 */
export class VenueCallGuard {
  private readonly breaker: CircuitBreaker<[() => Promise<unknown>], unknown>;

  constructor(
    readonly name: string,
    private readonly settings: BreakerSettings,
    onStateChange: (state: BreakerState) => void = () => undefined,
  ) {
    this.breaker = new CircuitBreaker((call: () => Promise<unknown>) => call(), {
      name,
      timeout: false,
      resetTimeout: settings.halfOpenAfterMs,
      rollingCountTimeout: settings.windowMs,
      rollingCountBuckets: 10,
      // Never trips on a percentage; the count rule below decides.
      errorThresholdPercentage: 100,
      volumeThreshold: Number.MAX_SAFE_INTEGER,
      errorFilter: (error: unknown) => !(error instanceof VenueError && HEALTH_FAILURES.has(error.code)),
    });
    this.breaker.on('failure', () => {
      if (this.breaker.closed && this.breaker.stats.failures >= this.settings.failures) this.breaker.open();
    });
    this.breaker.on('open', () => onStateChange('open'));
    this.breaker.on('halfOpen', () => onStateChange('half-open'));
    this.breaker.on('close', () => onStateChange('closed'));
  }

  get state(): BreakerState {
    if (this.breaker.opened) return 'open';
    if (this.breaker.halfOpen) return 'half-open';
    return 'closed';
  }

  /** Runs a venue call through the breaker; when open, refuses without calling. */
  async call<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return (await this.breaker.fire(fn)) as T;
    } catch (error) {
      if (error instanceof Error && 'code' in error && error.code === 'EOPENBREAKER') {
        throw new BreakerOpenError(this.name, this.settings.halfOpenAfterMs);
      }
      throw error;
    }
  }

  shutdown(): void {
    this.breaker.shutdown();
  }
}

/** Refused by our own breaker: nothing was sent to the venue. */
export class BreakerOpenError extends VenueError {
  constructor(name: string, retryAfterMs: number) {
    super('VENUE_UNAVAILABLE', `${name}: circuit breaker open after repeated venue failures`, {
      retryAfterMs,
    });
  }
}
