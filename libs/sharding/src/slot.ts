// The one slot function of the platform: slot(key) = (XXH32(utf8(key), seed 0) mod 32767) + 1.
// tm_slot (tm-slot.migration.ts) is the same formula in SQL; test/slot-vectors.json proves they agree.
import { SlotOutOfRangeError } from './sharding.error.js';
import { xxh32 } from './xxh32.js';

export const SLOT_COUNT = 32767;

export function slot(key: string): number {
  return (xxh32(key, 0) % SLOT_COUNT) + 1;
}

/** Market data meets per canonical instrument (ccxt's unified symbol, e.g. "BTC/USDT"). */
export function instrumentSlot(symbol: string): number {
  return slot(symbol);
}

/** Orders, balances and flows of one account share a slot, so they are processed in order. */
export function accountSlot(accountId: string): number {
  return slot(`acct:${accountId}`);
}

export function isValidSlot(n: unknown): n is number {
  return Number.isInteger(n) && (n as number) >= 1 && (n as number) <= SLOT_COUNT;
}

export function assertSlot(n: number): void {
  if (!isValidSlot(n)) throw new SlotOutOfRangeError(n);
}
