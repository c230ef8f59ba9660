// An instrument's trading rules (tick, lot, notional) and their fast checks.
import { Dec, parsePositive } from './decimal.js';
import { ExchangeRejection } from './exchange-rejection.js';

export interface InstrumentSpec {
  /** Unified 'BTC/USDT'. */
  symbol: string;
  base: string;
  quote: string;
  /** Price increment '0.01'. */
  tickSize: string;
  /** Amount increment '0.00001'. */
  lotSize: string;
  /** Minimum price*amount for limit orders, '5'. */
  minNotional: string;
}

/** The parsed rules; a step that is a power of ten is checked by counting decimals (no division). */
export interface InstrumentRules {
  spec: InstrumentSpec;
  tick: Dec;
  lot: Dec;
  minNotional: Dec;
  tickDecimals: number | null;
  lotDecimals: number | null;
}

export function compileInstrument(spec: InstrumentSpec): InstrumentRules {
  const tick = parsePositive(spec.tickSize, 'tickSize');
  const lot = parsePositive(spec.lotSize, 'lotSize');
  return {
    spec: { ...spec },
    tick,
    lot,
    minNotional: new Dec(spec.minNotional),
    tickDecimals: powerOfTenDecimals(tick),
    lotDecimals: powerOfTenDecimals(lot),
  };
}

function powerOfTenDecimals(step: Dec): number | null {
  // For 10^-k (k >= 0) the count of decimals is the whole test.
  return step.e <= 0 && Dec.pow(10, step.e).eq(step) ? -step.e : null;
}

export function isMultipleOf(value: Dec, step: Dec, decimals: number | null): boolean {
  if (decimals !== null) return value.decimalPlaces() <= decimals;
  return value.mod(step).isZero();
}

export function requireTick(rules: InstrumentRules, price: Dec): void {
  if (!isMultipleOf(price, rules.tick, rules.tickDecimals)) {
    throw new ExchangeRejection(
      'INVALID_ORDER',
      `price ${price.toString()} is not a multiple of tickSize ${rules.spec.tickSize}`,
      'price',
    );
  }
}

export function requireLot(rules: InstrumentRules, amount: Dec): void {
  if (!isMultipleOf(amount, rules.lot, rules.lotDecimals)) {
    throw new ExchangeRejection(
      'INVALID_ORDER',
      `amount ${amount.toString()} is not a multiple of lotSize ${rules.spec.lotSize}`,
      'amount',
    );
  }
}

/** Largest multiple of the lot not above value. */
export function floorToLot(rules: InstrumentRules, value: Dec): Dec {
  return value.div(rules.lot).floor().mul(rules.lot);
}
