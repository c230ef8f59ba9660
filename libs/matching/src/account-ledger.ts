// Balances per (account, currency) as free + locked, deposits (credits at once, or incoming ones credited
// when confirmed) and transfers between accounts.
import { Dec, ZERO, parsePositive, str } from './decimal.js';
import { defaultNetwork, depositAddressFor, deterministicHex } from './deposit-address.js';
import { ExchangeRejection } from './exchange-rejection.js';
import type {
  Balance,
  Deposit,
  DepositAddress,
  DepositStatus,
  IncomingDeposit,
  Transfer,
} from './exchange-types.js';

export interface BalanceEntry {
  readonly account: string;
  readonly currency: string;
  free: Dec;
  locked: Dec;
}

export class AccountLedger {
  private readonly accounts = new Map<string, Map<string, BalanceEntry>>();
  private readonly depositLog = new Map<string, Deposit[]>();
  /** Incoming deposits not credited yet, with their parsed amount. */
  private pending: { deposit: Deposit; value: Dec }[] = [];
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

  /** A deposit credited at once (starting balances, top-ups). */
  credit(account: string, currency: string, amount: string, time: number): Deposit {
    const value = parsePositive(amount, 'amount');
    const entry = this.entry(account, currency);
    entry.free = entry.free.add(value);
    const where = this.depositAddress(account, currency);
    return { ...this.record(account, currency, value, where, 'ok', time, time) };
  }

  /**
   * A deposit arriving at one of the account's addresses: recorded `pending` and credited by
   * settleDeposits once `confirmAt` has come. An address that is not the account's is refused.
   */
  receive(
    account: string,
    currency: string,
    amount: string,
    to: IncomingDeposit,
    time: number,
    confirmAt: number,
  ): Deposit {
    const value = parsePositive(amount, 'amount');
    const where = this.depositAddress(account, currency, to.network);
    if (to.address !== undefined && to.address !== where.address) {
      throw new ExchangeRejection(
        'INVALID_ORDER',
        `${to.address} is not account ${account}'s ${currency} deposit address on ${where.network}`,
        'address',
      );
    }
    const deposit = this.record(account, currency, value, where, 'pending', time, confirmAt);
    this.pending.push({ deposit, value });
    if (confirmAt <= time) this.settleDeposits(time);
    return { ...deposit };
  }

  /** Credits every pending deposit confirmed by `now`, once; cheap when none is pending. */
  settleDeposits(now: number): void {
    if (this.pending.length === 0) return;
    const waiting: { deposit: Deposit; value: Dec }[] = [];
    for (const item of this.pending) {
      if (item.deposit.confirmAt > now) {
        waiting.push(item);
        continue;
      }
      const entry = this.entry(item.deposit.account, item.deposit.currency);
      entry.free = entry.free.add(item.value);
      item.deposit.status = 'ok';
    }
    this.pending = waiting;
  }

  /** The account's deposits, oldest first; copies, so a later confirmation does not change them. */
  deposits(account: string, currency?: string): Deposit[] {
    const log = this.depositLog.get(account) ?? [];
    return log.filter((d) => currency === undefined || d.currency === currency).map((d) => ({ ...d }));
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

  private record(
    account: string,
    currency: string,
    value: Dec,
    where: DepositAddress,
    status: DepositStatus,
    time: number,
    confirmAt: number,
  ): Deposit {
    this.depositSeq += 1;
    const depositId = `d-${this.depositSeq}`;
    const deposit: Deposit = {
      depositId,
      account,
      currency,
      amount: str(value),
      address: where.address,
      network: where.network,
      txId: `0x${deterministicHex('deposit', depositId, account, currency)}`,
      status,
      time,
      confirmAt,
    };
    let log = this.depositLog.get(account);
    if (log === undefined) {
      log = [];
      this.depositLog.set(account, log);
    }
    log.push(deposit);
    return deposit;
  }
}

function insufficient(entry: BalanceEntry, amount: Dec): ExchangeRejection {
  return new ExchangeRejection(
    'INSUFFICIENT_FUNDS',
    `account ${entry.account} has ${str(entry.free)} ${entry.currency} free, needs ${str(amount)}`,
  );
}
