import { UnifiedSymbol } from '@tm/contracts';
import { z } from 'zod';

const token = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'must be 1–64 letters, digits, _ or -');

/** One venue account the service runs a session for. `TM_VENUES` is a JSON list of these. */
export const VenueAccountConfig = z
  .object({
    /** `paper`, or a ccxt exchange id (`binance`, `bybit`, `okx`, …). */
    venue: token,
    /** The platform's id of the account; it keys orders, balances and subjects (`acct:<account>`). */
    account: token,
    /** The name of a credential (`binance-main`); keys come from the environment or a mounted file. */
    credential: token.optional(),
    /** Instruments (unified symbols) whose market data is streamed from the start. */
    instruments: z.array(UnifiedSymbol).default([]),
    /** Another base URL for the venue's API (a regional host, or the exchange simulator in tests). */
    apiUrl: z.url({ protocol: /^https?$/ }).optional(),
    /** ccxt's market type for this account. */
    defaultType: z.enum(['spot', 'swap']).default('spot'),
    /** ccxt's own weight limiter, on by default, under the platform's message budgets. */
    ccxtRateLimit: z.boolean().default(true),
    /** What reconciliation does with an open order the platform did not place. */
    unknownOrders: z.enum(['adopt', 'cancel']).default('adopt'),
  })
  .refine((a) => a.venue === 'paper' || a.credential !== undefined || a.apiUrl !== undefined, {
    message: 'a real venue needs a credential name (market data alone can go without, with apiUrl)',
    path: ['credential'],
  });
export type VenueAccountConfig = z.output<typeof VenueAccountConfig>;

export const VenueAccountList = z
  .array(VenueAccountConfig)
  .min(1, 'at least one venue account')
  .refine(
    (list) => new Set(list.map((a) => `${a.venue}/${a.account}`)).size === list.length,
    'each venue/account pair appears once',
  );

/** What `npm start` runs with no configuration: the paper venue, live data, tradable with no keys. */
export const DEFAULT_VENUE_ACCOUNTS: z.input<typeof VenueAccountList> = [
  { venue: 'paper', account: 'paper-main', instruments: ['BTC/USDT', 'ETH/USDT', 'SOL/USDT'] },
];
