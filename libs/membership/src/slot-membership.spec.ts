import { JetStreamApiError } from '@nats-io/jetstream';
import { SLOT_COUNT, SlotOwnership } from '@tm/sharding';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { SlotMembership, type MemberStore, type MembershipChange } from './slot-membership.js';

const TTL = 3_000;

type WatchEntry = { key: string; operation: 'PUT' | 'DEL' | 'PURGE' };

/** An async queue that a `for await` drains until stop(). */
class Queue<T> implements AsyncIterable<T> {
  private readonly items: T[] = [];
  private wake: (() => void) | undefined;
  private stopped = false;

  push(item: T): void {
    this.items.push(item);
    this.wake?.();
  }

  stop(): void {
    this.stopped = true;
    this.wake?.();
  }

  async *[Symbol.asyncIterator](): AsyncIterator<T> {
    for (;;) {
      while (this.items.length > 0) yield this.items.shift()!;
      if (this.stopped) return;
      await new Promise<void>((resolve) => (this.wake = resolve));
    }
  }
}

function casConflict(): JetStreamApiError {
  return new JetStreamApiError({ code: 400, err_code: 10071, description: 'wrong last sequence' });
}

/** A KV bucket in memory: entries vanish `ttl` after their last write without telling the watchers, like NATS 2.9. */
class FakeStore implements MemberStore {
  readonly entries = new Map<string, { revision: number; writtenAt: number }>();
  private readonly watchers = new Set<Queue<WatchEntry>>();
  private sequence = 0;
  offline = false;

  async create(key: string): Promise<number> {
    this.check();
    if (this.live(key)) throw casConflict();
    return this.write(key);
  }

  async update(key: string, _value: string, revision: number): Promise<number> {
    this.check();
    if (this.live(key)?.revision !== revision) throw casConflict();
    return this.write(key);
  }

  async delete(key: string): Promise<void> {
    this.check();
    this.entries.delete(key);
    for (const watcher of this.watchers) watcher.push({ key, operation: 'DEL' });
  }

  async keys(): Promise<Queue<string>> {
    this.check();
    const queue = new Queue<string>();
    for (const key of this.entries.keys()) if (this.live(key)) queue.push(key);
    queue.stop();
    return queue;
  }

  async watch(): Promise<Queue<WatchEntry>> {
    this.check();
    const queue = new Queue<WatchEntry>();
    for (const key of this.entries.keys()) if (this.live(key)) queue.push({ key, operation: 'PUT' });
    this.watchers.add(queue);
    return queue;
  }

  /** Another process's key, written now and never renewed unless written again. */
  putForeign(key: string): void {
    this.write(key);
  }

  private live(key: string): { revision: number } | undefined {
    const entry = this.entries.get(key);
    return entry && Date.now() - entry.writtenAt < TTL ? entry : undefined;
  }

  private write(key: string): number {
    const revision = ++this.sequence;
    this.entries.set(key, { revision, writtenAt: Date.now() });
    for (const watcher of this.watchers) watcher.push({ key, operation: 'PUT' });
    return revision;
  }

  private check(): void {
    if (this.offline) throw new Error('connection closed');
  }
}

function slotsIn(change: MembershipChange, field: 'owned' | 'gained' | 'lost'): number {
  return change[field].reduce((sum, range) => sum + range.size, 0);
}

describe('SlotMembership', () => {
  let store: FakeStore;
  let membership: SlotMembership;
  let changes: MembershipChange[];

  beforeEach(() => {
    vi.useFakeTimers();
    store = new FakeStore();
    membership = new SlotMembership(store, { instanceId: 'me', memberTtlMs: TTL, clock: () => Date.now() });
    changes = [];
    membership.onChange((change) => void changes.push(change));
  });

  afterEach(async () => {
    await membership.stop();
    vi.useRealTimers();
  });

  it('claims its slots only after the join delay', async () => {
    await membership.start();
    expect(membership.members()).toEqual(['me']);
    expect(membership.claiming).toBe(false);
    expect(membership.owns(1)).toBe(false);

    await vi.advanceTimersByTimeAsync(TTL / 2 + 10);
    expect(membership.claiming).toBe(true);
    expect(membership.owns(1)).toBe(true);
    expect(slotsIn(changes.at(-1)!, 'gained')).toBe(SLOT_COUNT);
  });

  it('takes the slots the others own into account, and gives them up to a joiner at once', async () => {
    store.putForeign('other');
    await membership.start();
    await vi.advanceTimersByTimeAsync(TTL / 2 + 10);
    const mine = new SlotOwnership(['me', 'other']).assignment().get('me')!;
    expect(membership.ownedRanges()).toEqual(mine);

    store.putForeign('joiner');
    await vi.advanceTimersByTimeAsync(0);
    expect(membership.members()).toEqual(['joiner', 'me', 'other']);
    expect(membership.ownedRanges()).toEqual(
      new SlotOwnership(['me', 'other', 'joiner']).assignment().get('me'),
    );
    expect(slotsIn(changes.at(-1)!, 'lost')).toBeGreaterThan(0);
    expect(slotsIn(changes.at(-1)!, 'gained')).toBe(0);
  });

  it('drops a member whose key expired silently, at the next listing', async () => {
    store.putForeign('other');
    await membership.start();
    await vi.advanceTimersByTimeAsync(TTL + TTL / 3 + 10);
    expect(membership.members()).toEqual(['me']);
    expect(slotsIn(changes.at(-1)!, 'owned')).toBe(SLOT_COUNT);
  });

  it('stops claiming within half a TTL of its last renewal when NATS is gone, and rejoins after', async () => {
    await membership.start();
    await vi.advanceTimersByTimeAsync(TTL);
    expect(membership.claiming).toBe(true);

    store.offline = true;
    await vi.advanceTimersByTimeAsync(TTL / 2);
    expect(membership.claiming).toBe(false);
    expect(membership.owns(1)).toBe(false);
    await vi.advanceTimersByTimeAsync(1); // the event follows the deadline by a millisecond
    expect(changes.at(-1)!.owned).toEqual([]);
    expect(slotsIn(changes.at(-1)!, 'lost')).toBe(SLOT_COUNT);

    // Back after its key expired: the renewal conflicts, it registers again and waits the join delay.
    await vi.advanceTimersByTimeAsync(TTL);
    store.offline = false;
    await vi.advanceTimersByTimeAsync(TTL / 3 + 10);
    expect(membership.claiming).toBe(false);
    await vi.advanceTimersByTimeAsync(TTL);
    expect(membership.claiming).toBe(true);
    expect(slotsIn(changes.at(-1)!, 'gained')).toBe(SLOT_COUNT);
  });

  it('lets an async listener drain before the key is deleted, and leaves no timer behind', async () => {
    await membership.start();
    await vi.advanceTimersByTimeAsync(TTL);
    let keyWhileDraining: boolean | undefined;
    membership.onChange(async (change) => {
      if (change.owned.length > 0) return;
      await new Promise((resolve) => setTimeout(resolve, 100));
      keyWhileDraining = store.entries.has('me');
    });

    const stopped = membership.stop();
    await vi.advanceTimersByTimeAsync(100);
    await stopped;
    expect(keyWhileDraining).toBe(true);
    expect(store.entries.has('me')).toBe(false);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('refuses an instance id that is not a valid key', () => {
    expect(() => new SlotMembership(store, { instanceId: 'a.b c' })).toThrow(/instance id/);
  });
});
