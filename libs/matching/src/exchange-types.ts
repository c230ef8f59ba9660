// The public shapes of the paper exchange: every amount and price is a decimal string, every time micros.
import type { InstrumentSpec } from './instrument-spec.js';

export type Side = 'buy' | 'sell';
/** PO = post-only (Binance LIMIT_MAKER). */
export type TimeInForce = 'GTC' | 'IOC' | 'FOK' | 'PO';
export type ExchangeOrderStatus = 'NEW' | 'PARTIALLY_FILLED' | 'FILLED' | 'CANCELED' | 'EXPIRED' | 'REJECTED';

export interface OrderRequest {
  instrument: string;
  side: Side;
  type: 'limit' | 'market';
  /** Base quantity (required unless market buy/sell with quoteAmount). */
  amount?: string;
  /** Market orders only: spend/receive this much quote. */
  quoteAmount?: string;
  /** Limit only. */
  price?: string;
  /** Default GTC for limit; market is always IOC. */
  timeInForce?: TimeInForce;
  /** Generated 'x-<orderId>' when absent. */
  clientOrderId?: string;
}

export interface ExchangeOrder {
  /** Exchange-wide increasing. */
  orderId: number;
  clientOrderId: string;
  account: string;
  instrument: string;
  side: Side;
  type: 'limit' | 'market';
  timeInForce: TimeInForce;
  price: string | null;
  amount: string;
  filled: string;
  /** Cumulative quote. */
  quoteFilled: string;
  status: ExchangeOrderStatus;
  createdAt: number;
  updatedAt: number;
}

export interface ExchangeFill {
  /** Exchange-wide increasing (one id per match, both sides share it). */
  tradeId: number;
  orderId: number;
  clientOrderId: string;
  account: string;
  instrument: string;
  side: Side;
  price: string;
  amount: string;
  quoteAmount: string;
  fee: string;
  feeCurrency: string;
  liquidity: 'maker' | 'taker';
  time: number;
}

export interface PublicTrade {
  tradeId: number;
  instrument: string;
  price: string;
  amount: string;
  takerSide: Side;
  time: number;
}

export interface DepthLevel {
  price: string;
  amount: string;
}

export interface DepthSnapshot {
  instrument: string;
  updateId: number;
  bids: DepthLevel[];
  asks: DepthLevel[];
}

/** One engine event's changes to the book; amount '0' removes a level. updateIds are per instrument,
 *  consecutive: next.firstUpdateId === prev.lastUpdateId + 1. */
export interface DepthUpdate {
  instrument: string;
  firstUpdateId: number;
  lastUpdateId: number;
  bids: DepthLevel[];
  asks: DepthLevel[];
  time: number;
}

export interface Balance {
  currency: string;
  free: string;
  locked: string;
}

/** `pending` until confirmed; only an `ok` deposit is in the balance. */
export type DepositStatus = 'pending' | 'ok';

export interface Deposit {
  depositId: string;
  account: string;
  currency: string;
  amount: string;
  address: string;
  network: string;
  txId: string;
  status: DepositStatus;
  /** When it arrived. */
  time: number;
  /** When it is (or was) confirmed and credited. */
  confirmAt: number;
}

/** Where an incoming deposit was sent: one of the account's deposit addresses. */
export interface IncomingDeposit {
  /** Default: the account's address for the currency on `network`. */
  address?: string;
  /** Default: the currency's default network. */
  network?: string;
}

export interface Transfer {
  transferId: string;
  from: string;
  to: string;
  currency: string;
  amount: string;
  time: number;
}

export interface DepositAddress {
  address: string;
  tag?: string;
  network: string;
}

export interface Ticker {
  bid: string | null;
  bidSize: string;
  ask: string | null;
  askSize: string;
  last: string | null;
  open: string | null;
  high: string | null;
  low: string | null;
  volume: string;
  quoteVolume: string;
  time: number;
}

/** Which order a cancel/get refers to; orderId wins when both are given. */
export interface OrderRef {
  orderId?: number;
  clientOrderId?: string;
}

export interface AccountTradesQuery {
  instrument: string;
  fromId?: number;
  since?: number;
  limit?: number;
}

/** Fills of THIS order. */
export interface PlaceResult {
  order: ExchangeOrder;
  fills: ExchangeFill[];
}

export interface ExchangeEvents {
  /** Every change of an order (new, each fill, cancel, expire), with the fill that caused it. */
  onOrderUpdate?(order: ExchangeOrder, fill: ExchangeFill | undefined): void;
  onPublicTrade?(trade: PublicTrade): void;
  onDepthUpdate?(update: DepthUpdate): void;
}

export interface PaperExchangeOptions {
  instruments: InstrumentSpec[];
  /** Micros; default Date.now()*1000. */
  clock?: () => number;
  /** Default '0'; the fee is charged in the currency received. */
  makerFeeRate?: string;
  takerFeeRate?: string;
  /** Also settable later via exchange.events = {...}. */
  events?: ExchangeEvents;
  /** Closed orders kept queryable (oldest forgotten first); default 100,000. */
  maxClosedOrders?: number;
  /** Fills kept per (account, instrument) for accountTrades; default 100,000. */
  maxAccountTrades?: number;
  /** How long an incoming deposit (receiveDeposit) stays pending before it is credited; default 2,000 ms. */
  depositConfirmationMs?: number;
  /** Called with an error thrown by an event handler; default: rethrown on a microtask. */
  onEventError?: (error: unknown) => void;
}
