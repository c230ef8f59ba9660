import type { FlowVerb } from '../engine/flow-verb.js';
import { executeTrade } from './trade-execution.js';

/** buy: check, then a market, limit (maker-only if asked) or TWAP order for `amount` of the base. */
export const buyVerb: FlowVerb<'buy'> = {
  name: 'buy',
  run: (flow, settings) => executeTrade(flow, settings, 'buy', flow.input, flow.input.amount),
};
