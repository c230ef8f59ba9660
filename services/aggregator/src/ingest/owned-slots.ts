import { SLOT_COUNT, type SlotRange } from '@tm/sharding';

/**
 * The slots this instance ingests, as a bitmap: one lookup per message on the hot path. Set from the
 * membership's change events; the publishing side still asks the membership itself before each send.
 */
export class OwnedSlots {
  private readonly bits = new Uint8Array(SLOT_COUNT + 1);

  has(slot: number): boolean {
    return this.bits[slot] === 1;
  }

  add(ranges: readonly SlotRange[]): void {
    for (const range of ranges) this.bits.fill(1, range.first, range.last + 1);
  }

  remove(ranges: readonly SlotRange[]): void {
    for (const range of ranges) this.bits.fill(0, range.first, range.last + 1);
  }

  clear(): void {
    this.bits.fill(0);
  }
}
