// Which live instance owns which slots: rendezvous (highest-random-weight) hashing over 512 fixed
// blocks of slots. Every instance computes the same answer from the same set of ids, and a join or
// a death moves only the blocks the newcomer wins or the dead instance held (docs/adr/0001).
import { ShardingError, ShardingErrorCode } from './sharding.error.js';
import { blockOfSlot, firstSlotOfBlock, lastSlotOfBlock, SLOT_BLOCK_COUNT, SlotRange } from './slot-range.js';
import { xxh32 } from './xxh32.js';

export class SlotOwnership {
  /** The distinct instance ids, sorted: input order and duplicates never matter. */
  readonly instanceIds: readonly string[];
  private readonly ownerOfBlock: readonly string[];

  constructor(instanceIds: Iterable<string>) {
    this.instanceIds = [...new Set(instanceIds)].sort();
    this.ownerOfBlock =
      this.instanceIds.length === 0
        ? []
        : Array.from({ length: SLOT_BLOCK_COUNT }, (_, block) => winner(this.instanceIds, block));
  }

  ownerOf(slot: number): string {
    const block = blockOfSlot(slot);
    if (this.instanceIds.length === 0) throw noInstances();
    return this.ownerOfBlock[block]!;
  }

  owns(instanceId: string, slot: number): boolean {
    const block = blockOfSlot(slot);
    return this.ownerOfBlock[block] === instanceId;
  }

  /** The ranges each instance owns, ascending, adjacent blocks merged; an instance that won no block maps to []. */
  assignment(): Map<string, SlotRange[]> {
    const ranges = new Map<string, SlotRange[]>(this.instanceIds.map((id) => [id, []]));
    let start = 0;
    for (let block = 1; block <= this.ownerOfBlock.length; block++) {
      if (block < this.ownerOfBlock.length && this.ownerOfBlock[block] === this.ownerOfBlock[start]) continue;
      ranges
        .get(this.ownerOfBlock[start]!)!
        .push(new SlotRange(firstSlotOfBlock(start), lastSlotOfBlock(block - 1)));
      start = block;
    }
    return ranges;
  }
}

export function assignSlotRanges(instanceIds: readonly string[]): Map<string, SlotRange[]> {
  return new SlotOwnership(instanceIds).assignment();
}

/** The owner of one slot without building the whole table: one hash per instance. */
export function ownerOfSlot(slot: number, instanceIds: readonly string[]): string {
  const block = blockOfSlot(slot);
  if (instanceIds.length === 0) throw noInstances();
  return winner(instanceIds, block);
}

// The score is XXH32 of the instance id seeded with the block index; equal scores go to the greater id.
function winner(instanceIds: readonly string[], block: number): string {
  let best = instanceIds[0]!;
  let bestScore = xxh32(best, block);
  for (let i = 1; i < instanceIds.length; i++) {
    const id = instanceIds[i]!;
    const score = xxh32(id, block);
    if (score > bestScore || (score === bestScore && id > best)) {
      best = id;
      bestScore = score;
    }
  }
  return best;
}

function noInstances(): ShardingError {
  return new ShardingError(
    ShardingErrorCode.NoInstances,
    'no live instance to own the slot: the instance list is empty',
  );
}
