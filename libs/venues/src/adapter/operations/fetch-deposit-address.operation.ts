import type { DepositAddress } from '../venue-types.js';

export interface FetchDepositAddressRequest {
  currency: string;
  network?: string;
}

export interface FetchDepositAddressOperation {
  fetchDepositAddress(request: FetchDepositAddressRequest): Promise<DepositAddress>;
}
