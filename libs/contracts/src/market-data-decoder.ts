// Market data is decoded where it enters a service, at hundreds of thousands of messages a second:
// a hand-written structural check accepts the well-formed payload, and only a payload it does not accept
// goes through the zod schema, which either accepts it after all or says which field is wrong. The
// numbers are checked for type only (JSON numbers are finite): the aggregation refuses negative ones per
// source, the persister sends them through the schema to refuse them.
import type { z } from 'zod';
import { validatePayload, type DecodeResult } from './payload-decoder.js';
import { BookDeltaV1, TickV1, TradeV1, UnifiedSymbol } from './schemas/market-data.schema.js';

export type MarketDataKind = 'tick' | 'trade' | 'book';
export type MarketDataPayload = TickV1 | TradeV1 | BookDeltaV1;

const SCHEMAS = { tick: TickV1, trade: TradeV1, book: BookDeltaV1 } as const;
const utf8 = new TextDecoder('utf-8', { fatal: true });
const MAX_KNOWN_INSTRUMENTS = 100_000;

type Fields = Record<string, unknown>;

export class MarketDataDecoder {
  /** Symbols already matched against UnifiedSymbol: the regex runs once per instrument, not per message. */
  private readonly knownInstruments = new Set<string>();

  decode(kind: 'tick', data: Uint8Array): DecodeResult<TickV1>;
  decode(kind: 'trade', data: Uint8Array): DecodeResult<TradeV1>;
  decode(kind: 'book', data: Uint8Array): DecodeResult<BookDeltaV1>;
  decode(kind: MarketDataKind, data: Uint8Array): DecodeResult<MarketDataPayload>;
  decode(kind: MarketDataKind, data: Uint8Array): DecodeResult<MarketDataPayload> {
    let value: unknown;
    try {
      value = JSON.parse(utf8.decode(data));
    } catch (error) {
      const reason =
        error instanceof SyntaxError ? `payload is not JSON: ${error.message}` : 'payload is not valid UTF-8';
      return { ok: false, reason, details: [] };
    }
    if (this.wellFormed(kind, value)) return { ok: true, value: value as MarketDataPayload };
    const checked = validatePayload(SCHEMAS[kind] as z.ZodType<MarketDataPayload>, value);
    if (checked.ok) this.knownInstruments.add(checked.value.instrument);
    return checked;
  }

  /** The source named by a payload that failed to decode, for counting; undefined when it has none. */
  static sourceOf(data: Uint8Array): string | undefined {
    try {
      const value: unknown = JSON.parse(utf8.decode(data));
      const source = isObject(value) ? value['source'] : undefined;
      return typeof source === 'string' && source !== '' ? source : undefined;
    } catch {
      return undefined;
    }
  }

  private wellFormed(kind: MarketDataKind, value: unknown): boolean {
    if (!isObject(value) || value['v'] !== 1 || !this.instrumentOk(value['instrument'])) return false;
    const source = value['source'];
    if (typeof source !== 'string' || source === '') return false;
    if (!isMicros(value['tsEvent']) || !isMicros(value['tsInit'])) return false;
    switch (kind) {
      case 'tick':
        return areNumbers(value, 'bid', 'bidSize', 'ask', 'askSize');
      case 'trade': {
        const side = value['takerSide'];
        const tradeId = value['tradeId'];
        return (
          typeof tradeId === 'string' &&
          tradeId !== '' &&
          (side === null || side === 'buy' || side === 'sell') &&
          areNumbers(value, 'price', 'amount')
        );
      }
      case 'book': {
        const sequence = value['sequence'];
        return (
          typeof value['snapshot'] === 'boolean' &&
          (sequence === null || isMicros(sequence)) &&
          areLevels(value['bids']) &&
          areLevels(value['asks'])
        );
      }
    }
  }

  private instrumentOk(instrument: unknown): boolean {
    if (typeof instrument !== 'string') return false;
    if (this.knownInstruments.has(instrument)) return true;
    if (!UnifiedSymbol.safeParse(instrument).success) return false;
    // Bounded, so a flood of made-up symbols cannot grow it without end.
    if (this.knownInstruments.size < MAX_KNOWN_INSTRUMENTS) this.knownInstruments.add(instrument);
    return true;
  }
}

function isObject(value: unknown): value is Fields {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A whole, non-negative number; the aggregation reports a negative one by its field. */
function isMicros(value: unknown): boolean {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0;
}

function areNumbers(value: Fields, ...fields: string[]): boolean {
  for (const field of fields) if (typeof value[field] !== 'number') return false;
  return true;
}

function areLevels(levels: unknown): boolean {
  if (!Array.isArray(levels)) return false;
  for (const level of levels) {
    if (!Array.isArray(level) || level.length !== 2) return false;
    if (typeof level[0] !== 'number' || typeof level[1] !== 'number') return false;
  }
  return true;
}
