// The committed vectors, written once with xxhashjs: every place that computes slots must reproduce them.
import { readFileSync } from 'node:fs';

export interface SlotVector {
  key: string;
  xxh32: number;
  slot: number;
}

export function loadSlotVectors(): SlotVector[] {
  return JSON.parse(readFileSync(new URL('./slot-vectors.json', import.meta.url), 'utf8')) as SlotVector[];
}
