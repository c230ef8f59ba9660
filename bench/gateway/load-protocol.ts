// What gateway.bench.ts and its load-client processes say to each other over IPC, the trade the bench
// publishes (its publish time rides in tsEvent), and the delay histogram both sides use.

/** A socket.io server under test: the ws-gateway (batched `push`) or the bare broadcast server (`trade`). */
export type ServerKind = 'gateway' | 'bare';

export type ClientCommand =
  | {
      type: 'connect';
      kind: ServerKind;
      url: string;
      count: number;
      /** The gateway's access token, one for every socket. */
      token: string;
      /** What each gateway socket watches. */
      pattern: string;
      /** The event topic whose trades count as deliveries. */
      topic: string;
    }
  /** Counts from now on only the trades of `runId`; earlier ones (warm-up, backfill) are ignored. */
  | { type: 'measure'; runId: string }
  | { type: 'report'; published: number }
  | { type: 'close' };

export type ClientReply =
  | { type: 'connected'; connected: number; failed: number; firstError?: string; elapsedMs: number }
  | { type: 'measuring' }
  | ({ type: 'report' } & ClientReport)
  | { type: 'closed' };

export interface ClientReport {
  /** Date.now() when the counts were read. */
  at: number;
  /** Sockets open when measuring began: each should receive every trade of the run. */
  sockets: number;
  /** Trades of the run received, over every socket. */
  received: number;
  /** Trades of the run a socket open from the start never received in order, over every socket. */
  missing: number;
  /** Trades a socket received again, or before one it already had. */
  outOfOrder: number;
  /** `push` or `trade` messages that carried at least one trade of the run. */
  messages: number;
  /** Discontinuity markers in gateway pushes (the connection fell behind). */
  discontinuities: number;
  /** Sockets that disconnected while measuring. */
  disconnected: number;
  /** Date.now() of the first receipt of a trade of the run, 0 if none. */
  firstReceiptAt: number;
  /** Date.now() of the last receipt of a trade of the run, 0 if none. */
  lastReceiptAt: number;
  /** Publish → receipt delay: [ms, count] for every non-empty 1 ms bucket. */
  delays: [number, number][];
}

/** Trade ids are `<runId>:<index>`: a receiver knows the run and the publish order of each trade. */
export function tradeId(runId: string, index: number): string {
  return `${runId}:${index}`;
}

export function parseTradeId(id: string, runId: string): number | undefined {
  if (!id.startsWith(runId) || id.charCodeAt(runId.length) !== 58 /* ':' */) return undefined;
  const index = Number(id.slice(runId.length + 1));
  return Number.isInteger(index) ? index : undefined;
}

/** Delays in 1 ms buckets (Date.now() is what both sides can read); the last bucket holds everything slower. */
export class DelayHistogram {
  static readonly MAX_MS = 60_000;
  readonly buckets = new Uint32Array(DelayHistogram.MAX_MS + 1);
  count = 0;

  record(ms: number): void {
    const bucket = Math.max(0, Math.min(DelayHistogram.MAX_MS, Math.round(ms)));
    this.buckets[bucket] = (this.buckets[bucket] as number) + 1;
    this.count += 1;
  }

  add(pairs: readonly [number, number][]): void {
    for (const [ms, n] of pairs) {
      this.buckets[ms] = (this.buckets[ms] as number) + n;
      this.count += n;
    }
  }

  pairs(): [number, number][] {
    const out: [number, number][] = [];
    this.buckets.forEach((n, ms) => {
      if (n > 0) out.push([ms, n]);
    });
    return out;
  }

  /** The delay at or below which `p` percent of the recorded ones fall; NaN when none was recorded. */
  percentile(p: number): number {
    if (this.count === 0) return Number.NaN;
    const rank = Math.max(1, Math.ceil((p / 100) * this.count));
    let seen = 0;
    for (let ms = 0; ms < this.buckets.length; ms++) {
      seen += this.buckets[ms] as number;
      if (seen >= rank) return ms;
    }
    return DelayHistogram.MAX_MS;
  }
}
