// The paper exchange: validates and locks, matches with price-time priority, settles fills and fees,
// keeps orders and trades, and emits order, trade and depth events. Synchronous and deterministic.
import { AccountLedger, type BalanceEntry } from './account-ledger.js';
import { Dec, ZERO, parseAmount, parsePositive, str } from './decimal.js';
import { EventDispatcher } from './event-dispatcher.js';
import { ExchangeRejection } from './exchange-rejection.js';
import type {
  AccountTradesQuery,
  Balance,
  Deposit,
  DepositAddress,
  DepthLevel,
  DepthSnapshot,
  ExchangeEvents,
  ExchangeFill,
  ExchangeOrder,
  IncomingDeposit,
  OrderRef,
  OrderRequest,
  PaperExchangeOptions,
  PlaceResult,
  PublicTrade,
  Side,
  Ticker,
  TimeInForce,
  Transfer,
} from './exchange-types.js';
import {
  type InstrumentRules,
  type InstrumentSpec,
  compileInstrument,
  floorToLot,
  requireLot,
  requireTick,
} from './instrument-spec.js';
import { type BookSide, OrderBook, type PriceLevel, type Unlinked } from './order-book.js';
import { type OrderState, orderView } from './order-state.js';
import { OrderStore } from './order-store.js';
import { TradeHistory } from './trade-history.js';

/** The account that collects trading fees, so balances are conserved exactly. */
export const FEE_ACCOUNT = '__fees__';

const TIME_IN_FORCE: readonly TimeInForce[] = ['GTC', 'IOC', 'FOK', 'PO'];

interface Venue {
  rules: InstrumentRules;
  book: OrderBook;
}

/** A validated request, nothing changed yet. */
interface ParsedRequest {
  side: Side;
  type: 'limit' | 'market';
  timeInForce: TimeInForce;
  price: Dec | null;
  amount: Dec | null;
  quoteAmount: Dec | null;
  clientOrderId: string | undefined;
}

interface CancelUndo {
  order: OrderState;
  unlinked: Unlinked | null;
  locked: Dec;
  status: OrderState['status'];
  updatedAt: number;
}

export class PaperExchange {
  events: ExchangeEvents;

  private readonly venues = new Map<string, Venue>();
  private readonly clock: () => number;
  private readonly makerFeeRate: Dec;
  private readonly takerFeeRate: Dec;
  /** Micros an incoming deposit stays pending. */
  private readonly depositConfirmation: number;
  private readonly ledger = new AccountLedger();
  private readonly orders: OrderStore;
  private readonly history: TradeHistory;
  private readonly dispatcher: EventDispatcher;
  private nextOrderId = 1;
  private nextTradeId = 1;
  /** Engine operation counter (depth bookkeeping) and its time. */
  private operation = 0;
  private now = 0;

  constructor(options: PaperExchangeOptions) {
    for (const spec of options.instruments) {
      this.venues.set(spec.symbol, { rules: compileInstrument(spec), book: new OrderBook(spec.symbol) });
    }
    this.clock = options.clock ?? (() => Date.now() * 1000);
    this.makerFeeRate = parseAmount(options.makerFeeRate ?? '0', 'makerFeeRate');
    this.takerFeeRate = parseAmount(options.takerFeeRate ?? '0', 'takerFeeRate');
    const confirmationMs = options.depositConfirmationMs ?? 2_000;
    if (!Number.isFinite(confirmationMs) || confirmationMs < 0)
      throw new RangeError(`depositConfirmationMs must be a number ≥ 0, got ${confirmationMs}`);
    this.depositConfirmation = Math.round(confirmationMs * 1_000);
    this.events = options.events ?? {};
    this.orders = new OrderStore(options.maxClosedOrders ?? 100_000);
    this.history = new TradeHistory(options.maxAccountTrades ?? 100_000);
    const onError =
      options.onEventError ??
      ((error: unknown) =>
        queueMicrotask(() => {
          throw error;
        }));
    this.dispatcher = new EventDispatcher(() => this.events, onError);
  }

  instruments(): InstrumentSpec[] {
    return [...this.venues.values()].map((v) => ({ ...v.rules.spec }));
  }

  // ---- accounts ----------------------------------------------------------------------------------

  /** Credits the account at once: a deposit recorded `ok` (starting balances, top-ups). */
  credit(account: string, currency: string, amount: string): Deposit {
    return this.ledger.credit(account, currency, amount, this.clock());
  }

  /**
   * A deposit arriving from outside at one of the account's deposit addresses: `pending`, and credited
   * once depositConfirmationMs has passed on the exchange's clock (seen by the next read or order).
   */
  receiveDeposit(account: string, currency: string, amount: string, to: IncomingDeposit = {}): Deposit {
    const now = this.clock();
    return this.ledger.receive(account, currency, amount, to, now, now + this.depositConfirmation);
  }

  balances(account: string): Balance[] {
    this.ledger.settleDeposits(this.clock());
    return this.ledger.balances(account);
  }

  transfer(from: string, to: string, currency: string, amount: string): Transfer {
    const now = this.clock();
    this.ledger.settleDeposits(now);
    return this.ledger.transfer(from, to, currency, amount, now);
  }

  depositAddress(account: string, currency: string, network?: string): DepositAddress {
    return this.ledger.depositAddress(account, currency, network);
  }

  deposits(account: string, currency?: string): Deposit[] {
    this.ledger.settleDeposits(this.clock());
    return this.ledger.deposits(account, currency);
  }

  // ---- orders ------------------------------------------------------------------------------------

  placeOrder(account: string, request: OrderRequest): PlaceResult {
    const venue = this.venue(request.instrument);
    const mark = this.begin();
    try {
      const result = this.place(account, request, venue);
      this.commit(venue.book);
      return result;
    } catch (error) {
      this.abort(venue.book, mark);
      throw error;
    }
  }

  cancelOrder(account: string, instrument: string, ref: OrderRef): ExchangeOrder {
    const venue = this.venue(instrument);
    const mark = this.begin();
    try {
      const order = this.orders.find(account, instrument, ref, true);
      this.cancel(venue.book, order);
      this.commit(venue.book);
      return orderView(order);
    } catch (error) {
      this.abort(venue.book, mark);
      throw error;
    }
  }

  /** Cancels ref and places request as one operation: if either is refused, nothing changes. */
  cancelReplace(
    account: string,
    ref: OrderRef,
    request: OrderRequest,
  ): { canceled: ExchangeOrder; placed: PlaceResult } {
    const venue = this.venue(request.instrument);
    const mark = this.begin();
    let undo: CancelUndo | undefined;
    try {
      const order = this.orders.find(account, request.instrument, ref, true);
      undo = this.cancel(venue.book, order);
      const canceled = orderView(order);
      const placed = this.place(account, request, venue);
      this.commit(venue.book);
      return { canceled, placed };
    } catch (error) {
      // place() refuses before changing anything, so undoing the cancel restores the state exactly.
      if (undo !== undefined) this.undoCancel(venue.book, undo);
      this.abort(venue.book, mark);
      throw error;
    }
  }

  getOrder(account: string, instrument: string, ref: OrderRef): ExchangeOrder {
    this.venue(instrument);
    return orderView(this.orders.find(account, instrument, ref, false));
  }

  openOrders(account: string, instrument?: string): ExchangeOrder[] {
    if (instrument !== undefined) this.venue(instrument);
    const out: OrderState[] = [];
    for (const order of this.orders.openOrders(account)) {
      if (instrument === undefined || order.instrument === instrument) out.push(order);
    }
    return out.sort((a, b) => a.orderId - b.orderId).map(orderView);
  }

  accountTrades(account: string, query: AccountTradesQuery): ExchangeFill[] {
    this.venue(query.instrument);
    return this.history.accountTrades(account, query);
  }

  publicTrades(instrument: string, limit?: number): PublicTrade[] {
    this.venue(instrument);
    return this.history.publicTrades(instrument, limit);
  }

  depth(instrument: string, limit = 100): DepthSnapshot {
    const { book } = this.venue(instrument);
    return {
      instrument,
      updateId: book.updateId,
      bids: topLevels(book.bids, limit),
      asks: topLevels(book.asks, limit),
    };
  }

  ticker(instrument: string): Ticker {
    const { book } = this.venue(instrument);
    const now = this.clock();
    const bid = book.bids.best();
    const ask = book.asks.best();
    return {
      bid: bid?.key ?? null,
      bidSize: bid ? str(bid.amount) : '0',
      ask: ask?.key ?? null,
      askSize: ask ? str(ask.amount) : '0',
      ...this.history.stats(instrument, now),
      time: now,
    };
  }

  // ---- the engine --------------------------------------------------------------------------------

  private venue(instrument: string): Venue {
    const venue = this.venues.get(instrument);
    if (venue === undefined) {
      throw new ExchangeRejection(
        'UNKNOWN_INSTRUMENT',
        `unknown instrument ${String(instrument)}`,
        'instrument',
      );
    }
    return venue;
  }

  private begin(): number {
    this.operation += 1;
    this.now = this.clock();
    // Deposits confirmed by now are spendable by this operation.
    this.ledger.settleDeposits(this.now);
    return this.dispatcher.mark();
  }

  private abort(book: OrderBook, mark: number): void {
    book.touched.length = 0;
    this.dispatcher.truncate(mark);
  }

  /** Emits the operation's depth changes (one update id per operation that changed the book). */
  private commit(book: OrderBook): void {
    if (book.touched.length > 0) this.emitDepth(book);
    this.dispatcher.flush();
  }

  private emitDepth(book: OrderBook): void {
    const touched = book.touched;
    book.touched = [];
    // A level removed and re-created in one operation shows up as two objects with one key.
    const changes = new Map<string, { side: Side; key: string; before: Dec; after: PriceLevel }>();
    for (const level of touched) {
      const id = level.side === 'buy' ? `b${level.key}` : `a${level.key}`;
      const seen = changes.get(id);
      if (seen) seen.after = level;
      else changes.set(id, { side: level.side, key: level.key, before: level.amountBefore, after: level });
    }
    const bids: DepthLevel[] = [];
    const asks: DepthLevel[] = [];
    for (const change of changes.values()) {
      const after = change.after.head === null ? ZERO : change.after.amount;
      if (after.eq(change.before)) continue;
      (change.side === 'buy' ? bids : asks).push({ price: change.key, amount: str(after) });
    }
    if (bids.length === 0 && asks.length === 0) return;
    book.updateId += 1;
    if (this.events.onDepthUpdate) {
      this.dispatcher.push({
        kind: 'depth',
        update: {
          instrument: book.instrument,
          firstUpdateId: book.updateId,
          lastUpdateId: book.updateId,
          bids,
          asks,
          time: this.now,
        },
      });
    }
  }

  private parse(account: string, request: OrderRequest, rules: InstrumentRules): ParsedRequest {
    const { side, type } = request;
    if (side !== 'buy' && side !== 'sell') {
      throw new ExchangeRejection('INVALID_ORDER', `side must be buy or sell`, 'side');
    }
    const clientOrderId = request.clientOrderId;
    if (clientOrderId !== undefined) {
      if (typeof clientOrderId !== 'string' || clientOrderId.length === 0) {
        throw new ExchangeRejection(
          'INVALID_ORDER',
          'clientOrderId must be a non-empty string',
          'clientOrderId',
        );
      }
    }
    let parsed: ParsedRequest;
    if (type === 'limit') {
      const timeInForce = request.timeInForce ?? 'GTC';
      if (!TIME_IN_FORCE.includes(timeInForce)) {
        throw new ExchangeRejection(
          'INVALID_ORDER',
          `unknown timeInForce ${String(timeInForce)}`,
          'timeInForce',
        );
      }
      if (request.quoteAmount !== undefined) {
        throw new ExchangeRejection('INVALID_ORDER', 'quoteAmount is for market orders only', 'quoteAmount');
      }
      const price = parsePositive(request.price, 'price');
      requireTick(rules, price);
      const amount = parsePositive(request.amount, 'amount');
      requireLot(rules, amount);
      if (price.mul(amount).lt(rules.minNotional)) {
        throw new ExchangeRejection(
          'INVALID_ORDER',
          `notional ${str(price.mul(amount))} is below minNotional ${rules.spec.minNotional}`,
          'notional',
        );
      }
      parsed = { side, type, timeInForce, price, amount, quoteAmount: null, clientOrderId };
    } else if (type === 'market') {
      let amount: Dec | null = null;
      let quoteAmount: Dec | null = null;
      if (request.amount !== undefined) {
        if (request.quoteAmount !== undefined) {
          throw new ExchangeRejection('INVALID_ORDER', 'give amount or quoteAmount, not both', 'quoteAmount');
        }
        amount = parsePositive(request.amount, 'amount');
        requireLot(rules, amount);
      } else {
        if (request.quoteAmount === undefined) {
          throw new ExchangeRejection('INVALID_ORDER', 'amount or quoteAmount is required', 'amount');
        }
        quoteAmount = parsePositive(request.quoteAmount, 'quoteAmount');
      }
      parsed = { side, type, timeInForce: 'IOC', price: null, amount, quoteAmount, clientOrderId };
    } else {
      throw new ExchangeRejection('INVALID_ORDER', `type must be limit or market`, 'type');
    }
    if (clientOrderId !== undefined && this.orders.hasOpenClientId(account, clientOrderId)) {
      throw new ExchangeRejection(
        'DUPLICATE_CLIENT_ORDER_ID',
        `clientOrderId ${clientOrderId} is already used by an open order`,
        'clientOrderId',
      );
    }
    return parsed;
  }

  /** Everything that can refuse happens before the first change. */
  private place(account: string, request: OrderRequest, venue: Venue): PlaceResult {
    const { rules, book } = venue;
    const parsed = this.parse(account, request, rules);
    const buy = parsed.side === 'buy';
    const quoteEntry = this.ledger.entry(account, rules.spec.quote);
    const baseEntry = this.ledger.entry(account, rules.spec.base);
    const payEntry = buy ? quoteEntry : baseEntry;
    const opposite = book.opposite(parsed.side);

    let lock: Dec;
    let target: Dec; // how much to match now
    let amount: Dec;
    let expireUnfilled = false; // FOK that cannot fill completely
    if (parsed.type === 'limit') {
      const price = parsed.price as Dec;
      amount = parsed.amount as Dec;
      target = amount;
      const best = opposite.best();
      if (parsed.timeInForce === 'PO' && best !== undefined && crosses(parsed.side, price, best.price)) {
        throw new ExchangeRejection(
          'POST_ONLY_WOULD_CROSS',
          `post-only order would cross at ${best.key}`,
          'price',
        );
      }
      lock = buy ? price.mul(amount) : amount;
      this.ledger.requireFree(payEntry, lock);
      if (
        parsed.timeInForce === 'FOK' &&
        walk(opposite, parsed.side, price, amount, null, rules).amount.lt(amount)
      ) {
        expireUnfilled = true;
        lock = ZERO;
      }
    } else {
      const walked = walk(opposite, parsed.side, null, parsed.amount, parsed.quoteAmount, rules);
      if (buy) this.ledger.requireFree(payEntry, parsed.quoteAmount ?? walked.quote);
      else this.ledger.requireFree(payEntry, parsed.amount ?? walked.amount);
      lock = buy ? walked.quote : walked.amount;
      target = walked.amount;
      amount = parsed.amount ?? walked.amount;
    }

    // ---- from here on nothing refuses ----
    this.ledger.lock(payEntry, lock);
    const orderId = this.nextOrderId;
    this.nextOrderId += 1;
    const order: OrderState = {
      orderId,
      clientOrderId: parsed.clientOrderId ?? `x-${orderId}`,
      account,
      instrument: rules.spec.symbol,
      side: parsed.side,
      type: parsed.type,
      timeInForce: parsed.timeInForce,
      price: parsed.price,
      priceText: parsed.price === null ? null : str(parsed.price),
      amount,
      filled: ZERO,
      quoteFilled: ZERO,
      remaining: amount,
      status: 'NEW',
      createdAt: this.now,
      updatedAt: this.now,
      locked: lock,
      payEntry,
      receiveEntry: buy ? baseEntry : quoteEntry,
      level: null,
      prev: null,
      next: null,
    };
    this.orders.add(order);
    this.emitOrder(order, undefined);

    const fills: ExchangeFill[] = [];
    if (!expireUnfilled && target.gt(0)) this.match(book, order, target, fills);

    if (order.remaining.isZero()) {
      if (order.status === 'FILLED') this.finish(order, 'FILLED', false);
      else this.finish(order, 'EXPIRED', true); // zero-amount market order (empty book)
    } else if (parsed.type === 'limit' && (parsed.timeInForce === 'GTC' || parsed.timeInForce === 'PO')) {
      book.rest(order, order.price as Dec, order.priceText as string, this.operation);
    } else {
      this.finish(order, 'EXPIRED', true);
    }
    return { order: orderView(order), fills };
  }

  private match(book: OrderBook, taker: OrderState, target: Dec, fills: ExchangeFill[]): void {
    const opposite = book.opposite(taker.side);
    let want = target;
    while (want.gt(0)) {
      const level = opposite.best();
      if (level === undefined) break;
      if (taker.price !== null && !crosses(taker.side, taker.price, level.price)) break;
      let maker = level.head;
      while (maker !== null && want.gt(0)) {
        const next = maker.next;
        const amount = want.lt(maker.remaining) ? want : maker.remaining;
        fills.push(this.execute(book, taker, maker, level, amount));
        want = want.sub(amount);
        maker = next;
      }
    }
  }

  /** One match at the maker's price; returns the taker's fill. */
  private execute(
    book: OrderBook,
    taker: OrderState,
    maker: OrderState,
    level: PriceLevel,
    amount: Dec,
  ): ExchangeFill {
    const quote = level.price.mul(amount);
    const tradeId = this.nextTradeId;
    this.nextTradeId += 1;
    book.reduce(maker, amount, this.operation);
    const makerFill = this.settle(maker, level, amount, quote, tradeId, 'maker');
    const takerFill = this.settle(taker, level, amount, quote, tradeId, 'taker');
    if (maker.remaining.isZero()) {
      book.unlink(maker, this.operation);
      this.finish(maker, 'FILLED', false);
    }
    this.emitOrder(maker, makerFill);
    this.emitOrder(taker, takerFill);
    const trade: PublicTrade = {
      tradeId,
      instrument: book.instrument,
      price: level.key,
      amount: makerFill.amount,
      takerSide: taker.side,
      time: this.now,
    };
    this.history.addPublicTrade(trade);
    if (this.events.onPublicTrade) this.dispatcher.push({ kind: 'trade', trade });
    return takerFill;
  }

  private settle(
    order: OrderState,
    level: PriceLevel,
    amount: Dec,
    quote: Dec,
    tradeId: number,
    liquidity: 'maker' | 'taker',
  ): ExchangeFill {
    order.filled = order.filled.add(amount);
    order.remaining = order.remaining.sub(amount);
    order.quoteFilled = order.quoteFilled.add(quote);
    order.updatedAt = this.now;
    order.status = order.remaining.isZero() ? 'FILLED' : 'PARTIALLY_FILLED';
    const pay = order.payEntry;
    let received: Dec;
    if (order.side === 'buy') {
      // A limit buy locked its own price; a better maker price hands the difference back.
      const release = order.price === null ? quote : order.price.mul(amount);
      pay.locked = pay.locked.sub(release);
      order.locked = order.locked.sub(release);
      if (!release.eq(quote)) pay.free = pay.free.add(release.sub(quote));
      received = amount;
    } else {
      pay.locked = pay.locked.sub(amount);
      order.locked = order.locked.sub(amount);
      received = quote;
    }
    const rate = liquidity === 'maker' ? this.makerFeeRate : this.takerFeeRate;
    const receive = order.receiveEntry;
    const fee = rate.isZero() ? ZERO : received.mul(rate);
    receive.free = receive.free.add(received.sub(fee));
    if (!fee.isZero()) this.feeEntry(receive).free = this.feeEntry(receive).free.add(fee);
    const fill: ExchangeFill = {
      tradeId,
      orderId: order.orderId,
      clientOrderId: order.clientOrderId,
      account: order.account,
      instrument: order.instrument,
      side: order.side,
      price: level.key,
      amount: str(amount),
      quoteAmount: str(quote),
      fee: str(fee),
      feeCurrency: receive.currency,
      liquidity,
      time: this.now,
    };
    this.history.addFill(fill);
    return fill;
  }

  private feeEntry(receive: BalanceEntry): BalanceEntry {
    return this.ledger.entry(FEE_ACCOUNT, receive.currency);
  }

  private cancel(book: OrderBook, order: OrderState): CancelUndo {
    const undo: CancelUndo = {
      order,
      unlinked: null,
      locked: order.locked,
      status: order.status,
      updatedAt: order.updatedAt,
    };
    undo.unlinked = book.unlink(order, this.operation);
    this.finish(order, 'CANCELED', true);
    return undo;
  }

  private undoCancel(book: OrderBook, undo: CancelUndo): void {
    const { order } = undo;
    if (undo.unlinked !== null) book.relink(undo.unlinked);
    this.ledger.lock(order.payEntry, undo.locked);
    order.locked = undo.locked;
    order.status = undo.status;
    order.updatedAt = undo.updatedAt;
    this.orders.reopened(order);
  }

  /** Final status: releases what the order still holds and drops it from the open indexes. */
  private finish(order: OrderState, status: 'FILLED' | 'CANCELED' | 'EXPIRED', emit: boolean): void {
    this.ledger.unlock(order.payEntry, order.locked);
    order.locked = ZERO;
    order.status = status;
    order.updatedAt = this.now;
    this.orders.closed(order);
    if (emit) this.emitOrder(order, undefined);
  }

  private emitOrder(order: OrderState, fill: ExchangeFill | undefined): void {
    if (this.events.onOrderUpdate) this.dispatcher.push({ kind: 'order', order: orderView(order), fill });
  }
}

function crosses(side: Side, limit: Dec, makerPrice: Dec): boolean {
  return side === 'buy' ? limit.gte(makerPrice) : limit.lte(makerPrice);
}

/** What a taker would get from the book, best first, without changing it. A quote budget stops at the
 *  first level it cannot take whole, so matching `amount` best-first reproduces exactly this walk. */
function walk(
  opposite: BookSide,
  side: Side,
  limit: Dec | null,
  maxAmount: Dec | null,
  maxQuote: Dec | null,
  rules: InstrumentRules,
): { amount: Dec; quote: Dec } {
  let amount = ZERO;
  let quote = ZERO;
  const levels = opposite.levels;
  for (let i = levels.length - 1; i >= 0; i -= 1) {
    const level = levels[i] as PriceLevel;
    if (limit !== null && !crosses(side, limit, level.price)) break;
    let take = level.amount;
    if (maxAmount !== null && maxAmount.sub(amount).lt(take)) take = maxAmount.sub(amount);
    if (maxQuote !== null) {
      const affordable = floorToLot(rules, maxQuote.sub(quote).div(level.price));
      if (affordable.lt(take)) take = affordable;
    }
    if (take.lte(0)) break;
    amount = amount.add(take);
    quote = quote.add(level.price.mul(take));
    if (take.lt(level.amount)) break;
  }
  return { amount, quote };
}

function topLevels(side: BookSide, limit: number): DepthLevel[] {
  const out: DepthLevel[] = [];
  const levels = side.levels;
  for (let i = levels.length - 1; i >= 0 && out.length < limit; i -= 1) {
    const level = levels[i] as PriceLevel;
    out.push({ price: level.key, amount: str(level.amount) });
  }
  return out;
}
