// This instance's share of the persistence: the slot blocks SlotMembership gives it among the live
// persister instances, and one FamilyReader per family reading for those blocks. A change of share is
// applied in order: every reader commits what it read for the old share, then reads for the new one
// from that share's checkpoints (so blocks taken from a dead instance are read from where it stopped).
import type { MembershipChange, SlotMembership } from '@tm/membership';
import { blockOfSlot, type SlotRange } from '@tm/sharding';
import type { Logger } from '@tm/telemetry';
import type { FamilyReader } from './family-reader.js';

const START_RETRY_FIRST_MS = 250;
const START_RETRY_MAX_MS = 10_000;

export function blocksOf(ranges: readonly SlotRange[]): number[] {
  const blocks: number[] = [];
  for (const range of ranges)
    for (let block = blockOfSlot(range.first); block <= blockOfSlot(range.last); block++) blocks.push(block);
  return blocks;
}

export class PersistenceWorker {
  private membership: SlotMembership | undefined;
  private owned: SlotRange[] = [];
  private applying: Promise<void> = Promise.resolve();
  private running = false;
  /** Bumped by every change: a start still retrying for an older share gives up. */
  private generation = 0;

  constructor(
    private readonly readers: readonly FamilyReader[],
    private readonly openMembership: () => Promise<SlotMembership>,
    private readonly logger: Logger,
  ) {}

  /** The slot ranges this instance writes now. */
  get ownedRanges(): readonly SlotRange[] {
    return this.owned;
  }

  get ownedSlotCount(): number {
    return this.owned.reduce((sum, range) => sum + range.size, 0);
  }

  async start(): Promise<void> {
    if (this.running) return;
    this.running = true;
    const membership = await this.openMembership();
    this.membership = membership;
    membership.onChange((change) => this.apply(change));
    await membership.start();
  }

  /**
   * Leaves the membership (its listener commits what the readers hold before the slots move), then
   * stops the readers; what is not committed by `deadline` is read again by the next owner.
   */
  async stop(deadline = Infinity): Promise<void> {
    if (!this.running) return;
    this.running = false;
    for (const reader of this.readers) reader.setDeadline(deadline);
    await this.membership?.stop();
    this.membership = undefined;
    await this.applying;
    await Promise.all(this.readers.map((reader) => reader.stop(deadline)));
    this.owned = [];
  }

  private apply(change: MembershipChange): Promise<void> {
    const generation = ++this.generation;
    this.applying = this.applying.then(async () => {
      const blocks = blocksOf(change.owned);
      if (this.running && blocks.join() === blocksOf(this.owned).join()) return;
      await Promise.all(this.readers.map((reader) => reader.stop()));
      this.owned = change.owned;
      this.logger.info(
        {
          members: change.members,
          slots: this.ownedSlotCount,
          gained: change.gained.length,
          lost: change.lost.length,
        },
        'persisting slots',
      );
      for (const reader of this.readers) await this.startReader(reader, blocks, generation);
    });
    return this.applying;
  }

  /** A reader needs its checkpoints (PostgreSQL) and its stream (NATS): retried until both answer. */
  private async startReader(reader: FamilyReader, blocks: number[], generation: number): Promise<void> {
    for (let delay = START_RETRY_FIRST_MS; this.running && generation === this.generation;) {
      try {
        await reader.start(blocks);
        return;
      } catch (error) {
        this.logger.warn(
          { err: error, family: reader.family, retryInMs: delay },
          'reader not started, retrying',
        );
        await new Promise((resolve) => setTimeout(resolve, delay));
        delay = Math.min(delay * 2, START_RETRY_MAX_MS);
      }
    }
  }
}
