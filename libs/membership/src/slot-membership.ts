// Which live instances of one service share the slots: each instance keeps a key alive in a JetStream
// KV bucket whose entries expire memberTtlMs after their last write, watches and lists the bucket, and
// owns what `SlotOwnership` gives it over the live ids. It claims nothing while its own key or its view
// of the others could be stale, so a slot changes hands with a gap rather than an overlap (README).
import { JetStreamApiCodes, JetStreamApiError } from '@nats-io/jetstream';
import { Kvm, type KvWatchEntry } from '@nats-io/kv';
import type { NatsConnection } from '@nats-io/transport-node';
import { SLOT_COUNT, SlotOwnership, SlotRange } from '@tm/sharding';
import type { Logger } from '@tm/telemetry';
import { MemberView } from './member-view.js';
import { MembershipError, MembershipErrorCode } from './membership.error.js';

export const DEFAULT_MEMBER_TTL_MS = 3_000;

/** What the membership needs of a KV bucket; `KV` from @nats-io/kv fits it, and so can a fake in tests. */
export interface MemberStore {
  create(key: string, value: string): Promise<number>;
  update(key: string, value: string, revision: number, timeoutMs?: number): Promise<number>;
  delete(key: string): Promise<void>;
  keys(): Promise<AsyncIterable<string> & { stop(): void }>;
  watch(): Promise<AsyncIterable<Pick<KvWatchEntry, 'key' | 'operation'>> & { stop(): void }>;
}

export interface SlotMembershipOptions {
  /** This instance's key in the bucket: letters, digits and `-_=/`, unique among live instances. */
  instanceId: string;
  /** How long a key outlives its last renewal; must be the bucket's TTL. Default 3,000 ms. */
  memberTtlMs?: number;
  /** How long a (re)joined instance waits before claiming, so the others have seen it. Default memberTtlMs/2. */
  joinDelayMs?: number;
  logger?: Pick<Logger, 'warn'>;
  /** Monotonic milliseconds; `performance.now()` unless a test steps time itself. */
  clock?: () => number;
}

export interface MembershipChange {
  /** The live instance ids as this instance sees them, sorted. */
  members: string[];
  /** What this instance owns now: ascending ranges, [] while it does not claim. */
  owned: SlotRange[];
  gained: SlotRange[];
  lost: SlotRange[];
}

/** May return a promise: `stop()` waits for it before handing the slots over (drain, then leave). */
export type MembershipListener = (change: MembershipChange) => void | Promise<void>;

type Watcher = Awaited<ReturnType<MemberStore['watch']>>;

export class SlotMembership {
  readonly instanceId: string;
  readonly memberTtlMs: number;
  private readonly joinDelayMs: number;
  private readonly giveUpMs: number;
  private readonly periodMs: number;
  private readonly clock: () => number;
  private readonly logger: Pick<Logger, 'warn'> | undefined;

  private readonly view = new MemberView();
  private readonly listeners = new Set<MembershipListener>();
  private state: 'idle' | 'running' | 'stopped' = 'idle';
  /** Our key's revision while we believe it is in the bucket. */
  private revision: number | undefined;
  /** When the last renewal the server acknowledged was sent: the server kept the key from a later moment. */
  private renewedAt = -Infinity;
  /** When the last completed listing was sent, and in which registration epoch. */
  private listedAt = -Infinity;
  private listedEpoch = -1;
  private epoch = 0;
  private claimableFrom = Infinity;

  private memberIds: string[] = [];
  private ownership: SlotOwnership | undefined;
  private ownRanges: SlotRange[] = [];
  private emittedMembers: string[] = [];
  private emittedOwned: SlotRange[] = [];

  private tickTimer: NodeJS.Timeout | undefined;
  private deadlineTimer: NodeJS.Timeout | undefined;
  private renewing: Promise<void> | undefined;
  private listing: Promise<void> | undefined;
  private watcher: Watcher | undefined;
  private watching: Promise<void> | undefined;
  private watchStarting = false;

  constructor(
    private readonly store: MemberStore,
    options: SlotMembershipOptions,
  ) {
    if (!/^[-/_=a-zA-Z0-9]+$/.test(options.instanceId)) {
      throw new MembershipError(
        MembershipErrorCode.InvalidInstanceId,
        `instance id "${options.instanceId}" must be letters, digits and -_=/ only`,
      );
    }
    this.instanceId = options.instanceId;
    this.memberTtlMs = options.memberTtlMs ?? DEFAULT_MEMBER_TTL_MS;
    if (!Number.isFinite(this.memberTtlMs) || this.memberTtlMs < 300) {
      throw new MembershipError(MembershipErrorCode.InvalidOption, 'memberTtlMs must be at least 300 ms');
    }
    this.giveUpMs = this.memberTtlMs / 2;
    this.periodMs = Math.floor(this.memberTtlMs / 3);
    this.joinDelayMs = options.joinDelayMs ?? this.giveUpMs;
    this.clock = options.clock ?? (() => performance.now());
    this.logger = options.logger;
  }

  /** Creates (or binds) the bucket with entries living memberTtlMs, and a membership on it, not started. */
  static async open(
    nc: NatsConnection,
    options: SlotMembershipOptions & { bucket: string },
  ): Promise<SlotMembership> {
    const ttl = options.memberTtlMs ?? DEFAULT_MEMBER_TTL_MS;
    const kv = await new Kvm(nc).create(options.bucket, { ttl, history: 1 });
    return new SlotMembership(kv, { ...options, memberTtlMs: ttl });
  }

  /**
   * Registers this instance, then watches and lists the others. Resolves once registered; slots are
   * claimed `joinDelayMs` later, announced by a change event. Throws DuplicateInstance when another live
   * process keeps this id's key alive for longer than a TTL.
   */
  async start(): Promise<void> {
    if (this.state !== 'idle') {
      throw new MembershipError(MembershipErrorCode.AlreadyStarted, 'a membership starts once');
    }
    this.state = 'running';
    try {
      await this.register();
    } catch (error) {
      this.state = 'stopped';
      throw error;
    }
    await this.ensureWatch();
    await this.list();
    this.tickTimer = setInterval(() => this.tick(), this.periodMs);
    this.tickTimer.unref();
    this.evaluate();
  }

  /** Gives up every slot (waiting for listeners that return a promise), then deletes the key so the others take over at once. */
  async stop(): Promise<void> {
    if (this.state !== 'running') {
      this.state = 'stopped';
      return;
    }
    this.state = 'stopped';
    clearInterval(this.tickTimer);
    clearTimeout(this.deadlineTimer);
    this.tickTimer = this.deadlineTimer = undefined;
    await this.evaluate();
    this.watcher?.stop();
    await Promise.all([this.watching, this.renewing, this.listing]);
    if (this.revision !== undefined) {
      await this.store
        .delete(this.instanceId)
        .catch((error: unknown) => this.warn(error, 'member key not deleted'));
      this.revision = undefined;
    }
  }

  /** Whether this instance may act on its slots right now (registered, renewed and listed recently, joined long enough ago). */
  get claiming(): boolean {
    const now = this.clock();
    return now >= this.claimableFrom && now < this.validUntil();
  }

  owns(slot: number): boolean {
    return this.claiming && this.ownership !== undefined && this.ownership.owns(this.instanceId, slot);
  }

  ownedRanges(): SlotRange[] {
    return this.claiming ? [...this.ownRanges] : [];
  }

  members(): string[] {
    return [...this.memberIds];
  }

  /** Calls `listener` on every change of the members or of what this instance owns; returns an unsubscribe. */
  onChange(listener: MembershipListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private validUntil(): number {
    if (this.state !== 'running' || this.revision === undefined || this.listedEpoch !== this.epoch)
      return -Infinity;
    return Math.min(this.renewedAt, this.listedAt) + this.giveUpMs;
  }

  private tick(): void {
    this.renew();
    void this.list();
    void this.ensureWatch();
    this.evaluate();
  }

  /** The first registration: a key still alive under our id is a crashed predecessor (wait for it to expire) or a twin. */
  private async register(): Promise<void> {
    const deadline = this.clock() + this.memberTtlMs + this.periodMs;
    for (;;) {
      const sentAt = this.clock();
      try {
        this.registered(await this.store.create(this.instanceId, this.instanceId), sentAt);
        return;
      } catch (error) {
        if (!isCasConflict(error)) throw error;
        if (this.clock() >= deadline) {
          throw new MembershipError(
            MembershipErrorCode.DuplicateInstance,
            `another live instance keeps the key "${this.instanceId}" alive`,
          );
        }
        await new Promise((resolve) => setTimeout(resolve, this.periodMs));
      }
    }
  }

  private registered(revision: number, sentAt: number): void {
    this.revision = revision;
    this.renewedAt = sentAt;
    this.claimableFrom = this.clock() + this.joinDelayMs;
    // Only a listing sent after this registration counts: it must show every member that joined before us.
    this.epoch++;
  }

  private renew(): void {
    if (this.renewing || this.state !== 'running') return;
    const sentAt = this.clock();
    const revision = this.revision;
    this.renewing = (async () => {
      try {
        if (revision !== undefined) {
          this.revision = await this.store.update(this.instanceId, this.instanceId, revision, this.periodMs);
          this.renewedAt = sentAt;
        } else {
          this.registered(await this.store.create(this.instanceId, this.instanceId), sentAt);
        }
      } catch (error) {
        if (!isCasConflict(error)) {
          this.warn(error, 'member key not renewed');
        } else if (revision !== undefined) {
          // Our key expired (the others may own our slots already): stop claiming now and join again.
          this.revision = undefined;
          this.epoch++;
          this.warn(error, 'member key expired before renewal; joining again');
        } else {
          this.warn(error, 'another live instance holds this instance id');
        }
      } finally {
        this.renewing = undefined;
        if (this.state === 'running') this.evaluate();
      }
    })();
  }

  private list(): Promise<void> {
    if (this.listing || this.state !== 'running') return this.listing ?? Promise.resolve();
    const mark = this.view.mark();
    const sentAt = this.clock();
    const epoch = this.epoch;
    this.listing = (async () => {
      try {
        const keys = await this.listKeys();
        this.view.applyListing(keys, mark);
        this.listedAt = sentAt;
        this.listedEpoch = epoch;
      } catch (error) {
        this.warn(error, 'members not listed');
      } finally {
        this.listing = undefined;
        if (this.state === 'running') this.evaluate();
      }
    })();
    return this.listing;
  }

  // A listing that hangs must not block the next ones for ever; the claims lapse meanwhile anyway.
  private async listKeys(): Promise<string[]> {
    const iterator = await this.store.keys();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      iterator.stop();
    }, this.memberTtlMs);
    const keys: string[] = [];
    try {
      for await (const key of iterator) keys.push(key);
    } finally {
      clearTimeout(timer);
    }
    if (timedOut) throw new Error(`listing the members took more than ${this.memberTtlMs} ms`);
    return keys;
  }

  // The watch only brings news sooner (joins, stops); listings alone keep the view correct.
  private async ensureWatch(): Promise<void> {
    if (this.watcher || this.watchStarting || this.state !== 'running') return;
    this.watchStarting = true;
    try {
      const watcher = await this.store.watch();
      if (this.state !== 'running') {
        watcher.stop();
        return;
      }
      this.watcher = watcher;
      this.watching = (async () => {
        try {
          for await (const entry of watcher) {
            this.view.observe(entry.key, entry.operation === 'PUT');
            if (this.state === 'running') this.evaluate();
          }
        } catch (error) {
          this.warn(error, 'member watch ended');
        } finally {
          this.watcher = undefined;
        }
      })();
    } catch (error) {
      this.warn(error, 'member watch not started');
    } finally {
      this.watchStarting = false;
    }
  }

  /** Recomputes members and claims, tells the listeners what changed, and wakes up at the next deadline. */
  private evaluate(): Promise<void> {
    const live = this.view.live();
    const members =
      this.revision !== undefined && !live.includes(this.instanceId)
        ? [...live, this.instanceId].sort()
        : live;
    if (!sameIds(members, this.memberIds) || this.ownership === undefined) {
      this.memberIds = members;
      this.ownership = new SlotOwnership([...members, this.instanceId]);
      this.ownRanges = this.ownership.assignment().get(this.instanceId) ?? [];
    }
    const owned = this.ownedRanges();
    this.scheduleDeadline();
    if (sameIds(members, this.emittedMembers) && sameRanges(owned, this.emittedOwned))
      return Promise.resolve();
    const { gained, lost } = diffRanges(this.emittedOwned, owned);
    this.emittedMembers = members;
    this.emittedOwned = owned;
    return this.emit({ members: [...members], owned: [...owned], gained, lost });
  }

  private scheduleDeadline(): void {
    clearTimeout(this.deadlineTimer);
    this.deadlineTimer = undefined;
    if (this.state !== 'running') return;
    const now = this.clock();
    const next = [this.claimableFrom, this.validUntil()].filter((t) => t > now && Number.isFinite(t));
    if (next.length === 0) return;
    this.deadlineTimer = setTimeout(() => this.evaluate(), Math.min(...next) - now + 1);
    this.deadlineTimer.unref();
  }

  private async emit(change: MembershipChange): Promise<void> {
    const pending: Promise<void>[] = [];
    for (const listener of this.listeners) {
      try {
        const result = listener(change);
        if (result)
          pending.push(result.catch((error: unknown) => this.warn(error, 'membership listener failed')));
      } catch (error) {
        this.warn(error, 'membership listener failed');
      }
    }
    await Promise.all(pending);
  }

  private warn(error: unknown, message: string): void {
    this.logger?.warn({ instanceId: this.instanceId, err: error }, message);
  }
}

export function isCasConflict(error: unknown): boolean {
  return (
    error instanceof JetStreamApiError &&
    (error.code === JetStreamApiCodes.StreamWrongLastSequence ||
      error.code === JetStreamApiCodes.StreamWrongLastSequenceUnknown)
  );
}

/** The slots in `after` and not in `before` (gained), and the reverse (lost), as ascending ranges. */
export function diffRanges(
  before: readonly SlotRange[],
  after: readonly SlotRange[],
): { gained: SlotRange[]; lost: SlotRange[] } {
  const mark = new Uint8Array(SLOT_COUNT + 2);
  for (const range of before) mark.fill(1, range.first, range.last + 1);
  for (const range of after) for (let slot = range.first; slot <= range.last; slot++) mark[slot] |= 2;
  return { gained: rangesWhere(mark, 2), lost: rangesWhere(mark, 1) };
}

function rangesWhere(mark: Uint8Array, value: number): SlotRange[] {
  const ranges: SlotRange[] = [];
  let first = 0;
  for (let slot = 1; slot <= SLOT_COUNT + 1; slot++) {
    const hit = slot <= SLOT_COUNT && mark[slot] === value;
    if (hit && first === 0) first = slot;
    if (!hit && first !== 0) {
      ranges.push(new SlotRange(first, slot - 1));
      first = 0;
    }
  }
  return ranges;
}

function sameIds(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((id, i) => id === b[i]);
}

function sameRanges(a: readonly SlotRange[], b: readonly SlotRange[]): boolean {
  return (
    a.length === b.length && a.every((range, i) => range.first === b[i].first && range.last === b[i].last)
  );
}
