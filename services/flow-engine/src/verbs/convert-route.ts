// Route planning for convert: the spot route from one asset to another on one venue (direct, or two legs
// through a bridge asset) that yields the most, estimated by walking that venue's own liquidity as a taker.
// Pure: the verb commits what it returns, so a retried flow never plans again.
import { Decimal } from 'decimal.js';
import type { AggregateV1, InstrumentSpecV1 } from '@tm/contracts';

/** Assets a two-leg route may pass through, in the order equal routes are preferred. */
export const BRIDGE_ASSETS = ['USDT', 'USDC', 'BTC', 'ETH'] as const;
/** The amount grid when a venue states no lot size: 1e-8, the finest step most venues accept. */
export const DEFAULT_LOT = '0.00000001';

export interface BookLevel {
  readonly price: Decimal;
  readonly size: Decimal;
}
/** One venue's side of a consolidated book: bids best (highest) first, asks best (lowest) first. */
export interface VenueBook {
  readonly bids: readonly BookLevel[];
  readonly asks: readonly BookLevel[];
}

/** One leg as planned: committed with the route, so the leg steps need not ask for instruments again. */
export type PlannedLeg = {
  instrument: string;
  side: 'buy' | 'sell';
  spendAsset: string;
  receiveAsset: string;
  /** The order's base amount, on the lot grid. */
  amount: string;
  /** Estimated, in spendAsset and receiveAsset. */
  spend: string;
  receive: string;
  /** The venue's mid and the average price the walk reached. */
  mid: string;
  walkedPrice: string;
  lotSize: string | null;
  minAmount: string | null;
  minNotional: string | null;
};

export type ConvertRoute = {
  legs: PlannedLeg[];
  /** The estimated amount of `to` received. */
  estimatedOut: string;
  /** How much worse than converting at the mids, basis points (lot rounding not counted). */
  slippageBps: string;
};

export type RouteRejection = { route: string; reason: string; belowMinimum: boolean };
export type RoutePlan = { route: ConvertRoute | null; rejected: RouteRejection[] };

export interface RouteRequest {
  from: string;
  to: string;
  amount: Decimal;
  maxSlippageBps: number;
  instruments: readonly InstrumentSpecV1[];
  /** The venue's books by instrument; a candidate without one is rejected. */
  books: ReadonlyMap<string, VenueBook>;
}

/** A market that turns one asset into another: sell its base for its quote, or buy its base with its quote. */
interface Hop {
  spec: InstrumentSpecV1;
  side: 'buy' | 'sell';
}

const BPS = new Decimal(10_000);

/** The venue's own liquidity in an aggregate: each consolidated level's size from that source alone. */
export function venueBook(aggregate: Pick<AggregateV1, 'book'>, venue: string): VenueBook {
  const side = (levels: AggregateV1['book']['bids']): BookLevel[] =>
    levels.flatMap((level) => {
      const size = level.sources.find((source) => source.source === venue)?.size ?? 0;
      return size > 0 && level.price > 0 ? [{ price: fromNumber(level.price), size: fromNumber(size) }] : [];
    });
  return { bids: side(aggregate.book.bids), asks: side(aggregate.book.asks) };
}

/** Market data is numbers; through their shortest string so 0.1 stays 0.1. */
export function fromNumber(value: number): Decimal {
  return new Decimal(String(value));
}

export function floorToStep(value: Decimal, step: Decimal.Value): Decimal {
  return value.div(step).floor().times(step);
}

export function ceilToStep(value: Decimal, step: Decimal.Value): Decimal {
  return value.div(step).ceil().times(step);
}

export function lotOf(spec: Pick<InstrumentSpecV1, 'lotSize'>): Decimal {
  return new Decimal(spec.lotSize ?? DEFAULT_LOT);
}

/** The mid of the venue's best bid and ask; null without both. */
export function midOf(book: VenueBook): Decimal | null {
  const bid = book.bids[0];
  const ask = book.asks[0];
  return bid && ask ? bid.price.plus(ask.price).div(2) : null;
}

/** Selling `amount` of the base into the bids: the quote it brings; null when the bids cannot take it all. */
export function walkSell(book: VenueBook, amount: Decimal): { proceeds: Decimal; price: Decimal } | null {
  let left = amount;
  let proceeds = new Decimal(0);
  for (const level of book.bids) {
    if (left.lte(0)) break;
    const take = Decimal.min(left, level.size);
    proceeds = proceeds.plus(take.times(level.price));
    left = left.minus(take);
  }
  if (left.gt(0) || amount.lte(0)) return null;
  return { proceeds, price: proceeds.div(amount) };
}

/** Buying exactly `amount` of the base from the asks: its cost in quote; null when the asks are too thin. */
export function walkBuy(book: VenueBook, amount: Decimal): Decimal | null {
  let left = amount;
  let cost = new Decimal(0);
  for (const level of book.asks) {
    if (left.lte(0)) break;
    const take = Decimal.min(left, level.size);
    cost = cost.plus(take.times(level.price));
    left = left.minus(take);
  }
  return left.gt(0) ? null : cost;
}

/**
 * Spending at most `quote` on the asks: the base amount it buys rounded down to `lot`, and what that amount
 * costs. Null when the asks cannot absorb the quote; the amount is 0 when it buys less than one lot.
 */
export function walkBuyWithQuote(
  book: VenueBook,
  quote: Decimal,
  lot: Decimal,
): { amount: Decimal; cost: Decimal; price: Decimal | null } | null {
  let left = quote;
  let bought = new Decimal(0);
  for (const level of book.asks) {
    if (left.lte(0)) break;
    const levelCost = level.size.times(level.price);
    if (levelCost.lte(left)) {
      bought = bought.plus(level.size);
      left = left.minus(levelCost);
    } else {
      bought = bought.plus(left.div(level.price));
      left = new Decimal(0);
    }
  }
  if (left.gt(0)) return null;
  const amount = floorToStep(bought, lot);
  if (amount.lte(0)) return { amount, cost: new Decimal(0), price: null };
  // The rounded amount is at most what the quote bought, so the asks hold it.
  const cost = walkBuy(book, amount) as Decimal;
  return { amount, cost, price: cost.div(amount) };
}

/** The instruments whose books planning needs: every spot market on a direct or bridged path. */
export function routeInstruments(
  from: string,
  to: string,
  instruments: readonly InstrumentSpecV1[],
): string[] {
  const symbols = candidates(from, to, instruments).flatMap((path) => path.map((hop) => hop.spec.symbol));
  return [...new Set(symbols)];
}

/** The route yielding the most `to`, or none, with why each other candidate was turned down. */
export function planConvertRoute(request: RouteRequest): RoutePlan {
  const rejected: RouteRejection[] = [];
  let best: ConvertRoute | null = null;
  for (const path of candidates(request.from, request.to, request.instruments)) {
    const outcome = simulate(path, request);
    if ('reason' in outcome) {
      rejected.push({
        route: describePath(path),
        reason: outcome.reason,
        belowMinimum: outcome.belowMinimum,
      });
      continue;
    }
    // Candidates come direct first, then by bridge order: on equal output the earlier (shorter) one stays.
    if (best === null || new Decimal(outcome.estimatedOut).gt(best.estimatedOut)) best = outcome;
  }
  return { route: best, rejected };
}

/** One line for a refusal: every candidate and why it was turned down. */
export function explainRejections(from: string, to: string, rejected: readonly RouteRejection[]): string {
  if (rejected.length === 0)
    return `no spot market on the venue connects ${from} to ${to}, directly or through ${BRIDGE_ASSETS.join(', ')}`;
  return `no usable route from ${from} to ${to}: ${rejected.map((r) => `${r.route}: ${r.reason}`).join('; ')}`;
}

function candidates(from: string, to: string, instruments: readonly InstrumentSpecV1[]): Hop[][] {
  const direct = hops(from, to, instruments).map((hop) => [hop]);
  const bridged = BRIDGE_ASSETS.filter((bridge) => bridge !== from && bridge !== to).flatMap((bridge) =>
    hops(from, bridge, instruments).flatMap((first) =>
      hops(bridge, to, instruments).map((second) => [first, second]),
    ),
  );
  return [...direct, ...bridged];
}

/** Active spot markets that turn `spend` into `receive`. */
function hops(spend: string, receive: string, instruments: readonly InstrumentSpecV1[]): Hop[] {
  return instruments.flatMap((spec): Hop[] => {
    if (!spec.active || spec.symbol.includes(':')) return [];
    if (spec.base === spend && spec.quote === receive) return [{ spec, side: 'sell' }];
    if (spec.base === receive && spec.quote === spend) return [{ spec, side: 'buy' }];
    return [];
  });
}

function describePath(path: readonly Hop[]): string {
  return path.map((hop) => `${hop.spec.symbol} ${hop.side}`).join(' → ');
}

type Rejected = { reason: string; belowMinimum: boolean };

function simulate(path: readonly Hop[], request: RouteRequest): ConvertRoute | Rejected {
  const legs: PlannedLeg[] = [];
  let holding = request.amount;
  // The product over legs of (walked rate / mid rate): 1 converts at the mids.
  let rateRatio = new Decimal(1);
  for (const hop of path) {
    const leg = simulateLeg(hop, holding, request.books.get(hop.spec.symbol));
    if ('reason' in leg) return leg;
    legs.push(leg);
    holding = new Decimal(leg.receive);
    const walked = new Decimal(leg.walkedPrice);
    const mid = new Decimal(leg.mid);
    rateRatio = rateRatio.times(hop.side === 'sell' ? walked.div(mid) : mid.div(walked));
  }
  const slippageBps = new Decimal(1).minus(rateRatio).times(BPS);
  if (slippageBps.gt(request.maxSlippageBps)) {
    return {
      reason: `the walked price is ${slippageBps.toFixed(2)} bps worse than mid (at most ${request.maxSlippageBps})`,
      belowMinimum: false,
    };
  }
  return { legs, estimatedOut: holding.toFixed(), slippageBps: slippageBps.toFixed(2) };
}

function simulateLeg(hop: Hop, spend: Decimal, book: VenueBook | undefined): PlannedLeg | Rejected {
  const { spec, side } = hop;
  if (!book) return { reason: `no market data for ${spec.symbol}`, belowMinimum: false };
  const mid = midOf(book);
  if (!mid) return { reason: `the venue quotes no two-sided book for ${spec.symbol}`, belowMinimum: false };
  const lot = lotOf(spec);
  let amount: Decimal;
  let spent: Decimal;
  let received: Decimal;
  let price: Decimal;
  if (side === 'sell') {
    amount = floorToStep(spend, lot);
    if (amount.lte(0)) return belowLot(spec, spend);
    const walk = walkSell(book, amount);
    if (!walk)
      return { reason: `the bids of ${spec.symbol} cannot take ${amount.toFixed()}`, belowMinimum: false };
    spent = amount;
    received = walk.proceeds;
    price = walk.price;
  } else {
    const walk = walkBuyWithQuote(book, spend, lot);
    if (!walk)
      return { reason: `the asks of ${spec.symbol} cannot absorb ${spend.toFixed()}`, belowMinimum: false };
    if (walk.price === null) return belowLot(spec, spend);
    amount = walk.amount;
    spent = walk.cost;
    received = walk.amount;
    price = walk.price;
  }
  const minimum = belowMinimum(spec, amount, price);
  if (minimum) return { reason: minimum, belowMinimum: true };
  return {
    instrument: spec.symbol,
    side,
    spendAsset: side === 'sell' ? spec.base : spec.quote,
    receiveAsset: side === 'sell' ? spec.quote : spec.base,
    amount: amount.toFixed(),
    spend: spent.toFixed(),
    receive: received.toFixed(),
    mid: mid.toFixed(),
    walkedPrice: price.toFixed(),
    lotSize: spec.lotSize,
    minAmount: spec.minAmount,
    minNotional: spec.minNotional,
  };
}

function belowLot(spec: InstrumentSpecV1, spend: Decimal): Rejected {
  return { reason: `${spend.toFixed()} buys less than one lot of ${spec.symbol}`, belowMinimum: true };
}

/** Why an order of `amount` at about `price` is under the instrument's minimums, or null. */
export function belowMinimum(
  spec: Pick<InstrumentSpecV1, 'symbol' | 'minAmount' | 'minNotional'>,
  amount: Decimal,
  price: Decimal,
): string | null {
  if (spec.minAmount !== null && amount.lt(spec.minAmount))
    return `${amount.toFixed()} is below the minimum amount ${spec.minAmount} of ${spec.symbol}`;
  const notional = amount.times(price);
  if (spec.minNotional !== null && notional.lt(spec.minNotional))
    return `${amount.toFixed()} (notional ${notional.toDecimalPlaces(8).toFixed()}) is below the minimum notional ${spec.minNotional} of ${spec.symbol}`;
  return null;
}
