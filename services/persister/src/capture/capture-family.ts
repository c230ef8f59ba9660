import type { DecodeResult, StreamSpec, Streams, Subjects } from '@tm/contracts';
import { isValidSlot } from '@tm/sharding';
import type { ZodType } from 'zod';
import type { RowSink } from '../batching/family-batch.js';

/**
 * One kind of message the persister keeps: the stream and subject it is read from, how its slot is
 * found from the subject alone (so messages of slots this instance does not own are skipped unparsed),
 * its schema, and the rows it makes.
 */
export interface CaptureFamily<T = unknown> {
  /** The checkpoint key; never renamed (it is data). */
  readonly name: string;
  stream(streams: Streams): StreamSpec;
  filterSubject(subjects: Subjects): string;
  /** The slot a subject carries (or implies); undefined for a subject this family cannot place. */
  slotOf(subject: string): number | undefined;
  readonly schema: ZodType<T>;
  /** A faster decoder than decodePayload(schema) for the high-volume families, refusing exactly what the schema refuses. */
  decode?(data: Uint8Array): DecodeResult<T>;
  rows(value: T, slot: number, sink: RowSink): void;
}

/** The slot in the last token of `<root>.<domain>.<kind>.<slot>`. */
export function slotInLastToken(subject: string): number | undefined {
  const token = subject.slice(subject.lastIndexOf('.') + 1);
  const slot = Number(token);
  return isValidSlot(slot) && String(slot) === token ? slot : undefined;
}

export const MICROS_PER_DAY = 86_400_000_000;

export function dayOfMicros(micros: number): number {
  return Math.floor(micros / MICROS_PER_DAY);
}
