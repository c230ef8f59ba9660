// Realized P&L per UTC day per (venue, account, instrument), average-cost method, in decimals:
// - a fill in the position's direction (or from flat) moves the average cost to the size-weighted mean;
// - a fill against it realizes closed × (price − average cost) for a long, (average cost − price) for a
//   short, and leaves the average cost alone; what it trades past flat opens the other side at its price;
// - fees are charged on the day they are paid, not folded into the cost: a fee in the quote currency is
//   subtracted from that day's P&L, a fee in any other currency is reported beside it, never converted.
// Linear instruments only: P&L is in the quote currency (`BTC/USDT`, `BTC/USDT:USDT` → USDT).
import { applyFill, Dec, FLAT, type Position } from '@tm/ledger';
import type { Decimal } from 'decimal.js';
import type { DailyPnlRow } from './trade-history.dto.js';

type Dec = Decimal;
/** Figures that went through a division (average cost, P&L) are reported to this many places. */
const REPORTED_PLACES = 18;
/** A fee whose currency the venue did not say. */
const UNKNOWN_CURRENCY = 'unknown';

export interface PnlFill {
  venue: string;
  account: string;
  instrument: string;
  side: string;
  price: string;
  amount: string;
  feeCost: string | null;
  feeCurrency: string | null;
  /** Microseconds since the epoch. */
  tsEvent: number;
}

interface Day {
  date: string;
  venue: string;
  account: string;
  instrument: string;
  quoteCurrency: string;
  fills: number;
  bought: Dec;
  sold: Dec;
  gross: Dec;
  quoteFees: Dec;
  otherFees: Map<string, Dec>;
  position: Position;
}

export function quoteCurrencyOf(instrument: string): string {
  const quote = instrument.split('/')[1]?.split(':')[0];
  if (!quote) throw new Error(`instrument "${instrument}" has no quote currency`);
  return quote;
}

export function utcDateOf(micros: number): string {
  return new Date(Math.floor(micros / 1_000)).toISOString().slice(0, 10);
}

/** Fills in, in time order (the caller's, as PostgreSQL sorted them); days out. */
export class DailyPnl {
  private readonly positions = new Map<string, Position>();
  private readonly days = new Map<string, Day>();

  add(fill: PnlFill): void {
    if (fill.side !== 'buy' && fill.side !== 'sell')
      throw new Error(`fill ${fill.venue}/${fill.account} at ${fill.tsEvent} has side "${fill.side}"`);
    const key = `${fill.venue}\u0000${fill.account}\u0000${fill.instrument}`;
    const before = this.positions.get(key) ?? FLAT;
    const price = new Dec(fill.price);
    const amount = new Dec(fill.amount);
    const { position, realized } = applyFill(before, fill.side === 'buy' ? amount : amount.neg(), price);
    this.positions.set(key, position);

    const day = this.dayOf(fill, key);
    day.fills += 1;
    if (fill.side === 'buy') day.bought = day.bought.plus(amount);
    else day.sold = day.sold.plus(amount);
    day.gross = day.gross.plus(realized);
    day.position = position;
    if (fill.feeCost !== null) {
      const fee = new Dec(fill.feeCost);
      const currency = fill.feeCurrency ?? UNKNOWN_CURRENCY;
      if (currency === day.quoteCurrency) day.quoteFees = day.quoteFees.plus(fee);
      else day.otherFees.set(currency, (day.otherFees.get(currency) ?? new Dec(0)).plus(fee));
    }
  }

  /** Days from `fromDate` through `toDate` (UTC, inclusive), by date, venue, account, instrument. */
  report(range: { fromDate?: string; toDate?: string } = {}): DailyPnlRow[] {
    return [...this.days.values()]
      .filter((day) => (range.fromDate ?? '') <= day.date && day.date <= (range.toDate ?? '9999-12-31'))
      .sort(
        (a, b) =>
          compare(a.date, b.date) ||
          compare(a.venue, b.venue) ||
          compare(a.account, b.account) ||
          compare(a.instrument, b.instrument),
      )
      .map(rowOf);
  }

  private dayOf(fill: PnlFill, key: string): Day {
    const date = utcDateOf(fill.tsEvent);
    const dayKey = `${date}\u0000${key}`;
    let day = this.days.get(dayKey);
    if (day === undefined) {
      day = {
        date,
        venue: fill.venue,
        account: fill.account,
        instrument: fill.instrument,
        quoteCurrency: quoteCurrencyOf(fill.instrument),
        fills: 0,
        bought: new Dec(0),
        sold: new Dec(0),
        gross: new Dec(0),
        quoteFees: new Dec(0),
        otherFees: new Map(),
        position: { size: new Dec(0), averageCost: new Dec(0) },
      };
      this.days.set(dayKey, day);
    }
    return day;
  }
}

/** Every day of `fills` in the range; fills before the range still build the cost the range closes against. */
export function dailyPnl(
  fills: Iterable<PnlFill>,
  range: { fromDate?: string; toDate?: string } = {},
): DailyPnlRow[] {
  const pnl = new DailyPnl();
  for (const fill of fills) pnl.add(fill);
  return pnl.report(range);
}

function rowOf(day: Day): DailyPnlRow {
  const net = day.gross.minus(day.quoteFees);
  return {
    date: day.date,
    venue: day.venue,
    account: day.account,
    instrument: day.instrument,
    quoteCurrency: day.quoteCurrency,
    fills: day.fills,
    bought: plain(day.bought),
    sold: plain(day.sold),
    grossRealizedPnl: reported(day.gross),
    quoteFees: plain(day.quoteFees),
    realizedPnl: reported(net),
    otherFees: [...day.otherFees]
      .sort(([a], [b]) => compare(a, b))
      .map(([currency, amount]) => ({ currency, amount: plain(amount) })),
    position: plain(day.position.size),
    averageCost: day.position.size.isZero() ? null : reported(day.position.averageCost),
  };
}

function plain(value: Dec): string {
  return value.isZero() ? '0' : value.toFixed();
}

function reported(value: Dec): string {
  return plain(value.toDecimalPlaces(REPORTED_PLACES));
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
