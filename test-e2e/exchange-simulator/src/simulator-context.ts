import type { InstrumentSpec, PaperExchange } from '@tm/matching';

import { binanceErrors } from './binance-error.js';
import type { SymbolMap } from './binance-format.js';
import type { SimulatorAccount } from './simulator-options.js';

/** What the REST endpoints and streams share. */
export interface SimulatorContext {
  exchange: PaperExchange;
  symbols: SymbolMap;
  accounts: readonly SimulatorAccount[];
  /** Tells the user streams a balance moved outside an order (deposit, transfer). */
  balanceMoved(account: string, currency: string, delta: string): void;
  /** A fresh id for server-generated client ids (cancel ids, transfer ids). */
  nextId(): number;
}

/** The instrument a `symbol` parameter names, or -1121. */
export function instrumentOf(context: SimulatorContext, symbolId: string): InstrumentSpec {
  const spec = context.symbols.spec(symbolId);
  if (spec === undefined) throw binanceErrors.invalidSymbol();
  return spec;
}
