import { z } from 'zod';
import { DecimalString } from './execution.schema.js';
import { UnifiedSymbol } from './market-data.schema.js';

// The input of each flow verb: what a person, the FIX server or an AI agent sends in `FlowStartCommandV1.input`.
// The flow engine validates with these schemas; `GET /api/flows/verbs` lists them as JSON Schema (tools).
const positive = DecimalString.refine((value) => Number(value) > 0, 'must be greater than 0');
const venue = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'must be a venue id like "paper" or "binance"');
const currency = z.string().regex(/^[A-Z0-9]{1,20}$/, 'must be an asset code like "USDT"');
/** A strategy tag the flow's orders carry, so cancel-orders and reprice can select them. */
const tag = z.string().regex(/^[A-Za-z0-9_.:-]{1,64}$/, 'must be 1–64 letters, digits or _.:-');
const bps = z.number().int().min(1).max(10_000);

const twap = z
  .object({
    /** Over how long the slices are spread, milliseconds. */
    durationMs: z
      .number()
      .int()
      .min(1_000)
      .max(7 * 86_400_000),
    slices: z.number().int().min(1).max(1_000),
    /** No slice buys above (sells below) this price; a slice that cannot fill within it carries over. */
    priceLimit: positive.optional(),
  })
  .describe(
    'time-weighted slicing: equal slices at equal intervals, what a slice misses carried to the next',
  );

const tradeFields = {
  venue,
  instrument: UnifiedSymbol,
  /** limit: one resting order at `price`; market: fill now; twap: slices over time. */
  kind: z.enum(['limit', 'market', 'twap']),
  /** The limit price (limit), required for limit orders. */
  price: positive.optional(),
  /** Post-only: never takes liquidity; re-posted one tick inside the touch when it would cross. */
  makerOnly: z.boolean().default(false),
  /** A limit order's life: GTC rests until filled or canceled; IOC fills what it can now; FOK all now or nothing. */
  timeInForce: z.enum(['GTC', 'IOC', 'FOK']).default('GTC'),
  twap: twap.optional(),
  tag: tag.optional(),
};

function tradeRules<
  T extends {
    kind: string;
    price?: string | undefined;
    twap?: unknown;
    makerOnly: boolean;
    timeInForce: string;
  },
>(value: T, ctx: z.RefinementCtx): void {
  if (value.kind === 'limit' && value.price === undefined)
    ctx.addIssue({ code: 'custom', path: ['price'], message: 'a limit order needs a price' });
  if (value.kind !== 'limit' && value.price !== undefined)
    ctx.addIssue({ code: 'custom', path: ['price'], message: `a ${value.kind} order takes no price` });
  if (value.kind === 'twap' && value.twap === undefined)
    ctx.addIssue({ code: 'custom', path: ['twap'], message: 'a twap order needs twap settings' });
  if (value.kind !== 'twap' && value.twap !== undefined)
    ctx.addIssue({ code: 'custom', path: ['twap'], message: 'twap settings belong to a twap order' });
  if (value.kind === 'market' && value.makerOnly)
    ctx.addIssue({ code: 'custom', path: ['makerOnly'], message: 'a market order always takes' });
  if (value.timeInForce !== 'GTC' && value.kind !== 'limit')
    ctx.addIssue({
      code: 'custom',
      path: ['timeInForce'],
      message: `${value.timeInForce} belongs to a limit order`,
    });
  if (value.timeInForce !== 'GTC' && value.makerOnly)
    ctx.addIssue({ code: 'custom', path: ['timeInForce'], message: 'a post-only order rests: it takes GTC' });
}

export const BuyInputV1 = z
  .object({ ...tradeFields, /** Base amount to buy. */ amount: positive })
  .superRefine(tradeRules)
  .describe('Buy `amount` of the base asset with the quote asset on one venue.');

export const SellInputV1 = z
  .object({
    ...tradeFields,
    /** Base amount to sell; or give `fractionOfFree`. */
    amount: positive.optional(),
    /** Sell this fraction (0 < f ≤ 1) of the free base balance, rounded down to the lot. */
    fractionOfFree: DecimalString.refine(
      (v) => Number(v) > 0 && Number(v) <= 1,
      'must be in (0, 1]',
    ).optional(),
  })
  .superRefine(tradeRules)
  .refine((v) => (v.amount === undefined) !== (v.fractionOfFree === undefined), {
    message: 'give exactly one of amount and fractionOfFree',
    path: ['amount'],
  })
  .describe('Sell an amount, or a fraction of the free balance, of the base asset on one venue.');

export const CancelOrdersInputV1 = z
  .object({
    venue,
    instrument: UnifiedSymbol.optional(),
    side: z.enum(['buy', 'sell']).optional(),
    /** Only orders placed by flows carrying this tag. */
    tag: tag.optional(),
  })
  .describe('Cancel every open order of the account on a venue, narrowed by instrument, side or tag.');

export const ConvertInputV1 = z
  .object({
    venue,
    from: currency,
    to: currency,
    /** Amount of `from` to convert. */
    amount: positive,
    /** Refuse a route whose book-walked price is worse than the mid by more than this. */
    maxSlippageBps: bps.default(100),
  })
  .refine((v) => v.from !== v.to, { message: 'from and to must differ', path: ['to'] })
  .describe(
    'Convert an amount of one asset into another by the cheapest spot route (direct or through USDT, USDC, BTC, ETH).',
  );

export const RepriceInputV1 = z
  .object({
    venue,
    instrument: UnifiedSymbol,
    side: z.enum(['buy', 'sell']).optional(),
    tag: tag.optional(),
    /** The new price of every selected order; or give `offsetBps`. */
    price: positive.optional(),
    /** The new price as an offset from the aggregated mid: buys below it, sells above it. */
    offsetBps: z.number().int().min(0).max(5_000).optional(),
  })
  .refine((v) => (v.price === undefined) !== (v.offsetBps === undefined), {
    message: 'give exactly one of price and offsetBps',
    path: ['price'],
  })
  .describe(
    'Move open orders to a new price: amended in place where the venue keeps queue position, else cancel-replace.',
  );

export const TransferInputV1 = z
  .object({
    venue,
    currency,
    amount: positive,
    /** The destination sub-account; it must be on the transfer whitelist of the source account. */
    toAccount: z.string().min(1).max(120),
  })
  .describe('Move an amount of an asset from the account to a whitelisted sub-account on the same venue.');

export const DepositAddressInputV1 = z
  .object({
    venue,
    currency,
    network: z.string().min(1).max(40).optional(),
    /** How long to watch for deposits to the address before the flow ends; 0 returns the address alone. */
    trackForMs: z
      .number()
      .int()
      .min(0)
      .max(30 * 86_400_000)
      .default(3_600_000),
  })
  .describe(
    'Get (or recover) the deposit address of an asset and track deposits to it until one is confirmed.',
  );

/** Each verb's input schema, by verb name. */
export const FLOW_VERB_INPUTS = {
  buy: BuyInputV1,
  sell: SellInputV1,
  'cancel-orders': CancelOrdersInputV1,
  convert: ConvertInputV1,
  reprice: RepriceInputV1,
  transfer: TransferInputV1,
  'deposit-address': DepositAddressInputV1,
} as const;
export type FlowVerbName = keyof typeof FLOW_VERB_INPUTS;
export type FlowVerbInput<V extends FlowVerbName> = z.output<(typeof FLOW_VERB_INPUTS)[V]>;

/** Each verb's input as JSON Schema (draft 2020-12), the way an agent's tool list wants it. */
export function flowVerbJsonSchemas(): { verb: FlowVerbName; description: string; inputSchema: unknown }[] {
  return (Object.keys(FLOW_VERB_INPUTS) as FlowVerbName[]).map((verb) => {
    const schema = FLOW_VERB_INPUTS[verb];
    return {
      verb,
      description: schema.description ?? verb,
      inputSchema: z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }),
    };
  });
}
