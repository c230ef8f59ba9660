// Binance's REST limits: request weight per IP per clock minute, new orders per account per 10 s,
// 429 with Retry-After when exceeded, and a 418 ban for an IP that keeps going after 429s.
import { BinanceError } from '../binance-error.js';
import type { SimulatorLimits } from '../simulator-options.js';

const TEN_SECONDS = 10_000;

interface WeightWindow {
  start: number;
  used: number;
  count429: number;
}

/** A refusal: the status, the Binance body and the Retry-After seconds (absent for the order count). */
export class RateLimitRefusal extends BinanceError {
  constructor(
    code: number,
    msg: string,
    status: 418 | 429,
    readonly retryAfterSeconds: number | undefined,
  ) {
    super(code, msg, status);
  }
}

export class RequestWeights {
  private readonly weights = new Map<string, WeightWindow>();
  private readonly orders = new Map<string, { start: number; count: number }>();
  private readonly bannedUntil = new Map<string, number>();

  /** `false` limits = unlimited, but usage is still counted for the headers. */
  constructor(private readonly limits: SimulatorLimits | false) {}

  /** Adds `weight` for `ip` and answers the used weight, or throws 429/418. */
  spend(ip: string, weight: number, now: number): number {
    const window = this.window(ip, now);
    if (this.limits === false) {
      window.used += weight;
      return window.used;
    }
    const banned = this.bannedUntil.get(ip);
    if (banned !== undefined && banned > now) throw this.ban(banned, now);
    if (window.used + weight > this.limits.requestWeightPerMinute) {
      window.count429 += 1;
      if (window.count429 > this.limits.banAfter429s) {
        const until = now + this.limits.banMs;
        this.bannedUntil.set(ip, until);
        throw this.ban(until, now);
      }
      throw new RateLimitRefusal(
        -1003,
        `Too much request weight used; current limit is ${this.limits.requestWeightPerMinute} request weight per 1 MINUTE. Please use WebSocket Streams for live updates to avoid polling the API.`,
        429,
        Math.max(1, Math.ceil((window.start + this.weightWindowMs - now) / 1000)),
      );
    }
    window.used += weight;
    return window.used;
  }

  used(ip: string, now: number): number {
    return this.window(ip, now).used;
  }

  /** Counts one new order for `account`; answers the count in this 10 s window, or throws 429 (-1015). */
  spendOrder(account: string, now: number): number {
    const start = now - (now % TEN_SECONDS);
    let window = this.orders.get(account);
    if (window === undefined || window.start !== start) {
      window = { start, count: 0 };
      this.orders.set(account, window);
    }
    if (this.limits !== false && window.count + 1 > this.limits.ordersPer10s) {
      throw new RateLimitRefusal(
        -1015,
        `Too many new orders; current limit is ${this.limits.ordersPer10s} orders per 10 SECOND.`,
        429,
        undefined,
      );
    }
    window.count += 1;
    return window.count;
  }

  orderCount(account: string, now: number): number {
    const window = this.orders.get(account);
    return window !== undefined && window.start === now - (now % TEN_SECONDS) ? window.count : 0;
  }

  /** Binance's window is the clock minute; tests may shrink it to see a sustained run in seconds. */
  private get weightWindowMs(): number {
    return this.limits === false ? 60_000 : this.limits.weightWindowMs;
  }

  private window(ip: string, now: number): WeightWindow {
    const start = now - (now % this.weightWindowMs);
    let window = this.weights.get(ip);
    if (window === undefined || window.start !== start) {
      window = { start, used: 0, count429: 0 };
      this.weights.set(ip, window);
    }
    return window;
  }

  private ban(until: number, now: number): RateLimitRefusal {
    return new RateLimitRefusal(
      -1003,
      `Way too much request weight used; IP banned until ${until}. Please use WebSocket Streams for live updates to avoid bans.`,
      418,
      Math.max(1, Math.ceil((until - now) / 1000)),
    );
  }
}

/** Binance's documented weights; `limit`/`symbol` change some. */
export const WEIGHTS = {
  depth(limit: number | undefined): number {
    const l = limit ?? 100;
    if (l <= 100) return 5;
    if (l <= 500) return 25;
    if (l <= 1000) return 50;
    return 250;
  },
  ticker24hr: (hasSymbol: boolean): number => (hasSymbol ? 2 : 80),
  bookTicker: (hasSymbol: boolean): number => (hasSymbol ? 2 : 4),
  openOrders: (hasSymbol: boolean): number => (hasSymbol ? 6 : 80),
} as const;
