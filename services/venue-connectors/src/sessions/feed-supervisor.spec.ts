import type { FeedEnd } from '@tm/venues';
import { expectEventually } from '@tm/testing';
import { describe, expect, it } from 'vitest';
import { FeedSupervisor, type SupervisedFeed } from './feed-supervisor.js';

class FakeFeed implements SupervisedFeed {
  readonly ended: Promise<FeedEnd>;
  closed = false;
  end: (reason: string) => void = () => undefined;

  constructor() {
    this.ended = new Promise((resolve) => (this.end = (reason) => resolve({ reason })));
  }

  async close(): Promise<void> {
    this.closed = true;
    this.end('closed');
  }
}

function supervised(
  opts: { failUp?: number; idleMs?: number; refuseOpen?: number; expectsTraffic?: () => boolean } = {},
) {
  const feeds: FakeFeed[] = [];
  const events: string[] = [];
  let failUp = opts.failUp ?? 0;
  let refuseOpen = opts.refuseOpen ?? 0;
  const supervisor = new FeedSupervisor<FakeFeed>({
    name: 'fake',
    backoff: { baseMs: 1, capMs: 5 },
    ...(opts.idleMs !== undefined ? { idleMs: opts.idleMs } : {}),
    ...(opts.expectsTraffic ? { expectsTraffic: opts.expectsTraffic } : {}),
    open: async () => {
      if (refuseOpen > 0) {
        refuseOpen -= 1;
        throw new Error('venue unreachable');
      }
      const feed = new FakeFeed();
      feeds.push(feed);
      return feed;
    },
    onUp: (_feed, reconnect) => {
      if (failUp > 0) {
        failUp -= 1;
        throw new Error('subscription failed');
      }
      events.push(reconnect ? 'reconnected' : 'up');
    },
    onDown: (reason) => events.push(`down: ${reason}`),
  });
  return { supervisor, feeds, events };
}

describe('FeedSupervisor', () => {
  it('reopens a feed that ended, reporting down then up again', async () => {
    const { supervisor, feeds, events } = supervised();
    supervisor.start();
    await expectEventually(() => expect(feeds).toHaveLength(1));
    feeds[0]?.end('disconnected');
    await expectEventually(() => expect(events).toEqual(['up', 'down: disconnected', 'reconnected']));
    expect(supervisor.reconnects).toBe(1);
    await supervisor.stop();
    expect(feeds[1]?.closed).toBe(true);
  });

  it('keeps trying while the venue refuses, then comes up', async () => {
    const { supervisor, events } = supervised({ refuseOpen: 3 });
    supervisor.start();
    await expectEventually(() => expect(events.at(-1)).toBe('up'));
    expect(events.filter((e) => e === 'down: venue unreachable')).toHaveLength(3);
    await supervisor.stop();
  });

  it('closes a feed whose restore failed before opening another', async () => {
    const { supervisor, feeds, events } = supervised({ failUp: 1 });
    supervisor.start();
    await expectEventually(() => expect(events).toEqual(['down: subscription failed', 'up']));
    expect(feeds[0]?.closed).toBe(true);
    expect(supervisor.feed).toBe(feeds[1]);
    await supervisor.stop();
  });

  it('treats a silent feed as dead, and a touched one as alive', async () => {
    const { supervisor, feeds, events } = supervised({ idleMs: 300 });
    supervisor.start();
    await expectEventually(() => expect(feeds).toHaveLength(1));
    const keepAlive = setInterval(() => supervisor.touch(), 20);
    await new Promise((resolve) => setTimeout(resolve, 400));
    clearInterval(keepAlive);
    expect(feeds).toHaveLength(1);
    await expectEventually(() => expect(events).toContain('down: fake idle for 300 ms'));
    await expectEventually(() => expect(feeds.length).toBeGreaterThanOrEqual(2));
    await supervisor.stop();
  });

  it('does not count silence as death while nothing is subscribed', async () => {
    let subscribed = false;
    const { supervisor, feeds, events } = supervised({ idleMs: 100, expectsTraffic: () => subscribed });
    supervisor.start();
    await expectEventually(() => expect(feeds).toHaveLength(1));
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect(events).toEqual(['up']);
    subscribed = true;
    await expectEventually(() => expect(events).toContain('down: fake idle for 100 ms'));
    await supervisor.stop();
  });
});
