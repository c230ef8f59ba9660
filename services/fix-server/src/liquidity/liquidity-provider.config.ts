// The configured FIX liquidity providers (TM_FIX_LIQUIDITY_PROVIDERS): one initiator session each.
import { UnifiedSymbol } from '@tm/contracts';
import { z } from 'zod';

const compId = z.string().regex(/^[A-Za-z0-9_.-]{1,32}$/, 'must be a CompID of 1–32 letters, digits or _.-');

/** One LP session. Its market data is published under the source `fix:<name>`. */
export const LiquidityProviderConfig = z.object({
  /** Id-safe: it becomes part of the source id `fix:<name>` and of log and metric labels. */
  name: z.string().regex(/^[a-z0-9][a-z0-9_-]{0,31}$/, 'must be 1–32 of a-z, 0-9, _ or -, starting alnum'),
  host: z.string().min(1),
  port: z.number().int().min(1).max(65_535),
  /** Present: the session speaks TLS. `ca` is the path of a PEM CA bundle to trust instead of the system's. */
  tls: z
    .object({
      ca: z.string().min(1).optional(),
      /** SNI and the name the certificate must carry; defaults to `host`. */
      servername: z.string().min(1).optional(),
    })
    .optional(),
  senderCompId: compId,
  targetCompId: compId,
  username: z.string().min(1).optional(),
  password: z.string().min(1).optional(),
  heartBtInt: z.number().int().min(1).max(300).default(30),
  /** Logon with ResetSeqNumFlag=Y: market data needs no resend, so every connection starts from 1. */
  resetSeqNumOnLogon: z.boolean().default(true),
  /** Unified symbols (`BTC/USDT`), sent to the LP as Symbol(55) unchanged. */
  instruments: z.array(UnifiedSymbol).min(1),
  /** MarketDepth(264) asked for; 0 is the full book. */
  depth: z.number().int().min(0).max(1_000).default(10),
});
export type LiquidityProviderConfig = z.output<typeof LiquidityProviderConfig>;
export type LiquidityProviderConfigInput = z.input<typeof LiquidityProviderConfig>;

export const LiquidityProviderList = z
  .array(LiquidityProviderConfig)
  .refine((list) => new Set(list.map((lp) => lp.name)).size === list.length, 'LP names must be unique');
export type LiquidityProviderList = z.output<typeof LiquidityProviderList>;

/** The `expected` text of TM_FIX_LIQUIDITY_PROVIDERS. */
export const LIQUIDITY_PROVIDERS_EXPECTED =
  'a JSON list of LP sessions like [{"name":"lp1","host":"fix.lp1.com","port":9878,"senderCompId":"TM",' +
  '"targetCompId":"LP1","instruments":["BTC/USDT"]}] (optional: tls {ca, servername}, username, password, ' +
  'heartBtInt, resetSeqNumOnLogon, depth)';

/** The source id of an LP's market data on the wire. */
export function liquiditySourceOf(name: string): string {
  return `fix:${name}`;
}
