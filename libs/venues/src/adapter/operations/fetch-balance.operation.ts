import type { BalanceSnapshot } from '../venue-types.js';

export type FetchBalanceRequest = Record<string, never>;

export interface FetchBalanceOperation {
  fetchBalance(): Promise<BalanceSnapshot>;
}
