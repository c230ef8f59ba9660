import type { FlowVerbInput, FlowVerbName } from '@tm/contracts';
import type { FlowContext, JsonObject } from './flow-context.js';

/** What a verb needs of the engine's configuration (pre-trade limits, whitelists, timings). */
export interface VerbSettings {
  /** Largest order notional in USD (USD-stablecoin quotes 1:1, others at their <quote>/USDT mid). */
  maxNotional: string;
  /** How far a limit price may sit from the aggregated mid, basis points. */
  priceBandBps: number;
  /** Destinations each source account may transfer to, keyed `<venue>/<account>`. */
  transferWhitelist: Readonly<Record<string, readonly string[]>>;
  /** Venues whose amend keeps the order's queue position (reprice amends there, cancel-replaces elsewhere). */
  amendInPlaceVenues: readonly string[];
  /** How often a waiting step asks the venue for an order's state when no event has come. */
  orderPollMs: number;
}

/** One verb: its steps, in one file under verbs/. `run` returns the flow's result. */
export interface FlowVerb<V extends FlowVerbName = FlowVerbName> {
  readonly name: V;
  run(flow: FlowContext<FlowVerbInput<V>>, settings: VerbSettings): Promise<JsonObject>;
}
