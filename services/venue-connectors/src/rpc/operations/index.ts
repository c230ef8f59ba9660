import type { VenueOp } from '@tm/contracts';
import { cancelOrder } from './cancel-order.handler.js';
import { createOrder } from './create-order.handler.js';
import { editOrder } from './edit-order.handler.js';
import { fetchBalance } from './fetch-balance.handler.js';
import { fetchDepositAddress } from './fetch-deposit-address.handler.js';
import { fetchDeposits } from './fetch-deposits.handler.js';
import { fetchInstruments } from './fetch-instruments.handler.js';
import { fetchMyTrades } from './fetch-my-trades.handler.js';
import { fetchOpenOrders } from './fetch-open-orders.handler.js';
import { fetchOrder } from './fetch-order.handler.js';
import { fetchPositions } from './fetch-positions.handler.js';
import { simulateDeposit } from './simulate-deposit.handler.js';
import { status } from './status.handler.js';
import { transfer } from './transfer.handler.js';
import type { VenueRpcHandler } from './venue-rpc-handler.js';

/** Every venue RPC op and its handler; the type makes a missing op a compile error. */
export const VENUE_RPC_HANDLERS: { [O in VenueOp]: VenueRpcHandler<O> } = {
  'create-order': createOrder,
  'cancel-order': cancelOrder,
  'edit-order': editOrder,
  'fetch-order': fetchOrder,
  'fetch-open-orders': fetchOpenOrders,
  'fetch-my-trades': fetchMyTrades,
  'fetch-balance': fetchBalance,
  'fetch-positions': fetchPositions,
  transfer,
  'fetch-deposit-address': fetchDepositAddress,
  'fetch-deposits': fetchDeposits,
  'fetch-instruments': fetchInstruments,
  'simulate-deposit': simulateDeposit,
  status,
};
