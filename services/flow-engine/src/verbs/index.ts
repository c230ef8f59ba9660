import type { FlowVerbName } from '@tm/contracts';
import type { FlowVerb } from '../engine/flow-verb.js';
import { buyVerb } from './buy.verb.js';
import { cancelOrdersVerb } from './cancel-orders.verb.js';
import { convertVerb } from './convert.verb.js';
import { depositAddressVerb } from './deposit-address.verb.js';
import { repriceVerb } from './reprice.verb.js';
import { sellVerb } from './sell.verb.js';
import { transferVerb } from './transfer.verb.js';

/** Every verb the engine runs, by name: one file of steps each. */
export const VERBS: { [V in FlowVerbName]: FlowVerb<V> } = {
  buy: buyVerb,
  sell: sellVerb,
  'cancel-orders': cancelOrdersVerb,
  convert: convertVerb,
  reprice: repriceVerb,
  transfer: transferVerb,
  'deposit-address': depositAddressVerb,
};
