import { UnifiedSymbol } from '@tm/contracts';
import ccxt, { type Exchange } from 'ccxt';
import { Decimal } from 'decimal.js';
import type { VenueInstrument } from '../../adapter/venue-types.js';
import type { CcxtContext } from '../ccxt-context.js';
import { decimalOrNull } from '../ccxt-normalise.js';
import { stepOf } from '../ccxt-order-checks.js';

type MarketReader = Pick<Exchange, 'precisionMode' | 'numberToString'>;

interface MarketRules {
  symbol?: unknown;
  base?: unknown;
  quote?: unknown;
  active?: unknown;
  precision?: { price?: unknown; amount?: unknown };
  limits?: { amount?: { min?: unknown }; cost?: { min?: unknown } };
}

/** The markets ccxt loaded on connect (loaded now on a replica that has not connected yet). */
export async function ccxtFetchInstruments(ctx: CcxtContext): Promise<VenueInstrument[]> {
  const ex = ctx.data;
  if (ex.markets === undefined || Object.keys(ex.markets).length === 0)
    await ctx.call('loadMarkets', false, ex, () => ex.loadMarkets());
  return instrumentsOfMarkets(ex, ex.markets ?? {});
}

/**
 * ccxt markets → instrument specs, in symbol order. A symbol the platform cannot name (a dated future's
 * `BTC/USDT:USDT-250926`) is left out, so one odd market never makes the whole list invalid on the wire.
 */
export function instrumentsOfMarkets(ex: MarketReader, markets: Record<string, unknown>): VenueInstrument[] {
  return Object.values(markets)
    .flatMap((market) => instrumentOfMarket(ex, market as MarketRules) ?? [])
    .sort((a, b) => (a.symbol < b.symbol ? -1 : a.symbol > b.symbol ? 1 : 0));
}

export function instrumentOfMarket(ex: MarketReader, market: MarketRules): VenueInstrument | null {
  const { symbol, base, quote } = market;
  if (typeof symbol !== 'string' || !UnifiedSymbol.safeParse(symbol).success) return null;
  if (typeof base !== 'string' || typeof quote !== 'string') return null;
  return {
    symbol,
    base,
    quote,
    tickSize: stepText(ex, market.precision?.price),
    lotSize: stepText(ex, market.precision?.amount),
    minAmount: positiveOrNull(ex, market.limits?.amount?.min),
    minNotional: positiveOrNull(ex, market.limits?.cost?.min),
    active: market.active !== false,
  };
}

/** The increment as a decimal string: TICK_SIZE as ccxt prints it, DECIMAL_PLACES n as 10^-n. */
function stepText(ex: MarketReader, precision: unknown): string | null {
  // Zero decimal places is a grid of 1; stepOf, shared with the order checks, reads it as no grid.
  if (ex.precisionMode === ccxt.DECIMAL_PLACES && precision === 0) return '1';
  return stepOf(ex, precision)?.toFixed() ?? null;
}

/** A minimum of 0 is no minimum. */
function positiveOrNull(ex: MarketReader, value: unknown): string | null {
  const text = decimalOrNull(ex, value);
  return text === null || !new Decimal(text).gt(0) ? null : text;
}
