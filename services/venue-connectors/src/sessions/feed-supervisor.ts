import { ReconnectBackoff } from '@tm/messaging';
import type { FeedEnd } from '@tm/venues';

export interface SupervisedFeed {
  readonly ended: Promise<FeedEnd>;
  close(): Promise<void>;
}

export interface FeedSupervisorOptions<F extends SupervisedFeed> {
  name: string;
  /** Opens the feed and restores what it carried (subscriptions); throws when the venue is unreachable. */
  open(): Promise<F>;
  onUp(feed: F, reconnect: boolean): Promise<void> | void;
  onDown(reason: string): void;
  backoff: { baseMs: number; capMs: number };
  /** A feed silent this long is treated as dead and reopened; undefined = never idle. */
  idleMs?: number;
  /** Whether silence means anything now (a feed with nothing subscribed is quiet by design). */
  expectsTraffic?: () => boolean;
}

/**
 * Keeps one feed alive: opens it, waits for it to end (drop, sequence gap, idle), reports the session
 * down, waits a jittered, growing backoff (capped) and opens it again, until stopped.
 */
export class FeedSupervisor<F extends SupervisedFeed> {
  private running = false;
  private current: F | undefined;
  private lastActivity = Date.now();
  private loop: Promise<void> | undefined;
  private wake: (() => void) | undefined;
  reconnects = 0;

  constructor(private readonly options: FeedSupervisorOptions<F>) {}

  get feed(): F | undefined {
    return this.current;
  }

  /** Marks the feed as alive (a message arrived). */
  touch(): void {
    this.lastActivity = Date.now();
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    this.running = false;
    this.wake?.();
    await this.current?.close().catch(() => undefined);
    await this.loop;
  }

  private async run(): Promise<void> {
    const backoff = new ReconnectBackoff(this.options.backoff.baseMs, this.options.backoff.capMs);
    let opened = false;
    while (this.running) {
      let reason: string;
      try {
        const feed = await this.options.open();
        if (!this.running) {
          await feed.close();
          break;
        }
        this.current = feed;
        this.touch();
        try {
          await this.options.onUp(feed, opened);
        } catch (error) {
          // Half-restored (a subscription failed): close it and start over.
          this.current = undefined;
          await feed.close().catch(() => undefined);
          throw error;
        }
        if (opened) this.reconnects += 1;
        opened = true;
        backoff.reset();
        reason = (await this.untilEnded(feed)).reason;
        await feed.close().catch(() => undefined);
        this.current = undefined;
      } catch (error) {
        reason = error instanceof Error ? error.message : String(error);
      }
      if (!this.running) break;
      this.options.onDown(reason);
      await this.sleep(backoff.next());
    }
  }

  private untilEnded(feed: F): Promise<FeedEnd> {
    const idleMs = this.options.idleMs;
    if (idleMs === undefined) return feed.ended;
    return new Promise<FeedEnd>((resolve) => {
      const timer = setInterval(
        () => {
          const expected = this.options.expectsTraffic?.() ?? true;
          if (!expected) this.touch();
          else if (Date.now() - this.lastActivity > idleMs) {
            clearInterval(timer);
            resolve({ reason: `${this.options.name} idle for ${idleMs} ms` });
          } else if (!this.running) {
            clearInterval(timer);
            resolve({ reason: 'stopped' });
          }
        },
        Math.max(50, Math.min(1_000, idleMs / 4)),
      );
      void feed.ended.then((end) => {
        clearInterval(timer);
        resolve(end);
      });
    });
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, ms);
      this.wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }
}
