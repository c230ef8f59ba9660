// Key layout of the shared budget bucket: one counter per budget per second, one pause per venue account.
import { RateBudgetError } from './rate-budget.exception.js';

export type BudgetName = 'data' | 'execution';

/** A KV key token: the characters KV keys allow, without the dot that separates tokens. */
const TOKEN = /^[-/_=a-zA-Z0-9]+$/;

export function assertKeyToken(what: string, value: string): void {
  if (!TOKEN.test(value)) {
    throw new RateBudgetError('INVALID_TOKEN', `${what} "${value}" must match ${TOKEN.source}`);
  }
}

export function windowKey(venue: string, account: string, budget: BudgetName, epochSecond: number): string {
  return `${venue}.${account}.${budget}.${epochSecond}`;
}

export function pauseKey(venue: string, account: string): string {
  return `${venue}.${account}.pause`;
}
