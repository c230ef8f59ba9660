import { z } from 'zod';

// Market-data hot paths carry numbers (prices here are not money held); orders and balances use decimal strings.
const micros = z.number().int().nonnegative();
const finite = z.number().refine(Number.isFinite, 'must be a finite number');

/** `tm.md.tick.<slot>`: best bid/ask of one instrument at one source. */
export const TickV1 = z.object({
  v: z.literal(1),
  /** Canonical instrument: ccxt's unified symbol, `BTC/USDT`. */
  instrument: z
    .string()
    .regex(/^[A-Z0-9]+\/[A-Z0-9]+(:[A-Z0-9]+)?$/, 'must be a unified symbol like BTC/USDT'),
  /** A venue id (`binance`, `paper`) or a FIX LP session (`fix:<session>`). */
  source: z.string().min(1),
  bid: finite.nonnegative(),
  bidSize: finite.nonnegative(),
  ask: finite.nonnegative(),
  askSize: finite.nonnegative(),
  /** Venue time and our receive time, microseconds. */
  tsEvent: micros,
  tsInit: micros,
});
export type TickV1 = z.infer<typeof TickV1>;
