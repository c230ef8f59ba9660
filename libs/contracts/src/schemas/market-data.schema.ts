import { z } from 'zod';

// Market-data hot paths carry numbers (prices here are not money held); orders and balances use decimal strings.
const micros = z.number().int().nonnegative();
const finite = z.number().refine(Number.isFinite, 'must be a finite number');
/** Canonical instrument: ccxt's unified symbol, `BTC/USDT` (`BTC/USDT:USDT` for a linear perpetual). */
export const UnifiedSymbol = z
  .string()
  .regex(/^[A-Z0-9]+\/[A-Z0-9]+(:[A-Z0-9]+)?$/, 'must be a unified symbol like BTC/USDT');
/** A venue id (`binance`, `paper`) or a FIX LP session (`fix:<session>`). */
const source = z.string().min(1);

/** `tm.md.tick.<slot>`: best bid/ask of one instrument at one source. */
export const TickV1 = z.object({
  v: z.literal(1),
  instrument: UnifiedSymbol,
  source,
  bid: finite.nonnegative(),
  bidSize: finite.nonnegative(),
  ask: finite.nonnegative(),
  askSize: finite.nonnegative(),
  /** Venue time and our receive time, microseconds. */
  tsEvent: micros,
  tsInit: micros,
});
export type TickV1 = z.infer<typeof TickV1>;

/** `tm.md.trade.<slot>`: one public trade at one source, published once per tradeId. */
export const TradeV1 = z.object({
  v: z.literal(1),
  instrument: UnifiedSymbol,
  source,
  tradeId: z.string().min(1),
  price: finite.positive(),
  amount: finite.positive(),
  takerSide: z.enum(['buy', 'sell']).nullable(),
  tsEvent: micros,
  tsInit: micros,
});
export type TradeV1 = z.infer<typeof TradeV1>;

const level = z.tuple([finite.nonnegative(), finite.nonnegative()]);

/**
 * `tm.md.book.<slot>`: changes to one source's book; amount 0 removes a level. A snapshot replaces the
 * whole book (after a (re)connect or a sequence gap), so a consumer never applies deltas across a gap.
 */
export const BookDeltaV1 = z.object({
  v: z.literal(1),
  instrument: UnifiedSymbol,
  source,
  snapshot: z.boolean(),
  bids: z.array(level),
  asks: z.array(level),
  /** The venue's update id where it has one. */
  sequence: z.number().int().nonnegative().nullable(),
  tsEvent: micros,
  tsInit: micros,
});
export type BookDeltaV1 = z.infer<typeof BookDeltaV1>;

/** `tm.md.resync.<slot>`: a consumer lost `source`'s book of `instrument` and asks for a fresh snapshot. */
export const BookResyncRequestV1 = z.object({ v: z.literal(1), instrument: UnifiedSymbol, source });
export type BookResyncRequestV1 = z.infer<typeof BookResyncRequestV1>;
