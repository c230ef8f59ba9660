import type { VenueDeposit } from '../venue-types.js';

export interface SimulateDepositRequest {
  currency: string;
  /** Decimal string > 0. */
  amount: string;
  /** One of the account's deposit addresses; default the currency's default one. */
  address?: string;
  network?: string;
}

/** Paper venues only: a deposit arriving from outside, `pending` until the venue confirms it. */
export interface SimulateDepositOperation {
  simulateDeposit?(request: SimulateDepositRequest): Promise<VenueDeposit>;
}
