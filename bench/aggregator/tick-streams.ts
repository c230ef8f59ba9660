// The benchmark's market: 1,000 instruments × 3 sources, each (instrument, source) stream one pre-encoded
// TickV1 whose two timestamps are patched in place, so neither the publisher nor the in-process run pays
// for JSON.stringify per message.
import { createSubjects, encodePayload, type TickV1 } from '@tm/contracts';
import { instrumentSlot } from '@tm/sharding';

export const INSTRUMENT_COUNT = 1_000;
export const SOURCES = ['binance', 'okx', 'fix:lp1'] as const;
/** Micros since the epoch have 16 digits until the year 2286. */
const MICROS_DIGITS = 16;
const PLACEHOLDER_MICROS = 10 ** (MICROS_DIGITS - 1);

export interface TickStream {
  instrument: string;
  source: string;
  subject: string;
  /** The encoded TickV1; bytes [tsEventAt, +16) and [tsInitAt, +16) are the timestamps. */
  payload: Buffer;
  tsEventAt: number;
  tsInitAt: number;
}

export function instrumentName(index: number): string {
  return `I${(index + 1).toString().padStart(4, '0')}/USDT`;
}

/** A quote per stream, bid below every source's ask, so no source crosses another (no arbitrage windows). */
export function quoteOf(instrumentIndex: number, sourceIndex: number): Pick<TickV1, 'bid' | 'ask'> {
  const mid = 100 + instrumentIndex;
  return { bid: mid - 0.01 * (sourceIndex + 1), ask: mid + 0.01 * (sourceIndex + 1) };
}

/** Round-robin order: every instrument's first source, then every instrument's second, and so on. */
export function tickStreams(root: string): TickStream[] {
  const subjects = createSubjects(root);
  const streams: TickStream[] = [];
  for (let s = 0; s < SOURCES.length; s++) {
    for (let i = 0; i < INSTRUMENT_COUNT; i++) {
      const instrument = instrumentName(i);
      const source = SOURCES[s] as string;
      const tick: TickV1 = {
        v: 1,
        instrument,
        source,
        ...quoteOf(i, s),
        bidSize: 1.5,
        askSize: 2.5,
        tsEvent: PLACEHOLDER_MICROS,
        tsInit: PLACEHOLDER_MICROS,
      };
      const payload = Buffer.from(encodePayload(tick));
      streams.push({
        instrument,
        source,
        subject: subjects.mdTick(instrumentSlot(instrument)),
        payload,
        tsEventAt: payload.indexOf('"tsEvent":') + '"tsEvent":'.length,
        tsInitAt: payload.indexOf('"tsInit":') + '"tsInit":'.length,
      });
    }
  }
  return streams;
}

/** The 16 ASCII digits of a micros timestamp, to copy into payloads with `stampTick`. */
export function microsDigits(micros: number): Buffer {
  const digits = Buffer.from(Math.round(micros).toString(), 'latin1');
  if (digits.length !== MICROS_DIGITS)
    throw new Error(`micros ${micros} is not ${MICROS_DIGITS} digits long`);
  return digits;
}

/** Sets tsEvent and tsInit of the stream's payload to the given digits. */
export function stampTick(stream: TickStream, digits: Buffer): void {
  stream.payload.set(digits, stream.tsEventAt);
  stream.payload.set(digits, stream.tsInitAt);
}

/** The one JSON argument of tick-publisher.ts. */
export interface PublisherOptions {
  natsUrl: string;
  root: string;
  durationMs: number;
  /** Messages per second; 0 = as fast as it can. */
  ratePerSec: number;
}

export type PublisherReport =
  { event: 'started'; atMs: number } | { event: 'done'; published: number; elapsedMs: number };
