// Builds W, X and Y from the aggregator's consolidated book; pure, so the desk's bookkeeping stays apart.
import type { AggregateV1 } from '@tm/contracts';
import { fixDecimal } from './fix-decimal.js';
import {
  MD_ENTRY_TYPE,
  MD_UPDATE_ACTION,
  type MarketDataIncrementalRefresh,
  type MarketDataRequestReject,
  type MarketDataSnapshotFullRefresh,
  type MdEntryType,
  type MdFullEntry,
  type MdIncEntry,
  type MdReqRejReason,
} from './market-data-fix.js';
import type { MarketDataRequest } from './market-data-request.js';

type BookSide = AggregateV1['book']['bids'];
type LastTrade = AggregateV1['lastTrade'];

/** One price level as the client sees it: formatted once, so a diff never reports float noise. */
interface LevelView {
  readonly price: string;
  readonly size: string;
  /** 1 = best. */
  readonly position: number;
}

const BOOK_SIDES = [
  { type: MD_ENTRY_TYPE.bid, side: 'bids' },
  { type: MD_ENTRY_TYPE.offer, side: 'asks' },
] as const;

/** One W for one symbol of the request: its book at the request's depth, and the last trade if asked for. */
export function snapshotOf(
  aggregate: AggregateV1,
  request: MarketDataRequest,
): MarketDataSnapshotFullRefresh {
  const entries: MdFullEntry[] = [];
  for (const { type, side } of BOOK_SIDES) {
    if (!request.entryTypes.includes(type)) continue;
    for (const level of viewOf(aggregate.book[side], request.depth)) {
      entries.push({
        MDEntryType: type,
        MDEntryPx: level.price,
        MDEntrySize: level.size,
        MDEntryPositionNo: level.position,
      });
    }
  }
  const trade = aggregate.lastTrade;
  if (request.entryTypes.includes(MD_ENTRY_TYPE.trade) && trade !== null) {
    entries.push({
      MDEntryType: MD_ENTRY_TYPE.trade,
      MDEntryPx: fixDecimal(trade.price),
      MDEntrySize: fixDecimal(trade.amount),
    });
  }
  return { MDReqID: request.mdReqId, Instrument: { Symbol: aggregate.instrument }, MDFullGrp: entries };
}

/**
 * The X that takes a client from `previous` (the aggregate this subscription last sent) to `aggregate`, at the
 * request's depth, levels keyed by price: per side deletes first (so a depth-N book never holds N + 1 levels),
 * then changes, then new levels; then the last trade if it is a new one. Null when the client would see no change.
 * Trades between two aggregates other than the last one are not seen: AggregateV1 carries only the last.
 */
export function incrementalOf(
  previous: AggregateV1,
  aggregate: AggregateV1,
  request: MarketDataRequest,
): MarketDataIncrementalRefresh | null {
  // Every session watching an instrument at the same depth gets the same entries: they are worked out once.
  const shape = `${request.depth}|${request.entryTypes.join(',')}`;
  let fromPrevious = incrementalEntries.get(aggregate);
  if (fromPrevious === undefined) incrementalEntries.set(aggregate, (fromPrevious = new WeakMap()));
  let byShape = fromPrevious.get(previous);
  if (byShape === undefined) fromPrevious.set(previous, (byShape = new Map()));
  let entries = byShape.get(shape);
  if (entries === undefined) byShape.set(shape, (entries = diffEntries(previous, aggregate, request)));
  return entries === null ? null : { MDReqID: request.mdReqId, MDIncGrp: entries };
}

/** Entries of an X, keyed by (aggregate, previous, request shape); shared, so never changed once made. */
const incrementalEntries = new WeakMap<AggregateV1, WeakMap<AggregateV1, Map<string, MdIncEntry[] | null>>>();

function diffEntries(
  previous: AggregateV1,
  aggregate: AggregateV1,
  request: MarketDataRequest,
): MdIncEntry[] | null {
  const symbol = aggregate.instrument;
  const entries: MdIncEntry[] = [];
  const entry = (action: string, type: MdEntryType, price: string, size?: string, position?: number) => {
    const built: MdIncEntry = {
      MDUpdateAction: action,
      MDEntryType: type,
      Instrument: { Symbol: symbol },
      MDEntryPx: price,
    };
    if (size !== undefined) built.MDEntrySize = size;
    if (position !== undefined) built.MDEntryPositionNo = position;
    entries.push(built);
  };

  for (const { type, side } of BOOK_SIDES) {
    if (!request.entryTypes.includes(type)) continue;
    const before = new Map(viewOf(previous.book[side], request.depth).map((level) => [level.price, level]));
    const after = viewOf(aggregate.book[side], request.depth);
    const afterPrices = new Set(after.map((level) => level.price));
    for (const level of before.values()) {
      if (!afterPrices.has(level.price)) entry(MD_UPDATE_ACTION.delete, type, level.price);
    }
    for (const level of after) {
      const old = before.get(level.price);
      if (old !== undefined && old.size !== level.size)
        entry(MD_UPDATE_ACTION.change, type, level.price, level.size, level.position);
    }
    for (const level of after) {
      if (!before.has(level.price))
        entry(MD_UPDATE_ACTION.new, type, level.price, level.size, level.position);
    }
  }

  const trade = aggregate.lastTrade;
  if (
    request.entryTypes.includes(MD_ENTRY_TYPE.trade) &&
    trade !== null &&
    !sameTrade(previous.lastTrade, trade)
  ) {
    entry(MD_UPDATE_ACTION.new, MD_ENTRY_TYPE.trade, fixDecimal(trade.price), fixDecimal(trade.amount));
  }

  return entries.length === 0 ? null : entries;
}

/** A Y. `reason` is left out when none of MDReqRejReason's values fits; Text then says what was wrong. */
export function rejectOf(
  mdReqId: string,
  reason: MdReqRejReason | undefined,
  text: string,
): MarketDataRequestReject {
  const reject: MarketDataRequestReject = { MDReqID: mdReqId, Text: text };
  if (reason !== undefined) reject.MDReqRejReason = reason;
  return reject;
}

/**
 * Every level of one book side, formatted once per aggregate: one aggregate is diffed for every session that
 * watches it (and again as the next one's previous), and formatting was most of the fan-out's cost.
 */
const formattedSides = new WeakMap<BookSide, LevelView[]>();

function viewOf(levels: BookSide, depth: number): LevelView[] {
  let all = formattedSides.get(levels);
  if (all === undefined) {
    all = levels.map((level, index) => ({
      price: fixDecimal(level.price),
      size: fixDecimal(level.size),
      position: index + 1,
    }));
    formattedSides.set(levels, all);
  }
  return depth === 0 || depth >= all.length ? all : all.slice(0, depth);
}

function sameTrade(a: LastTrade, b: NonNullable<LastTrade>): boolean {
  return (
    a !== null &&
    a.tsEvent === b.tsEvent &&
    a.price === b.price &&
    a.amount === b.amount &&
    a.source === b.source
  );
}
