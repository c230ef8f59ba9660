// An account's fills, in time order, folded into one summary per UTC day, venue and quote currency:
// realized P&L (average cost, per venue and instrument), commission per fee currency, slippage, wins and
// losses. Pure, so the figures are tested without a database.
import type { Decimal } from 'decimal.js';
import { applyFill, Dec, FLAT, type Position } from '@tm/ledger';
import { OrderReferences, slippageOf, type Side } from './slippage.js';

/** Figures that went through a division (average cost, so P&L) are reported to this many places. */
const REPORTED_PLACES = 18;
/** A fee whose currency the venue did not say. */
export const UNKNOWN_FEE_CURRENCY = 'unknown';

/** One row of `fills`, decimals as PostgreSQL's numeric text. */
export interface SummaryFill {
  venue: string;
  account: string;
  instrument: string;
  side: string;
  clientOrderId: string;
  /** The order's limit price; null for a market order. */
  orderPrice: string | null;
  price: string;
  amount: string;
  feeCost: string | null;
  feeCurrency: string | null;
  /** UTC date of ts_event, `YYYY-MM-DD`. */
  day: string;
}

export interface AccountDaySummary {
  day: string;
  venue: string;
  account: string;
  quote: string;
  fills: number;
  buyAmount: string;
  sellAmount: string;
  notional: string;
  /** Before commission. */
  realizedPnl: string;
  /** Fee currency → decimal string. */
  commission: Record<string, string>;
  slippage: string;
  /** Fills that realized a profit / a loss. */
  wins: number;
  losses: number;
}

interface Tally {
  day: string;
  venue: string;
  account: string;
  quote: string;
  fills: number;
  buyAmount: Decimal;
  sellAmount: Decimal;
  notional: Decimal;
  realizedPnl: Decimal;
  commission: Map<string, Decimal>;
  slippage: Decimal;
  wins: number;
  losses: number;
}

/** `BTC/USDT` and `BTC/USDT:USDT` → `USDT`. */
export function quoteCurrencyOf(instrument: string): string {
  const quote = instrument.split('/')[1]?.split(':')[0];
  if (!quote) throw new Error(`instrument "${instrument}" has no quote currency`);
  return quote;
}

/**
 * Summaries of the days from `fromDay` on (`YYYY-MM-DD`); fills before it are still folded in, since they
 * build the cost a later fill closes against and the first fill price a later fill of a market order
 * slips from. Sorted by day, venue, account, quote.
 */
export function summarizeAccountDays(fills: Iterable<SummaryFill>, fromDay = ''): AccountDaySummary[] {
  const positions = new Map<string, Position>();
  const references = new OrderReferences();
  const tallies = new Map<string, Tally>();
  for (const fill of fills) {
    const side = sideOf(fill);
    const price = new Dec(fill.price);
    const amount = new Dec(fill.amount);
    const positionKey = `${fill.venue}\u0000${fill.account}\u0000${fill.instrument}`;
    const { position, realized } = applyFill(
      positions.get(positionKey) ?? FLAT,
      side === 'buy' ? amount : amount.neg(),
      price,
    );
    positions.set(positionKey, position);
    const orderKey = `${fill.venue}\u0000${fill.account}\u0000${fill.clientOrderId}`;
    const reference = references.referenceOf(orderKey, fill.orderPrice, price);
    if (fill.day < fromDay) continue;

    const tally = tallyOf(tallies, fill);
    tally.fills += 1;
    if (side === 'buy') tally.buyAmount = tally.buyAmount.plus(amount);
    else tally.sellAmount = tally.sellAmount.plus(amount);
    tally.notional = tally.notional.plus(price.times(amount));
    tally.realizedPnl = tally.realizedPnl.plus(realized);
    if (realized.gt(0)) tally.wins += 1;
    else if (realized.lt(0)) tally.losses += 1;
    tally.slippage = tally.slippage.plus(slippageOf(side, price, amount, reference));
    if (fill.feeCost !== null) {
      const currency = fill.feeCurrency ?? UNKNOWN_FEE_CURRENCY;
      tally.commission.set(currency, (tally.commission.get(currency) ?? new Dec(0)).plus(fill.feeCost));
    }
  }
  return [...tallies.values()]
    .sort(
      (a, b) =>
        compare(a.day, b.day) ||
        compare(a.venue, b.venue) ||
        compare(a.account, b.account) ||
        compare(a.quote, b.quote),
    )
    .map(summaryOf);
}

function sideOf(fill: SummaryFill): Side {
  if (fill.side !== 'buy' && fill.side !== 'sell')
    throw new Error(
      `fill of ${fill.venue}/${fill.account} order ${fill.clientOrderId} has side "${fill.side}"`,
    );
  return fill.side;
}

function tallyOf(tallies: Map<string, Tally>, fill: SummaryFill): Tally {
  const quote = quoteCurrencyOf(fill.instrument);
  const key = `${fill.day}\u0000${fill.venue}\u0000${fill.account}\u0000${quote}`;
  let tally = tallies.get(key);
  if (tally === undefined) {
    tally = {
      day: fill.day,
      venue: fill.venue,
      account: fill.account,
      quote,
      fills: 0,
      buyAmount: new Dec(0),
      sellAmount: new Dec(0),
      notional: new Dec(0),
      realizedPnl: new Dec(0),
      commission: new Map(),
      slippage: new Dec(0),
      wins: 0,
      losses: 0,
    };
    tallies.set(key, tally);
  }
  return tally;
}

function summaryOf(tally: Tally): AccountDaySummary {
  return {
    day: tally.day,
    venue: tally.venue,
    account: tally.account,
    quote: tally.quote,
    fills: tally.fills,
    buyAmount: plain(tally.buyAmount),
    sellAmount: plain(tally.sellAmount),
    notional: plain(tally.notional),
    realizedPnl: plain(tally.realizedPnl.toDecimalPlaces(REPORTED_PLACES)),
    commission: Object.fromEntries(
      [...tally.commission]
        .sort(([a], [b]) => compare(a, b))
        .map(([currency, fee]) => [currency, plain(fee)]),
    ),
    slippage: plain(tally.slippage),
    wins: tally.wins,
    losses: tally.losses,
  };
}

function plain(value: Decimal): string {
  return value.isZero() ? '0' : value.toFixed();
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
