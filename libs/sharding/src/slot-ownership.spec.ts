import XXH from 'xxhashjs';
import { describe, expect, it } from 'vitest';
import { ShardingError, SlotOutOfRangeError } from './sharding.error.js';
import { SLOT_COUNT } from './slot.js';
import { assignSlotRanges, ownerOfSlot, SlotOwnership } from './slot-ownership.js';
import type { SlotRange } from './slot-range.js';

const instances = (n: number): string[] => Array.from({ length: n }, (_, i) => `aggregator-${i}-7f9c${i}`);

/** owner[slot] from the ranges of an assignment, failing on a slot owned twice. */
function ownersBySlot(assignment: Map<string, SlotRange[]>): (string | undefined)[] {
  const owners: (string | undefined)[] = new Array(SLOT_COUNT + 1);
  for (const [id, ranges] of assignment) {
    for (const range of ranges) {
      for (let s = range.first; s <= range.last; s++) {
        if (owners[s] !== undefined) throw new Error(`slot ${s} owned by ${owners[s]} and ${id}`);
        owners[s] = id;
      }
    }
  }
  return owners;
}

const moved = (before: (string | undefined)[], after: (string | undefined)[]): number[] =>
  before.flatMap((owner, s) => (s > 0 && owner !== after[s] ? [s] : []));

describe('assignSlotRanges', () => {
  it.each([1, 2, 3, 4, 5, 6, 7, 8])('gives every slot exactly one owner among %i instances', (n) => {
    const ids = instances(n);
    const owners = ownersBySlot(assignSlotRanges(ids)).slice(1);
    expect(owners).toHaveLength(SLOT_COUNT);
    expect(owners.filter((owner) => owner === undefined || !ids.includes(owner))).toEqual([]);
  });

  it('agrees with ownerOfSlot and SlotOwnership for every slot', () => {
    const ids = instances(5);
    const owners = ownersBySlot(assignSlotRanges(ids)).slice(1);
    const ownership = new SlotOwnership(ids);
    const slots = Array.from({ length: SLOT_COUNT }, (_, i) => i + 1);
    expect(slots.map((s) => ownerOfSlot(s, ids))).toEqual(owners);
    expect(slots.map((s) => ownership.ownerOf(s))).toEqual(owners);
    expect(slots.filter((s) => !ownership.owns(owners[s - 1]!, s))).toEqual([]);
    expect(slots.filter((s) => ids.some((id) => id !== owners[s - 1] && ownership.owns(id, s)))).toEqual([]);
  });

  it('merges adjacent blocks into one range', () => {
    for (const ranges of assignSlotRanges(instances(3)).values()) {
      for (let i = 1; i < ranges.length; i++)
        expect(ranges[i]!.first).toBeGreaterThan(ranges[i - 1]!.last + 1);
    }
    expect(assignSlotRanges(['solo']).get('solo')!.map(String)).toEqual([`1-${SLOT_COUNT}`]);
  });

  it('spreads the slots roughly evenly', () => {
    for (const ranges of assignSlotRanges(instances(4)).values()) {
      const owned = ranges.reduce((sum, r) => sum + r.size, 0);
      expect(owned / SLOT_COUNT).toBeGreaterThan(0.15);
      expect(owned / SLOT_COUNT).toBeLessThan(0.35);
    }
  });

  it('moves about a fifth of the slots, all to the newcomer, when a fifth instance joins', () => {
    const four = instances(4);
    const five = [...four, 'aggregator-new-b41d'];
    const before = ownersBySlot(assignSlotRanges(four));
    const after = ownersBySlot(assignSlotRanges(five));
    const changed = moved(before, after);
    expect(changed.length / SLOT_COUNT).toBeGreaterThanOrEqual(0.15);
    expect(changed.length / SLOT_COUNT).toBeLessThanOrEqual(0.25);
    for (const s of changed) expect(after[s]).toBe('aggregator-new-b41d');
  });

  it('moves only the slots of an instance that leaves', () => {
    const five = instances(5);
    const gone = five[2]!;
    const before = ownersBySlot(assignSlotRanges(five));
    const after = ownersBySlot(assignSlotRanges(five.filter((id) => id !== gone)));
    const changed = moved(before, after);
    expect(changed.length).toBeGreaterThan(0);
    expect(changed).toEqual(before.flatMap((owner, s) => (owner === gone ? [s] : [])));
  });

  it('ignores input order and duplicates', () => {
    const ids = instances(6);
    const shuffled = [ids[3]!, ids[0]!, ids[5]!, ids[0]!, ids[1]!, ids[4]!, ids[2]!, ids[3]!];
    const render = (m: Map<string, SlotRange[]>) => [...m].map(([id, ranges]) => [id, ranges.map(String)]);
    expect(render(assignSlotRanges(shuffled))).toEqual(render(assignSlotRanges(ids)));
    expect(ownerOfSlot(777, shuffled)).toBe(ownerOfSlot(777, ids));
  });

  it('is the same in every process and every release, so instances never disagree', () => {
    const ids = ['persister-a', 'persister-b', 'persister-c'];
    expect([1, 64, 65, 16384, SLOT_COUNT].map((s) => ownerOfSlot(s, ids))).toEqual([
      'persister-c',
      'persister-c',
      'persister-a',
      'persister-b',
      'persister-c',
    ]);
  });

  it('gives each block of 64 slots to the id with the highest XXH32(id, seed = block), by xxhashjs', () => {
    const ids = [...instances(3), 'a', 'node-7'];
    const expected = Array.from({ length: 512 }, (_, block) =>
      ids.reduce((best, id) => (XXH.h32(id, block).toNumber() > XXH.h32(best, block).toNumber() ? id : best)),
    );
    const ownership = new SlotOwnership(ids);
    expect(expected.map((_, block) => ownership.ownerOf(block * 64 + 1))).toEqual(expected);
    expect(expected.map((_, block) => ownership.ownerOf(Math.min(block * 64 + 64, SLOT_COUNT)))).toEqual(
      expected,
    );
  });

  it('maps no instances to an empty assignment', () => {
    expect(assignSlotRanges([]).size).toBe(0);
  });
});

describe('ownerOfSlot and SlotOwnership', () => {
  it('refuse an empty instance list with a clear error', () => {
    expect(() => ownerOfSlot(1, [])).toThrow(ShardingError);
    expect(() => ownerOfSlot(1, [])).toThrow(/no live instance/);
    expect(() => new SlotOwnership([]).ownerOf(1)).toThrow(ShardingError);
    expect(new SlotOwnership([]).owns('a', 1)).toBe(false);
  });

  it('refuse slots outside 1..32767 with a RangeError', () => {
    const ownership = new SlotOwnership(['a', 'b']);
    for (const bad of [0, SLOT_COUNT + 1, 3.5]) {
      expect(() => ownerOfSlot(bad, ['a'])).toThrow(SlotOutOfRangeError);
      expect(() => ownership.owns('a', bad)).toThrow(RangeError);
      expect(() => ownership.ownerOf(bad)).toThrow(RangeError);
    }
  });

  it('lists the distinct instances, sorted', () => {
    expect(new SlotOwnership(['b', 'a', 'b']).instanceIds).toEqual(['a', 'b']);
  });
});
