import ccxt, { type Exchange } from 'ccxt';
import { Decimal } from 'decimal.js';
import { VenueError } from '../adapter/venue-error.js';

/** An instrument's price and amount increments, read once from ccxt's market (tick-size mode). */
interface Grid {
  tick: Decimal | undefined;
  lot: Decimal | undefined;
}

const grids = new WeakMap<Exchange, Map<string, Grid>>();

/** A market's price or amount precision as a step, per the exchange's precision mode; undefined when none. */
export function stepOf(
  ex: Pick<Exchange, 'precisionMode' | 'numberToString'>,
  precision: unknown,
): Decimal | undefined {
  if (typeof precision !== 'number' || !(precision > 0)) return undefined;
  if (ex.precisionMode === ccxt.TICK_SIZE) return new Decimal(ex.numberToString(precision));
  if (ex.precisionMode === ccxt.DECIMAL_PLACES) return new Decimal(10).pow(-precision);
  return undefined; // significant digits: no fixed grid to check against
}

function gridOf(ex: Exchange, instrument: string): Grid {
  let perInstrument = grids.get(ex);
  if (!perInstrument) {
    perInstrument = new Map();
    grids.set(ex, perInstrument);
  }
  let grid = perInstrument.get(instrument);
  if (!grid) {
    const market = (ex.markets as Record<string, { precision?: { price?: unknown; amount?: unknown } }>)[
      instrument
    ];
    grid = { tick: stepOf(ex, market?.precision?.price), lot: stepOf(ex, market?.precision?.amount) };
    perInstrument.set(instrument, grid);
  }
  return grid;
}

function onGrid(value: string, step: Decimal | undefined): boolean {
  if (!/^\d+(\.\d+)?$/.test(value)) return false;
  return step === undefined || new Decimal(value).mod(step).isZero();
}

/**
 * ccxt silently rounds a price to the tick and truncates an amount to the lot before sending; the
 * platform would then trade something it did not ask for. Refuse such orders instead, like the
 * venue (and the paper venue) would. The grid is read from the market once per instrument.
 */
export function checkOnGrid(
  ex: Exchange,
  instrument: string,
  amount: string,
  price: string | undefined,
): void {
  const grid = gridOf(ex, instrument);
  if (!onGrid(amount, grid.lot))
    throw new VenueError(
      'INVALID_ORDER',
      `${ex.id}: amount ${amount} is not a multiple of ${instrument}'s lot size`,
      {
        field: 'amount',
      },
    );
  if (price !== undefined && !onGrid(price, grid.tick))
    throw new VenueError(
      'INVALID_ORDER',
      `${ex.id}: price ${price} is not a multiple of ${instrument}'s tick size`,
      {
        field: 'price',
      },
    );
}
