// The checks every order of a flow passes before anything reaches a venue: the instrument trades, the
// size fits its grid and minimums, the price sits within the band around the aggregated mid, the
// notional is under the limit, and the account holds what the order spends. A failed check refuses the
// flow with its reason code.
import type { AggregateV1, InstrumentSpecV1 } from '@tm/contracts';
import { Decimal } from 'decimal.js';
import type { StepContext } from '../engine/flow-context.js';
import type { VerbSettings } from '../engine/flow-verb.js';

export interface OrderToCheck {
  venue: string;
  instrument: string;
  side: 'buy' | 'sell';
  amount: Decimal;
  /** The limit price; absent for a market order (checked at the touch). */
  price?: Decimal;
}

export interface CheckedOrder {
  mid: Decimal;
  /** The price the order is expected to trade at: its limit, or the touch it would take. */
  expectedPrice: Decimal;
  spec: InstrumentSpecV1;
}

/** Quote assets counted 1:1 against the notional limit; any other quote is valued at its USDT mid. */
const USD_QUOTES: ReadonlySet<string> = new Set(['USDT', 'USDC', 'USD', 'BUSD', 'FDUSD', 'DAI']);
/** Headroom on a market buy's expected cost: the book may move between the check and the fill. */
const MARKET_BUY_HEADROOM = new Decimal('1.01');

export function midOf(aggregate: AggregateV1): Decimal | undefined {
  const bid = aggregate.bestBid?.price;
  const ask = aggregate.bestAsk?.price;
  if (!bid || !ask) return undefined;
  return new Decimal(String(bid)).plus(String(ask)).div(2);
}

export async function instrumentSpec(
  step: StepContext,
  venue: string,
  instrument: string,
): Promise<InstrumentSpecV1 | undefined> {
  const { instruments } = await step.venue(venue, 'fetch-instruments', { v: 1 });
  return instruments.find((spec) => spec.symbol === instrument);
}

function onGrid(value: Decimal, step: string | null): boolean {
  return step === null || value.mod(step).isZero();
}

export async function checkOrder(
  step: StepContext,
  settings: VerbSettings,
  order: OrderToCheck,
): Promise<CheckedOrder> {
  const { venue, instrument, side, amount, price } = order;
  const spec = await instrumentSpec(step, venue, instrument);
  if (!spec || !spec.active)
    step.refuse('INSTRUMENT_NOT_TRADABLE', `${instrument} is not traded on ${venue} now`);
  if (!onGrid(amount, spec.lotSize))
    step.refuse(
      'OFF_GRID',
      `amount ${amount.toString()} is not a multiple of ${instrument}'s lot ${spec.lotSize}`,
    );
  if (price && !onGrid(price, spec.tickSize))
    step.refuse(
      'OFF_GRID',
      `price ${price.toString()} is not a multiple of ${instrument}'s tick ${spec.tickSize}`,
    );
  if (spec.minAmount !== null && amount.lt(spec.minAmount))
    step.refuse(
      'BELOW_MINIMUM',
      `amount ${amount.toString()} is below ${instrument}'s minimum ${spec.minAmount}`,
    );

  const aggregate = await step.aggregate(instrument);
  const mid = midOf(aggregate);
  if (!mid) step.refuse('NO_REFERENCE_PRICE', `no two-sided aggregated market for ${instrument}`);
  const touch = side === 'buy' ? aggregate.bestAsk?.price : aggregate.bestBid?.price;
  const expectedPrice = price ?? new Decimal(String(touch));
  if (price) {
    const bps = price.minus(mid).abs().div(mid).mul(10_000);
    if (bps.gt(settings.priceBandBps))
      step.refuse(
        'PRICE_OUTSIDE_BAND',
        `price ${price.toString()} is ${bps.toFixed(0)} bps from the mid ${mid.toFixed(8)}; the band is ${settings.priceBandBps} bps`,
      );
  }

  const notional = amount.mul(expectedPrice);
  if (spec.minNotional !== null && notional.lt(spec.minNotional))
    step.refuse(
      'BELOW_MINIMUM',
      `notional ${notional.toFixed(8)} is below ${instrument}'s minimum ${spec.minNotional}`,
    );
  const notionalUsd = USD_QUOTES.has(spec.quote)
    ? notional
    : notional.mul(await usdValueOf(step, spec.quote, instrument));
  if (notionalUsd.gt(settings.maxNotional))
    step.refuse(
      'MAX_NOTIONAL_EXCEEDED',
      `notional ${notionalUsd.toFixed(2)} exceeds the limit ${settings.maxNotional}`,
    );

  const { balances } = await step.venue(venue, 'fetch-balance', { v: 1 });
  const spends = side === 'buy' ? spec.quote : spec.base;
  const needed = side === 'buy' ? notional.mul(price ? 1 : MARKET_BUY_HEADROOM) : amount;
  const free = new Decimal(balances.find((b) => b.currency === spends)?.free ?? '0');
  if (free.lt(needed))
    step.refuse(
      'INSUFFICIENT_BALANCE',
      `${venue} holds ${free.toString()} ${spends} free; the order needs ${needed.toFixed(8)}`,
    );
  return { mid, expectedPrice, spec };
}

async function usdValueOf(step: StepContext, asset: string, instrument: string): Promise<Decimal> {
  let mid: Decimal | undefined;
  try {
    mid = midOf(await step.aggregate(`${asset}/USDT`));
  } catch {
    mid = undefined;
  }
  if (!mid) step.refuse('NO_REFERENCE_PRICE', `no ${asset}/USDT market to value ${instrument}'s notional`);
  return mid;
}
