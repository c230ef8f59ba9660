// The recording format of `tm record` / `tm replay`: JSON lines, each a market-data message as it was published
// (`{"subject":"tm.md.tick.123","payload":{…}}`) or a tick() of the aggregation (`{"tick":<micros>}`).
import type { BookDeltaV1, TickV1, TradeV1 } from '@tm/contracts';
import { MarketDataDecoder, type MarketDataKind } from '@tm/contracts';

export type RecordedMarketData =
  | { kind: 'tick'; subject: string; payload: TickV1 }
  | { kind: 'trade'; subject: string; payload: TradeV1 }
  | { kind: 'book'; subject: string; payload: BookDeltaV1 };

/** The aggregation's tick() at `atMicros`, as the live service's timer ran it. */
export interface RecordedAggregationTick {
  kind: 'aggregation-tick';
  atMicros: number;
}

export type RecordingEntry = RecordedMarketData | RecordedAggregationTick;

/**
 * A refused line. `field` names a payload field the way the aggregator's refusals do (`bid`, `bids.0.1`), or a
 * part of the line itself: `(line)` (not a JSON object), `subject`, `payload`, `tick`.
 */
export interface RecordingLineError {
  line: number;
  reason: string;
  field: string;
}

export type ParsedRecordingLine =
  { ok: true; line: number; entry: RecordingEntry } | ({ ok: false } & RecordingLineError);

const MARKET_DATA_SUBJECT = /^(.+)\.md\.([^.]+)\.(\d+)$/;
const KINDS: readonly string[] = ['tick', 'trade', 'book'] satisfies MarketDataKind[];
const LINE_FORM = 'a line is {"subject":…,"payload":…} or {"tick":<micros>}';
const utf8 = new TextDecoder('utf-8', { fatal: true });
const utf8Encoder = new TextEncoder();

/**
 * The recording line of one market-data message, from the bytes as they came off the wire. A payload that is not
 * JSON is kept, as text or base64 when it is not even UTF-8, so the replay refuses it with the live reason.
 */
export function recordedMessageLine(subject: string, data: Uint8Array): string {
  let text: string | undefined;
  try {
    text = utf8.decode(data);
    return JSON.stringify({ subject, payload: JSON.parse(text) });
  } catch {
    return text === undefined
      ? JSON.stringify({ subject, unparsedPayloadBase64: Buffer.from(data).toString('base64') })
      : JSON.stringify({ subject, unparsedPayload: text });
  }
}

export function recordedTickLine(atMicros: number): string {
  return JSON.stringify({ tick: atMicros });
}

/**
 * Parses line number `line` (1-based) of a recording; never throws. Payloads go through the aggregator service's
 * own MarketDataDecoder, so a replay accepts and refuses exactly what the live ingest did, for the same reasons.
 */
export function parseRecordingLine(
  text: string,
  line: number,
  decoder: MarketDataDecoder = new MarketDataDecoder(),
): ParsedRecordingLine {
  const refuse = (field: string, reason: string): ParsedRecordingLine => ({ ok: false, line, reason, field });
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    return refuse('(line)', `not JSON: ${(error as Error).message}`);
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) return refuse('(line)', LINE_FORM);
  const fields = json as Record<string, unknown>;
  if ('tick' in fields) {
    if ('subject' in fields) return refuse('(line)', 'a line is a message or a tick, not both');
    const at = fields['tick'];
    if (typeof at !== 'number' || !Number.isSafeInteger(at) || at < 0) {
      return refuse('tick', `tick must be whole microseconds >= 0, got ${JSON.stringify(at)}`);
    }
    return { ok: true, line, entry: { kind: 'aggregation-tick', atMicros: at } };
  }
  const subject = fields['subject'];
  if (typeof subject !== 'string') return refuse('(line)', LINE_FORM);
  const match = MARKET_DATA_SUBJECT.exec(subject);
  if (match === null)
    return refuse('subject', `subject "${subject}" is not <root>.md.<tick|trade|book>.<slot>`);
  const kind = match[2] as MarketDataKind;
  if (!KINDS.includes(kind)) {
    return refuse(
      'subject',
      `unknown market-data kind "${kind}" in "${subject}" (expected tick, trade or book)`,
    );
  }
  const data = payloadBytes(fields);
  if (data === undefined) return refuse('payload', 'the line has no payload');
  const decoded = decoder.decode(kind, data);
  if (!decoded.ok) return refuse(payloadField(decoded.details[0]), decoded.reason);
  return { ok: true, line, entry: { kind, subject, payload: decoded.value } as RecordedMarketData };
}

/** The payload as the wire carried it (the decoder reads bytes, as it does live). */
function payloadBytes(fields: Record<string, unknown>): Uint8Array | undefined {
  if ('payload' in fields) return utf8Encoder.encode(JSON.stringify(fields['payload']));
  const text = fields['unparsedPayload'];
  if (typeof text === 'string') return utf8Encoder.encode(text);
  const base64 = fields['unparsedPayloadBase64'];
  if (typeof base64 === 'string') return Buffer.from(base64, 'base64');
  return undefined;
}

/** Decoder details read `bids.0.1: Too small…`; the first one names the field. */
function payloadField(detail: string | undefined): string {
  const end = detail?.indexOf(': ') ?? -1;
  const path = end > 0 ? (detail as string).slice(0, end) : '(root)';
  return path === '(root)' ? 'payload' : path;
}
