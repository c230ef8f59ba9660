import { SlotOutOfRangeError } from './sharding.error.js';
import { assertSlot, SLOT_COUNT } from './slot.js';

/** Ownership moves in blocks of 64 contiguous slots: 512 blocks, the last one 63 slots long. */
export const SLOT_BLOCK_COUNT = 512;
const BLOCK_SIZE = Math.ceil(SLOT_COUNT / SLOT_BLOCK_COUNT);

/** Slots first..last, both included. */
export class SlotRange {
  constructor(
    readonly first: number,
    readonly last: number,
  ) {
    assertSlot(first);
    assertSlot(last);
    if (last < first) throw new SlotOutOfRangeError(last);
  }

  get size(): number {
    return this.last - this.first + 1;
  }

  contains(slot: number): boolean {
    assertSlot(slot);
    return slot >= this.first && slot <= this.last;
  }

  toString(): string {
    return `${this.first}-${this.last}`;
  }
}

export function blockOfSlot(slot: number): number {
  assertSlot(slot);
  return Math.floor((slot - 1) / BLOCK_SIZE);
}

export function firstSlotOfBlock(block: number): number {
  return block * BLOCK_SIZE + 1;
}

export function lastSlotOfBlock(block: number): number {
  return Math.min((block + 1) * BLOCK_SIZE, SLOT_COUNT);
}
