import type { TransferResult } from '../venue-types.js';

export interface TransferRequest {
  currency: string;
  amount: string;
  /** Account ids at the venue (sub-account ids or emails, or the venue's wallet types). */
  fromAccount: string;
  toAccount: string;
}

export interface TransferOperation {
  transfer(request: TransferRequest): Promise<TransferResult>;
}
