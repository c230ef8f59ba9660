import type { VenueDeposit } from '../venue-types.js';

export interface FetchDepositsRequest {
  currency?: string;
  /** Micros. */
  since?: number;
}

export interface FetchDepositsOperation {
  fetchDeposits(request: FetchDepositsRequest): Promise<VenueDeposit[]>;
}
