import { Kvm, type KV, type KvEntry } from '@nats-io/kv';
import type { NatsConnection } from '@nats-io/transport-node';
import type { Logger } from '@tm/telemetry';
import { isCasConflict } from '../rate-limit/index.js';

export type LeaseListener = (held: boolean, holder: string | null) => void;

/**
 * Which replica streams a venue account: a key in a JetStream KV bucket whose entries expire `ttlMs`
 * after their last write. The holder renews it every third of the TTL (compare-and-swap on its own
 * revision); the others try to create it as often, which succeeds once a dead holder's entry expired.
 * Every replica still serves venue RPC and shares the budgets; only the holder runs the feeds and
 * reconciliation, so market data is published once and the venue sees one set of sockets.
 */
export class SessionLease {
  private revision: number | undefined;
  private timer: NodeJS.Timeout | undefined;
  private holder: string | null = null;
  private ticking: Promise<void> = Promise.resolve();

  constructor(
    private readonly kv: KV,
    readonly key: string,
    private readonly instance: string,
    private readonly ttlMs: number,
    private readonly onChange: LeaseListener,
    private readonly logger: Pick<Logger, 'warn'>,
  ) {}

  /** The bucket of session leases: entries live `ttlMs` after their last write. */
  static bucket(nc: NatsConnection, name: string, ttlMs: number): Promise<KV> {
    return new Kvm(nc).create(name, { ttl: ttlMs, history: 1 });
  }

  get held(): boolean {
    return this.revision !== undefined;
  }

  get currentHolder(): string | null {
    return this.holder;
  }

  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => this.tick(), Math.max(50, Math.floor(this.ttlMs / 3)));
    this.timer.unref();
    this.tick();
  }

  /** Stops renewing and hands the lease back at once, so another replica takes over without waiting. */
  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.ticking;
    if (this.revision !== undefined) {
      await this.kv.delete(this.key, { previousSeq: this.revision }).catch(() => undefined);
      this.set(undefined, null);
    }
  }

  private tick(): void {
    this.ticking = this.ticking
      .then(() => this.renewOrAcquire())
      .catch((error: unknown) => {
        // NATS unreachable: a holder that cannot renew must assume it lost the lease before it expires.
        this.logger.warn({ lease: this.key, err: error }, 'session lease not renewed');
        if (this.revision !== undefined) this.set(undefined, null);
      });
  }

  private async renewOrAcquire(): Promise<void> {
    try {
      if (this.revision !== undefined) {
        this.set(await this.kv.update(this.key, this.instance, this.revision), this.instance);
        return;
      }
      this.set(await this.kv.create(this.key, this.instance), this.instance);
    } catch (error) {
      if (!isCasConflict(error)) throw error;
      const entry: KvEntry | null = await this.kv.get(this.key);
      this.set(undefined, entry && entry.operation === 'PUT' ? entry.string() : null);
    }
  }

  private set(revision: number | undefined, holder: string | null): void {
    const wasHeld = this.held;
    const previousHolder = this.holder;
    this.revision = revision;
    this.holder = holder;
    if (wasHeld !== this.held || previousHolder !== holder) this.onChange(this.held, holder);
  }
}
