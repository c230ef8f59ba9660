import { BookDeltaV1, TickV1 } from '@tm/contracts';
import { beforeEach, describe, expect, it } from 'vitest';
import { LpBooks, type LpIncEntry, type LpBookOutput } from './lp-book.js';

const BTC = 'BTC/USDT';
const ETH = 'ETH/USDT';
const SOURCE = 'fix:lp1';
const times = { tsEvent: 1_700_000_000_000_000, tsInit: 1_700_000_000_000_250 };

function w(symbol: string, bids: [number, number][], asks: [number, number][]) {
  return {
    Instrument: { Symbol: symbol },
    MDFullGrp: [
      ...bids.map(([px, size]) => ({ MDEntryType: '0', MDEntryPx: px, MDEntrySize: size })),
      ...asks.map(([px, size]) => ({ MDEntryType: '1', MDEntryPx: px, MDEntrySize: size })),
    ],
  };
}

function x(...entries: LpIncEntry[]) {
  return { MDIncGrp: entries };
}

/** Every payload produced must pass the wire schemas. */
function valid(output: LpBookOutput): LpBookOutput {
  for (const book of output.books) BookDeltaV1.parse(book);
  for (const tick of output.ticks) TickV1.parse(tick);
  return output;
}

describe('LpBooks', () => {
  let books: LpBooks;
  beforeEach(() => {
    books = new LpBooks(SOURCE, [BTC, ETH]);
  });

  it('publishes a W as a snapshot book and its best bid/ask as a tick', () => {
    const out = valid(
      books.onSnapshot(
        w(
          BTC,
          [
            [99, 2],
            [100, 1],
          ],
          [
            [102, 4],
            [101, 3],
          ],
        ),
        times,
      ),
    );
    expect(out.refused).toBe(0);
    expect(out.books).toEqual([
      {
        v: 1,
        instrument: BTC,
        source: SOURCE,
        snapshot: true,
        bids: [
          [100, 1],
          [99, 2],
        ],
        asks: [
          [101, 3],
          [102, 4],
        ],
        sequence: null,
        ...times,
      },
    ]);
    expect(out.ticks).toEqual([
      { v: 1, instrument: BTC, source: SOURCE, bid: 100, bidSize: 1, ask: 101, askSize: 3, ...times },
    ]);
  });

  it('applies X new, change and delete by type and price as deltas, with a tick when the top moves', () => {
    books.onSnapshot(w(BTC, [[100, 1]], [[101, 3]]), times);

    const added = valid(
      books.onIncremental(
        x({
          MDUpdateAction: '0',
          MDEntryType: '0',
          Instrument: { Symbol: BTC },
          MDEntryPx: 100.5,
          MDEntrySize: 2,
        }),
        times,
      ),
    );
    expect(added.books).toEqual([expect.objectContaining({ snapshot: false, bids: [[100.5, 2]], asks: [] })]);
    expect(added.ticks).toEqual([expect.objectContaining({ bid: 100.5, bidSize: 2, ask: 101, askSize: 3 })]);

    const changed = valid(
      books.onIncremental(
        x({
          MDUpdateAction: '1',
          MDEntryType: '1',
          Instrument: { Symbol: BTC },
          MDEntryPx: '101',
          MDEntrySize: '5',
        }),
        times,
      ),
    );
    expect(changed.books).toEqual([expect.objectContaining({ snapshot: false, bids: [], asks: [[101, 5]] })]);
    expect(changed.ticks).toEqual([expect.objectContaining({ ask: 101, askSize: 5 })]);

    const deleted = valid(
      books.onIncremental(
        x({ MDUpdateAction: '2', MDEntryType: '0', Instrument: { Symbol: BTC }, MDEntryPx: 100.5 }),
        times,
      ),
    );
    expect(deleted.books).toEqual([expect.objectContaining({ bids: [[100.5, 0]], asks: [] })]);
    expect(deleted.ticks).toEqual([expect.objectContaining({ bid: 100, bidSize: 1 })]);
  });

  it('sends no tick when only a level behind the top changes', () => {
    books.onSnapshot(
      w(
        BTC,
        [
          [100, 1],
          [99, 1],
        ],
        [[101, 3]],
      ),
      times,
    );
    const out = valid(
      books.onIncremental(
        x({
          MDUpdateAction: '1',
          MDEntryType: '0',
          Instrument: { Symbol: BTC },
          MDEntryPx: 99,
          MDEntrySize: 7,
        }),
        times,
      ),
    );
    expect(out.books).toEqual([expect.objectContaining({ bids: [[99, 7]] })]);
    expect(out.ticks).toEqual([]);
  });

  it('keeps entries by MDEntryID: sums a level, moves an entry on change, deletes it by id alone', () => {
    books.onSnapshot(w(BTC, [], [[101, 3]]), times);
    const sym = { Instrument: { Symbol: BTC } };
    const first = valid(
      books.onIncremental(
        x(
          { MDUpdateAction: '0', MDEntryType: '0', MDEntryID: 'a', MDEntryPx: 100, MDEntrySize: 1, ...sym },
          { MDUpdateAction: '0', MDEntryType: '0', MDEntryID: 'b', MDEntryPx: 100, MDEntrySize: 2, ...sym },
        ),
        times,
      ),
    );
    expect(first.books).toEqual([expect.objectContaining({ bids: [[100, 3]] })]);
    expect(first.ticks).toEqual([expect.objectContaining({ bid: 100, bidSize: 3 })]);

    // Entry a moves to 100.25: its old level shrinks, the new one appears.
    const moved = valid(
      books.onIncremental(x({ MDUpdateAction: '1', MDEntryID: 'a', MDEntryPx: 100.25, ...sym }), times),
    );
    expect(moved.books).toEqual([
      expect.objectContaining({
        bids: [
          [100.25, 1],
          [100, 2],
        ],
      }),
    ]);
    expect(moved.ticks).toEqual([expect.objectContaining({ bid: 100.25, bidSize: 1 })]);

    // A delete by id alone (no type, no price).
    const gone = valid(books.onIncremental(x({ MDUpdateAction: '2', MDEntryID: 'a', ...sym }), times));
    expect(gone.books).toEqual([expect.objectContaining({ bids: [[100.25, 0]] })]);
    expect(gone.ticks).toEqual([expect.objectContaining({ bid: 100, bidSize: 2 })]);
  });

  it('gives entries without Instrument the previous entry’s, and publishes per instrument', () => {
    books.onSnapshot(w(BTC, [[100, 1]], [[101, 1]]), times);
    books.onSnapshot(w(ETH, [[10, 1]], [[11, 1]]), times);
    const out = valid(
      books.onIncremental(
        x(
          {
            MDUpdateAction: '1',
            MDEntryType: '0',
            Instrument: { Symbol: BTC },
            MDEntryPx: 100,
            MDEntrySize: 4,
          },
          { MDUpdateAction: '1', MDEntryType: '1', MDEntryPx: 101, MDEntrySize: 5 },
          {
            MDUpdateAction: '1',
            MDEntryType: '0',
            Instrument: { Symbol: ETH },
            MDEntryPx: 10,
            MDEntrySize: 6,
          },
        ),
        times,
      ),
    );
    expect(out.books.map((b) => [b.instrument, b.bids, b.asks])).toEqual([
      [BTC, [[100, 4]], [[101, 5]]],
      [ETH, [[10, 6]], []],
    ]);
    expect(out.ticks.map((t) => t.instrument)).toEqual([BTC, ETH]);
  });

  it('replaces the whole book on a second W', () => {
    books.onSnapshot(
      w(
        BTC,
        [
          [100, 1],
          [99, 1],
        ],
        [[101, 1]],
      ),
      times,
    );
    const out = valid(books.onSnapshot(w(BTC, [[98, 1]], [[99.5, 2]]), times));
    expect(out.books).toEqual([
      expect.objectContaining({ snapshot: true, bids: [[98, 1]], asks: [[99.5, 2]] }),
    ]);
    expect(out.ticks).toEqual([expect.objectContaining({ bid: 98, ask: 99.5 })]);
  });

  it('publishes an X before any W, or after clear(), as a snapshot', () => {
    const first = valid(
      books.onIncremental(
        x({
          MDUpdateAction: '0',
          MDEntryType: '0',
          Instrument: { Symbol: BTC },
          MDEntryPx: 100,
          MDEntrySize: 1,
        }),
        times,
      ),
    );
    expect(first.books).toEqual([expect.objectContaining({ snapshot: true, bids: [[100, 1]], asks: [] })]);
    expect(first.ticks).toEqual([]); // one side only: no tick
    books.clear();
    const after = valid(
      books.onIncremental(
        x({
          MDUpdateAction: '0',
          MDEntryType: '1',
          Instrument: { Symbol: BTC },
          MDEntryPx: 101,
          MDEntrySize: 1,
        }),
        times,
      ),
    );
    expect(after.books).toEqual([expect.objectContaining({ snapshot: true, bids: [], asks: [[101, 1]] })]);
  });

  it('refuses entries of unknown symbols, bad numbers and unknown actions, and ignores trade entries', () => {
    const unknown = books.onSnapshot(w('DOGE/USDT', [[1, 1]], []), times);
    expect(unknown).toEqual({ books: [], ticks: [], refused: 1 });
    books.onSnapshot(w(BTC, [[100, 1]], [[101, 1]]), times);
    const out = books.onIncremental(
      x(
        { MDUpdateAction: '0', MDEntryType: '0', MDEntryPx: 1, MDEntrySize: 1 },
        {
          MDUpdateAction: '0',
          MDEntryType: '0',
          Instrument: { Symbol: BTC },
          MDEntryPx: 'abc',
          MDEntrySize: 1,
        },
        {
          MDUpdateAction: '9',
          MDEntryType: '0',
          Instrument: { Symbol: BTC },
          MDEntryPx: 100,
          MDEntrySize: 1,
        },
        {
          MDUpdateAction: '0',
          MDEntryType: '2',
          Instrument: { Symbol: BTC },
          MDEntryPx: 100,
          MDEntrySize: 1,
        },
      ),
      times,
    );
    expect(out).toEqual({ books: [], ticks: [], refused: 3 });
  });
});
