// One LP's books, per instrument, kept from its W (replace) and X (new/change/delete) messages and turned
// into TickV1 (best bid/ask) and BookDeltaV1 (snapshot on W, changed levels on X). Pure: no I/O, no clock.
import type { BookDeltaV1, TickV1 } from '@tm/contracts';

type Side = 'bid' | 'ask';
type Level = [price: number, size: number];

/** MDEntryType(269) values that make a book; trades, indices and the rest are ignored. */
const SIDE_OF_ENTRY_TYPE: Readonly<Record<string, Side>> = { '0': 'bid', '1': 'ask' };
/** MDUpdateAction(279). */
const ACTION = { new: '0', change: '1', delete: '2' } as const;

/** jspurefix parses PRICE/QTY as numbers; strings are accepted too, so tests and odd LPs need no care. */
type FixNumber = number | string;

/** One MDFullGrp entry of a W (repo44 field names). */
export interface LpFullEntry {
  MDEntryType?: string;
  MDEntryPx?: FixNumber;
  MDEntrySize?: FixNumber;
  MDEntryID?: string;
}

/** A MarketDataSnapshotFullRefresh (W) body. */
export interface LpSnapshotMessage {
  Instrument?: { Symbol?: string };
  MDFullGrp?: LpFullEntry[];
}

/** One MDIncGrp entry of an X. */
export interface LpIncEntry extends LpFullEntry {
  MDUpdateAction?: string;
  Instrument?: { Symbol?: string };
}

/** A MarketDataIncrementalRefresh (X) body. */
export interface LpIncrementalMessage {
  MDIncGrp?: LpIncEntry[];
}

/** What one W or X produced, in publishing order: the book first, then its tick. */
export interface LpBookOutput {
  books: BookDeltaV1[];
  ticks: TickV1[];
  /** Entries that could not be applied (unknown symbol, missing or bad price/size, unknown action). */
  refused: number;
}

/** Times of one message, microseconds: the LP's SendingTime and our receive time. */
export interface LpMessageTimes {
  tsEvent: number;
  tsInit: number;
}

interface Entry {
  side: Side;
  price: number;
  size: number;
}

/** One price level: the summed size of the entries at that price, and how many there are. */
interface LevelState {
  size: number;
  count: number;
}

class InstrumentBook {
  /** Keyed by MDEntryID when the LP gives one, else by `side:price` (a level-based book). */
  private readonly entries = new Map<string, Entry>();
  private readonly levels: Record<Side, Map<number, LevelState>> = { bid: new Map(), ask: new Map() };
  private readonly dirty: Record<Side, Set<number>> = { bid: new Set(), ask: new Set() };
  /** False until this book went out whole once: its first publication is then a snapshot. */
  published = false;
  private lastTop: string | null = null;

  clear(): void {
    this.entries.clear();
    this.levels.bid.clear();
    this.levels.ask.clear();
    this.dirty.bid.clear();
    this.dirty.ask.clear();
  }

  /** A new or changed entry. Without an id it sets the whole level at that price. */
  upsert(
    id: string | undefined,
    side: Side | undefined,
    price: number | undefined,
    size: number | undefined,
  ): boolean {
    if (id !== undefined) {
      const key = idKey(id);
      const old = this.entries.get(key);
      const next = { side: side ?? old?.side, price: price ?? old?.price, size: size ?? old?.size };
      if (next.side === undefined || next.price === undefined || next.size === undefined) return false;
      if (old) this.remove(key, old);
      if (next.size > 0) this.add(key, { side: next.side, price: next.price, size: next.size });
      return true;
    }
    if (side === undefined || price === undefined || size === undefined) return false;
    this.removeLevel(side, price);
    if (size > 0) this.add(priceKey(side, price), { side, price, size });
    return true;
  }

  /** Deletes an entry by id, or the whole level at a price; an unknown id falls back to the price. */
  delete(id: string | undefined, side: Side | undefined, price: number | undefined): boolean {
    const byId = id === undefined ? undefined : this.entries.get(idKey(id));
    if (id !== undefined && byId) {
      this.remove(idKey(id), byId);
      return true;
    }
    if (side === undefined || price === undefined) return id !== undefined; // an unknown id is already gone
    this.removeLevel(side, price);
    return true;
  }

  /** The levels touched since the last call (size 0 = removed), best first, and forgets them. */
  takeDelta(): { bids: Level[]; asks: Level[] } {
    const of = (side: Side): Level[] => {
      const levels = [...this.dirty[side]].map((price): Level => [
        price,
        this.levels[side].get(price)?.size ?? 0,
      ]);
      this.dirty[side].clear();
      return sortLevels(side, levels);
    };
    return { bids: of('bid'), asks: of('ask') };
  }

  /** The whole book, best first, and forgets the touched levels. */
  takeSnapshot(): { bids: Level[]; asks: Level[] } {
    this.dirty.bid.clear();
    this.dirty.ask.clear();
    const of = (side: Side): Level[] =>
      sortLevels(
        side,
        [...this.levels[side]].map(([price, level]): Level => [price, level.size]),
      );
    return { bids: of('bid'), asks: of('ask') };
  }

  /** The best bid and ask when both sides quote and either changed since the last call (or `force`). */
  takeTop(force: boolean): { bid: Level; ask: Level } | null {
    const bid = this.best('bid');
    const ask = this.best('ask');
    if (!bid || !ask) {
      this.lastTop = null;
      return null;
    }
    const key = `${bid[0]}:${bid[1]}:${ask[0]}:${ask[1]}`;
    if (!force && key === this.lastTop) return null;
    this.lastTop = key;
    return { bid, ask };
  }

  private best(side: Side): Level | null {
    let best: Level | null = null;
    for (const [price, level] of this.levels[side]) {
      if (best === null || (side === 'bid' ? price > best[0] : price < best[0])) best = [price, level.size];
    }
    return best;
  }

  private add(key: string, entry: Entry): void {
    this.entries.set(key, entry);
    const level = this.levels[entry.side].get(entry.price);
    if (level) {
      level.size += entry.size;
      level.count += 1;
    } else {
      this.levels[entry.side].set(entry.price, { size: entry.size, count: 1 });
    }
    this.dirty[entry.side].add(entry.price);
  }

  private remove(key: string, entry: Entry): void {
    this.entries.delete(key);
    const level = this.levels[entry.side].get(entry.price);
    if (level) {
      level.count -= 1;
      level.size -= entry.size;
      // The count, not the size, decides: summed floats rarely come back to exactly 0.
      if (level.count <= 0) this.levels[entry.side].delete(entry.price);
    }
    this.dirty[entry.side].add(entry.price);
  }

  private removeLevel(side: Side, price: number): void {
    if (!this.levels[side].has(price)) return;
    for (const [key, entry] of this.entries) {
      if (entry.side === side && entry.price === price) this.remove(key, entry);
    }
  }
}

/** The books of one LP session across its instruments; `source` is `fix:<name>`. */
export class LpBooks {
  private readonly books = new Map<string, InstrumentBook>();

  constructor(
    readonly source: string,
    instruments: readonly string[],
  ) {
    for (const instrument of instruments) this.books.set(instrument, new InstrumentBook());
  }

  /** After a disconnect: the books are unknown until the LP's next W (or first X, sent as a snapshot). */
  clear(): void {
    for (const book of this.books.values()) {
      book.clear();
      book.published = false;
    }
  }

  /** A W replaces the instrument's book. */
  onSnapshot(message: LpSnapshotMessage, times: LpMessageTimes): LpBookOutput {
    const output: LpBookOutput = { books: [], ticks: [], refused: 0 };
    const instrument = message.Instrument?.Symbol;
    const book = instrument === undefined ? undefined : this.books.get(instrument);
    const entries = message.MDFullGrp ?? [];
    if (instrument === undefined || !book) {
      output.refused += Math.max(entries.length, 1);
      return output;
    }
    book.clear();
    for (const entry of entries) {
      const side = sideOf(entry.MDEntryType);
      if (side === undefined) continue; // not a book entry: a trade, an index…
      const price = numberOf(entry.MDEntryPx);
      const size = numberOf(entry.MDEntrySize);
      if (price === undefined || size === undefined || !book.upsert(entry.MDEntryID, side, price, size)) {
        output.refused += 1;
      }
    }
    book.published = false;
    this.publish(instrument, book, times, output);
    return output;
  }

  /**
   * An X: each entry applies to its Instrument's book. An entry without Instrument belongs to the previous
   * entry's (LPs often name it once per run); one before any named entry is refused.
   */
  onIncremental(message: LpIncrementalMessage, times: LpMessageTimes): LpBookOutput {
    const output: LpBookOutput = { books: [], ticks: [], refused: 0 };
    const touched = new Map<string, InstrumentBook>();
    let instrument: string | undefined;
    for (const entry of message.MDIncGrp ?? []) {
      instrument = entry.Instrument?.Symbol ?? instrument;
      const book = instrument === undefined ? undefined : this.books.get(instrument);
      if (instrument === undefined || !book) {
        output.refused += 1;
        continue;
      }
      const id = entry.MDEntryID === undefined || entry.MDEntryID === '' ? undefined : entry.MDEntryID;
      const type = entry.MDEntryType;
      const side = sideOf(type);
      if (type !== undefined && side === undefined) continue; // not a book entry
      const price = numberOf(entry.MDEntryPx);
      const size = numberOf(entry.MDEntrySize);
      let applied: boolean;
      switch (entry.MDUpdateAction) {
        case ACTION.new:
        case ACTION.change:
          applied = book.upsert(id, side, price, size);
          break;
        case ACTION.delete:
          applied = book.delete(id, side, price);
          break;
        default:
          applied = false;
      }
      if (applied) touched.set(instrument, book);
      else output.refused += 1;
    }
    for (const [name, book] of touched) this.publish(name, book, times, output);
    return output;
  }

  private publish(
    instrument: string,
    book: InstrumentBook,
    times: LpMessageTimes,
    output: LpBookOutput,
  ): void {
    const snapshot = !book.published;
    const levels = snapshot ? book.takeSnapshot() : book.takeDelta();
    book.published = true;
    if (snapshot || levels.bids.length > 0 || levels.asks.length > 0) {
      output.books.push({
        v: 1,
        instrument,
        source: this.source,
        snapshot,
        bids: levels.bids,
        asks: levels.asks,
        sequence: null,
        tsEvent: times.tsEvent,
        tsInit: times.tsInit,
      });
    }
    const top = book.takeTop(snapshot);
    if (top) {
      output.ticks.push({
        v: 1,
        instrument,
        source: this.source,
        bid: top.bid[0],
        bidSize: top.bid[1],
        ask: top.ask[0],
        askSize: top.ask[1],
        tsEvent: times.tsEvent,
        tsInit: times.tsInit,
      });
    }
  }
}

function sideOf(type: string | undefined): Side | undefined {
  return type === undefined ? undefined : SIDE_OF_ENTRY_TYPE[type];
}

function numberOf(value: FixNumber | undefined): number | undefined {
  if (value === undefined || value === '') return undefined;
  const n = typeof value === 'number' ? value : Number(value);
  return Number.isFinite(n) && n >= 0 ? n : undefined;
}

// Distinct prefixes, so an LP's MDEntryID can never collide with a price key.
function priceKey(side: Side, price: number): string {
  return `px:${side}:${price}`;
}

function idKey(id: string): string {
  return `id:${id}`;
}

function sortLevels(side: Side, levels: Level[]): Level[] {
  return levels.sort((a, b) => (side === 'bid' ? b[0] - a[0] : a[0] - b[0]));
}
