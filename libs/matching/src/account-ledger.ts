// Balances per (account, currency) as free + locked, deposits (credits) and transfers between accounts.
import { Dec, ZERO, parsePositive, str } from './decimal.js';
import { defaultNetwork, depositAddressFor, deterministicHex } from './deposit-address.js';
import { ExchangeRejection } from './exchange-rejection.js';
import type { Balance, Deposit, DepositAddress, Transfer } from './exchange-types.js';

export interface BalanceEntry {
  readonly account: string;
  readonly currency: string;
  free: Dec;
  locked: Dec;
}

export class AccountLedger {
  private readonly accounts = new Map<string, Map<string, BalanceEntry>>();
  private readonly depositLog = new Map<string, Deposit[]>();
  private depositSeq = 0;
  private transferSeq = 0;

  /** The entry for (account, currency), created at zero on first use. */
  entry(account: string, currency: string): BalanceEntry {
    let currencies = this.accounts.get(account);
    if (currencies === undefined) {
      currencies = new Map();
      this.accounts.set(account, currencies);
    }
    let entry = currencies.get(currency);
    if (entry === undefined) {
      entry = { account, currency, free: ZERO, locked: ZERO };
      currencies.set(currency, entry);
    }
    return entry;
  }

  balances(account: string): Balance[] {
    const currencies = this.accounts.get(account);
    if (currencies === undefined) return [];
    return [...currencies.values()].map((e) => ({
      currency: e.currency,
      free: str(e.free),
      locked: str(e.locked),
    }));
  }

  accountIds(): string[] {
    return [...this.accounts.keys()];
  }

  /** Moves amount from free to locked; INSUFFICIENT_FUNDS when free is short. */
  lock(entry: BalanceEntry, amount: Dec): void {
    if (entry.free.lt(amount)) throw insufficient(entry, amount);
    entry.free = entry.free.sub(amount);
    entry.locked = entry.locked.add(amount);
  }

  unlock(entry: BalanceEntry, amount: Dec): void {
    if (amount.isZero()) return;
    entry.locked = entry.locked.sub(amount);
    entry.free = entry.free.add(amount);
  }

  requireFree(entry: BalanceEntry, amount: Dec): void {
    if (entry.free.lt(amount)) throw insufficient(entry, amount);
  }

  credit(account: string, currency: string, amount: string, time: number): Deposit {
    const value = parsePositive(amount, 'amount');
    const entry = this.entry(account, currency);
    entry.free = entry.free.add(value);
    this.depositSeq += 1;
    const depositId = `d-${this.depositSeq}`;
    const where = this.depositAddress(account, currency);
    const deposit: Deposit = {
      depositId,
      account,
      currency,
      amount: str(value),
      address: where.address,
      network: where.network,
      txId: `0x${deterministicHex('deposit', depositId, account, currency)}`,
      time,
    };
    let log = this.depositLog.get(account);
    if (log === undefined) {
      log = [];
      this.depositLog.set(account, log);
    }
    log.push(deposit);
    return deposit;
  }

  deposits(account: string, currency?: string): Deposit[] {
    const log = this.depositLog.get(account) ?? [];
    return currency === undefined ? [...log] : log.filter((d) => d.currency === currency);
  }

  depositAddress(account: string, currency: string, network?: string): DepositAddress {
    return depositAddressFor(account, currency, network ?? defaultNetwork(currency));
  }

  transfer(from: string, to: string, currency: string, amount: string, time: number): Transfer {
    const value = parsePositive(amount, 'amount');
    const source = this.entry(from, currency);
    this.requireFree(source, value);
    const target = this.entry(to, currency);
    source.free = source.free.sub(value);
    target.free = target.free.add(value);
    this.transferSeq += 1;
    return { transferId: `t-${this.transferSeq}`, from, to, currency, amount: str(value), time };
  }
}

function insufficient(entry: BalanceEntry, amount: Dec): ExchangeRejection {
  return new ExchangeRejection(
    'INSUFFICIENT_FUNDS',
    `account ${entry.account} has ${str(entry.free)} ${entry.currency} free, needs ${str(amount)}`,
  );
}
